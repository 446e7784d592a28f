import type { ColumnType } from 'kysely';

/** Kysely types of migration 0035_exchange.sql (service accounts, delivered batches, the change feed); DB extends them. */

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export type ChangeKind = 'entity' | 'organization' | 'member_link' | 'plaque' | 'case';
export type ChangeOp = 'insert' | 'update' | 'delete' | 'moved_out';

export interface ServiceAccountTable {
  user_id: number;
  name: string;
  note: string | null;
  jurisdiction_code: string;
  scope_key: string;
  permissions: string[];
  token_hash: string;
  token_hint: string;
  expires_at: Date | string;
  ip_allowlist: ColumnType<string[], string[] | undefined, string[]>;
  rate_per_minute: ColumnType<number, number | undefined, number>;
  revoked_at: Date | string | null;
  revoked_by: number | null;
  revoke_reason: string | null;
  last_used_at: Date | string | null;
  last_used_ip: string | null;
  created_by: number | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  /** A registered client certificate (migration 0041): SHA-256 fingerprint, lowercase hex. */
  cert_fingerprint: ColumnType<string | null, string | null | undefined, string | null>;
  cert_subject: ColumnType<string | null, string | null | undefined, string | null>;
  cert_not_after: ColumnType<Date | string | null, Date | string | null | undefined, Date | string | null>;
  /** Confirmed by a business account of its node (migration 0061): null until then, and again after a credential or permission change. */
  confirmed_at: ColumnType<Date | string | null, Date | string | null | undefined, Date | string | null>;
  confirmed_by: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface ExchangeBatchTable {
  account_id: number;
  batch_id: string;
  kind: string;
  body_hash: string;
  job_id: number;
  scope_key: string;
  created_at: CreatedAt;
}

export interface ChangeLogTable {
  /** xid8, read as text. */
  xid: ColumnType<string, never, never>;
  seq: ColumnType<string, never, never>;
  kind: ChangeKind;
  object_id: number;
  op: ChangeOp;
  scope_key: string;
  at: CreatedAt;
}

export interface ExchangeTables {
  service_account: ServiceAccountTable;
  exchange_batch: ExchangeBatchTable;
  change_log: ChangeLogTable;
}
