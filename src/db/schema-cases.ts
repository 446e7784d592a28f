import type { ColumnType, Generated } from 'kysely';
import type { CaseActor, CaseDoor, CaseState } from '../domain/cases/engine.js';
import type { UnitKind } from '../domain/cases/routing.js';

/** Kysely types of migration 0016_appeals.sql (the case engine, service posts, visits); DB extends them. */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
/** bigint columns read as strings on pg and numbers on PGlite: the queries cast what they read. */
type Ms = ColumnType<number | null, number | null | undefined, number | null>;

export interface ServicePostTable {
  id: Generated<number>;
  name: string;
  jurisdiction_code: string;
  county_code: string;
  scope_key: string;
  address: string;
  longitude: number | null;
  latitude: number | null;
  opening_hours: string;
  offers: ColumnType<string[], string[] | undefined, string[]>;
  phone: string | null;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface VisitPlanTable {
  id: Generated<number>;
  title: string;
  jurisdiction_code: string;
  scope_key: string;
  visitor_name: string;
  visitor_id: number | null;
  starts_on: ColumnType<string, string, string>;
  ends_on: ColumnType<string, string, string>;
  entity_ids: ColumnType<number[], number[] | undefined, number[]>;
  created_by: number | null;
  created_at: CreatedAt;
  cancelled_at: ColumnType<Date | string | null, Date | string | null | undefined, Date | string | null>;
  cancel_reason: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface VisitRecordTable {
  id: Generated<number>;
  plan_id: number | null;
  entity_id: number;
  county_code: string;
  scope_key: string;
  visited_on: ColumnType<string, string, string>;
  visitor_name: string;
  learned: string;
  created_by: number | null;
  created_at: CreatedAt;
}

export interface AppealCaseTable {
  id: Generated<number>;
  door: CaseDoor;
  category: string;
  content: string;
  contact_enc: string | null;
  content_enc: string | null;
  area_code: string | null;
  service_post_id: number | null;
  entity_id: number | null;
  visit_id: number | null;
  plaque_feedback_id: number | null;
  county_code: string;
  unit_kind: UnitKind;
  unit_code: string;
  unit_line: string | null;
  unit_platform_id: number | null;
  unit_org_id: number | null;
  scope_key: string;
  raised_key: string;
  state: CaseState;
  step_started_at: Timestamp;
  due_at: Date | string | null;
  escalation_level: ColumnType<number, number | undefined, number>;
  escalated_key: string | null;
  public_reply: string | null;
  resolved_at: Date | string | null;
  closed_at: Date | string | null;
  satisfaction: number | null;
  feedback_comment: string | null;
  reopen_count: ColumnType<number, number | undefined, number>;
  route_ms: Ms;
  accept_ms: Ms;
  resolve_ms: Ms;
  feedback_ms: Ms;
  tracking_hash: string | null;
  raised_by: number | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface AppealEventTable {
  id: Generated<number>;
  case_id: number;
  at: ColumnType<Date, Date | string | undefined, never>;
  actor: CaseActor;
  actor_id: number | null;
  action: string;
  from_state: string | null;
  to_state: string;
  note: string | null;
  detail: unknown;
  scope_key: string;
  raised_key: string;
}

export interface CaseTables {
  service_post: ServicePostTable;
  visit_plan: VisitPlanTable;
  visit_record: VisitRecordTable;
  appeal_case: AppealCaseTable;
  appeal_event: AppealEventTable;
}
