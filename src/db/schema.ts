import type { ColumnType, Generated, Selectable } from 'kysely';

/** Kysely table types, written to match migrations/*.sql. */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Id = ColumnType<number, never, never>;

export type JurisdictionLevel = 'nation' | 'province' | 'city' | 'county' | 'station';

export interface JurisdictionTable {
  code: string;
  parent_code: string | null;
  level: JurisdictionLevel;
  name: string;
  scope_key: string;
  address: string | null;
  served_areas: ColumnType<string[], string[] | undefined, string[]>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface BureauUnitTable {
  id: Generated<number>;
  kind: 'xgz_committee' | 'guidance_post';
  jurisdiction_code: string;
  scope_key: string;
  name: string;
  founded_on: string | null;
  leader_name: string | null;
  staff_count: ColumnType<number, number | undefined, number>;
  note: string | null;
  status: ColumnType<'active' | 'dissolved', 'active' | 'dissolved' | undefined, 'active' | 'dissolved'>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface AppUserTable {
  id: Generated<number>;
  username: string;
  display_name: string;
  jurisdiction_code: string;
  scope_key: string;
  roles: string[];
  password_hash: string;
  must_change_password: ColumnType<boolean, boolean | undefined, boolean>;
  password_changed_at: Date | null;
  totp_secret_enc: string | null;
  totp_enabled: ColumnType<boolean, boolean | undefined, boolean>;
  totp_last_step: number | null;
  failed_logins: ColumnType<number, number | undefined, number>;
  locked_until: Date | null;
  disabled: ColumnType<boolean, boolean | undefined, boolean>;
  last_login_at: Date | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export type SessionStage = 'password_change' | 'totp_enrol' | 'totp' | 'full';

export interface UserSessionTable {
  id_hash: string;
  user_id: number;
  scope_key: string;
  csrf_token: string;
  stage: SessionStage;
  totp_pending_enc: string | null;
  ip: string | null;
  user_agent: string | null;
  created_at: CreatedAt;
  last_seen_at: Timestamp;
}

export interface LoginHistoryTable {
  id: Generated<number>;
  user_id: number | null;
  scope_key: string;
  at: CreatedAt;
  ip: string | null;
  user_agent: string | null;
  outcome: string;
}

export interface AuditLogTable {
  id: Id;
  at: Date;
  actor_id: number | null;
  actor_name: string | null;
  scope_key: string;
  ip: string | null;
  action: string;
  object_type: string | null;
  object_id: string | null;
  outcome: 'success' | 'failure' | 'denied';
  detail: unknown;
  prev_hash: string;
  hash: string;
}

export interface AuditHeadTable {
  id: number;
  last_id: number;
  last_hash: string;
}

export interface SettingTable {
  key: string;
  value: unknown;
  updated_at: Timestamp;
  updated_by: number | null;
}

export interface DictionaryTable {
  kind: string;
  code: string;
  label: string;
  sort_order: number;
}

export interface DB {
  jurisdiction: JurisdictionTable;
  bureau_unit: BureauUnitTable;
  app_user: AppUserTable;
  user_session: UserSessionTable;
  login_history: LoginHistoryTable;
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
  setting: SettingTable;
  dictionary: DictionaryTable;
}

export type AppUser = Selectable<AppUserTable>;
export type Jurisdiction = Selectable<JurisdictionTable>;
