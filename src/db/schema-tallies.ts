import type { ColumnType, Generated } from 'kysely';

/**
 * Kysely types of the tables that statement triggers and raw SQL keep (figures kept per scope key,
 * monthly snapshots): the code reads them with sql``, but the types still match the database
 * (test/integration/schema-types.test.ts compares them). DB extends them.
 */

type Counter = ColumnType<number, number | undefined, number>;

/** 0021: appeals by scope key, door, category, state (triggers on appeal_case). */
export interface AppealTallyTable {
  scope_key: string;
  door: string;
  category: string;
  state: string;
  escalated: boolean;
  n: number;
  rated: number;
  stars: number;
  satisfied: number;
}

/** 0021: open appeals by the day their step falls due. */
export interface AppealDueTallyTable {
  scope_key: string;
  due_on: string;
  n: number;
}

/** 0021: finished steps by how long they took. */
export interface AppealStepTallyTable {
  scope_key: string;
  step: string;
  bucket: number;
  n: number;
}

/** 0015: the scope keys where a rostered member was found. */
export interface MemberFoundTable {
  member_id: number;
  scope_keys: string[];
}

/** 0015: members on the roster and found, per scope key. */
export interface MemberTallyTable {
  scope_key: string;
  on_roster: Counter;
  found: Counter;
}

/** coverage_tally: the two-coverage figures per scope key and breakdown (dim, value). */
export interface CoverageTallyTable {
  scope_key: string;
  dim: 'all' | 'kind' | 'industry' | 'reg_month' | 'zone_kind' | 'zone';
  value: string;
  operating: number;
  with_members: number;
  own_org: number;
  any_org: number;
  work: number;
  members_own_org: number;
  members_any_org: number;
  instructor: Generated<number>;
}

/** 0044: coverage_tally summed per county (keys cut to six characters), with the number of rows summed. */
export type CoverageTallyCountyTable = Omit<CoverageTallyTable, 'instructor'> & {
  instructor: number;
  tally_rows: number;
};

/**
 * 0045: discovery cases (discovery_case_tally) and 三亮 plaques (sanliang_plaque_tally) per scope key
 * and state; 0050: honours (honour_tally) and instructor assignments (instructor_assignment_tally,
 * state in_force or ended).
 */
export interface StateTallyTable {
  scope_key: string;
  state: string;
  n: number;
}

/** 0246: the case tally also per the cases' county (their Citus shard); readers sum over it. */
export interface CaseTallyTable extends StateTallyTable {
  county_code: string;
}

/** 0046: appeal_tally summed per county (keys cut to six characters): the same columns. */
export type AppealTallyCountyTable = AppealTallyTable;

/** 0045: 三亮 participants (members with an active record) per scope key. */
export interface SanliangTallyTable {
  scope_key: string;
  participants: Counter;
}

/** 0045: the scope keys of a member's active 三亮 records. */
export interface SanliangMemberTable {
  member_id: number;
  scope_keys: string[];
}

export interface TallyTables {
  appeal_tally: AppealTallyTable;
  appeal_tally_county: AppealTallyCountyTable;
  coverage_tally_county: CoverageTallyCountyTable;
  discovery_case_tally: CaseTallyTable;
  honour_tally: StateTallyTable;
  instructor_assignment_tally: StateTallyTable;
  sanliang_plaque_tally: StateTallyTable;
  sanliang_tally: SanliangTallyTable;
  sanliang_member: SanliangMemberTable;
  appeal_due_tally: AppealDueTallyTable;
  appeal_step_tally: AppealStepTallyTable;
  member_found: MemberFoundTable;
  member_tally: MemberTallyTable;
}
