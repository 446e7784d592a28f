import type { ColumnType, Generated } from 'kysely';

/** Kysely types of migration 0018_reports.sql (statistical reports and the yearly assessment); DB extends them. */

type Json<T> = ColumnType<T, string, string>;
export type ReportState = 'draft' | 'submitted' | 'returned';

export interface ReportTable {
  id: Generated<number>;
  form: string;
  period: string;
  jurisdiction_code: string;
  scope_key: string;
  state: ColumnType<ReportState, ReportState | undefined, ReportState>;
  data: Json<unknown>;
  note: string | null;
  prepared_at: ColumnType<Date, Date | string | undefined, Date | string>;
  prepared_by: number | null;
  version: ColumnType<number, number | undefined, number>;
  return_reason: string | null;
  returned_at: Date | null;
  returned_by: number | null;
  /** 0028: children marked 缺报 ([{code, name, reason, by}]), the explanation of differences, outdated by a child's resubmission. */
  missing: ColumnType<unknown, string | undefined, string>;
  explanation: string | null;
  outdated_at: Date | null;
  outdated_reason: string | null;
  /** 0160: 审核通过 by the level above, of this version (cleared by a trigger when it no longer holds). */
  accepted_version: number | null;
  accepted_at: Date | null;
  accepted_by: number | null;
}

export interface ReportVersionTable {
  report_id: number;
  version: number;
  form: string;
  period: string;
  jurisdiction_code: string;
  scope_key: string;
  data: Json<unknown>;
  note: string | null;
  checks: Json<unknown>;
  acknowledgement: string | null;
  submitted_at: ColumnType<Date, Date | string | undefined, never>;
  submitted_by: number | null;
  submitted_by_name: string;
  /** 0028 */
  missing: ColumnType<unknown, string | undefined, never>;
  differences: ColumnType<unknown, string | undefined, never>;
  explanation: string | null;
}

/** 0015 indicator_snapshot, with 0028's own rows and closing flag (the indicators feature reads it with plain SQL). */
export interface IndicatorSnapshotTable {
  jurisdiction_code: string;
  scope_key: string;
  period: string;
  counts: Json<unknown>;
  taken_at: ColumnType<Date, Date | string | undefined, Date | string>;
  trigger: 'schedule' | 'demand';
  taken_by: number | null;
  own: ColumnType<unknown, string | null | undefined, string | null>;
  closing: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface ReportEventTable {
  id: Generated<number>;
  report_id: number;
  action: 'prepare' | 'submit' | 'return' | 'accept';
  version: number | null;
  reason: string | null;
  at: ColumnType<Date, Date | string | undefined, never>;
  by_user: number | null;
  by_name: string;
  scope_key: string;
}

export interface AssessmentItemTable {
  id: Generated<number>;
  year: number;
  jurisdiction_code: string;
  scope_key: string;
  kind: 'indicator' | 'manual';
  indicator: string | null;
  /** numeric: pg returns a string; cast in SQL where read. */
  target: ColumnType<string | null, number | null, number | null>;
  label: string | null;
  weight: ColumnType<string, number, number>;
  manual_score: ColumnType<string | null, number | null, number | null>;
  evidence: string | null;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface ReportTables {
  indicator_snapshot: IndicatorSnapshotTable;
  report: ReportTable;
  report_version: ReportVersionTable;
  report_event: ReportEventTable;
  assessment_item: AssessmentItemTable;
}
