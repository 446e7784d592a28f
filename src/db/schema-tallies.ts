import type { ColumnType } from 'kysely';

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

export interface TallyTables {
  appeal_tally: AppealTallyTable;
  appeal_due_tally: AppealDueTallyTable;
  appeal_step_tally: AppealStepTallyTable;
  member_found: MemberFoundTable;
  member_tally: MemberTallyTable;
}
