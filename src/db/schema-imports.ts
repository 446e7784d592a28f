import type { ColumnType, Generated } from 'kysely';

/** Kysely types of migration 0023_import_extracts.sql (saved column mappings); DB extends them. */

/** field → the file's header that feeds it ('' = no column). */
export type ImportMapping = Record<string, string>;

export interface ImportProfileTable {
  id: Generated<number>;
  kind: 'registry' | 'annual_report' | 'roster' | 'abnormal_list' | 'untrustworthy_list';
  name: string;
  mapping: ColumnType<ImportMapping, string, string>;
  scope_key: string;
  created_by: number | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface ImportTables {
  import_profile: ImportProfileTable;
}

/** Kysely types of migration 0024_import_flow.sql (a job's figures by jurisdiction, its change summary, station rules); DB extends them. */

export interface ImportJobAreaTable {
  job_id: number;
  scope_key: string;
  rows_accepted: ColumnType<number, number | undefined, number>;
  rows_rejected: ColumnType<number, number | undefined, number>;
}

export interface ImportChangeTable {
  id: Generated<number>;
  job_id: number;
  row_no: number;
  entity_id: number;
  scope_key: string;
  field: 'kind' | 'name';
  before: string | null;
  after: string | null;
}

export interface StationRuleTable {
  id: Generated<number>;
  county_code: string;
  keyword: string;
  station_code: string;
  scope_key: string;
  created_by: number | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface ImportFlowTables {
  import_job_area: ImportJobAreaTable;
  import_change: ImportChangeTable;
  station_rule: StationRuleTable;
}
