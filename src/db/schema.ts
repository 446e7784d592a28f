import type { ColumnType, Generated, Selectable } from 'kysely';
import type { RecognitionTables } from './schema-recognition.js';
import type { ExitTables } from './schema-exit.js';
import type { PlatformTables } from './schema-platforms.js';
import type { CaseTables } from './schema-cases.js';
import type { ReportTables } from './schema-reports.js';
import type { ImportFlowTables, ImportMapping, ImportTables } from './schema-imports.js';
import type { WorkLoopTables } from './schema-worktasks.js';
import type { CoverageTallyTable, TallyTables } from './schema-tallies.js';
import type { JurisdictionLevel } from '../domain/jurisdiction/codes.js';
import type { RecommendationTables } from './schema-recommendations.js';
import type { ExchangeTables } from './schema-exchange.js';

/** Kysely table types, written to match migrations/*.sql. */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Id = ColumnType<number, never, never>;

export type { JurisdictionLevel };

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
  bound_platform_id: number | null;
  bound_org_id: number | null;
  bound_instructor_id: number | null;
  /** A service account's row (0035): never signs in. */
  is_service: ColumnType<boolean, boolean | undefined, boolean>;
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

/** Failed sign-ins per account and client address (0025): the lock that cannot deny the owner elsewhere. */
/** An account's count of one kind of act in its current window (migration 0190, db/windows.ts). */
export interface AccountWindowTable {
  user_id: number;
  kind: 'reveal' | 'probe' | 'proposals';
  window_start: Date;
  used: number;
}

/** Requests of a client address on a rate-limited route, or a county's public self-reports, in the current window (migration 0231, db/windows.ts). */
export interface WorkUnderWayTable {
  kind: 'proposals' | 'snapshot' | 'report' | 'discovery';
  scope_key: string;
  started_at: Date;
  started_by: number;
  /** Written by the run's process while it works (0255); a row not seen for a while was left by a dead process. */
  seen_at: Generated<Date>;
}

export interface PublicWindowTable {
  bucket: string;
  key: string;
  window_start: Date;
  used: number;
}

export interface LoginThrottleTable {
  user_id: number;
  ip: string;
  scope_key: string;
  failures: ColumnType<number, number | undefined, number>;
  locks: ColumnType<number, number | undefined, number>;
  locked_until: Date | null;
  updated_at: Timestamp;
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
  keyed_from: Generated<number>;
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

export type EntityKind = 'enterprise' | 'individual' | 'cooperative';
export type EntityStatus = 'active' | 'deregistered' | 'revoked' | 'moved_out';
export type ZoneKind = 'market' | 'park' | 'building' | 'district';

export interface ZoneTable {
  id: Generated<number>;
  kind: ZoneKind;
  name: string;
  address: string | null;
  county_code: string;
  station_code: string | null;
  scope_key: string;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface EntityTable {
  id: Generated<number>;
  kind: EntityKind;
  uscc: string | null;
  reg_no: string | null;
  name: string;
  status: EntityStatus;
  registered_on: string | null;
  address: string | null;
  county_code: string;
  station_code: string | null;
  scope_key: string;
  industry_section: string | null;
  industry_division: string | null;
  size_class: 'micro' | 'small' | 'medium' | 'large' | null;
  employees: number | null;
  /** 市场主体类型 as the registration system names it (migration 0023). */
  reg_type: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface EntityZoneTable {
  entity_id: number;
  zone_id: number;
  scope_key: string;
}

export interface PersonTable {
  id: Generated<number>;
  id_bi: string | null;
  id_enc: string | null;
  name: string;
  birth_date: string | null;
  /** A birth date known to the month only ('1980-03'), while birth_date is unknown (migration 0065). */
  birth_month: string | null;
  sex: 'male' | 'female' | null;
  phone_enc: string | null;
  phone_bi: string | null;
  /** The scope of the writer who recorded the phone (see xgz_person_phone, migration 0059). */
  phone_scope: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export type PersonRole = 'legal_rep' | 'investor' | 'executive' | 'employee' | 'liaison';

export interface EntityPersonTable {
  id: Generated<number>;
  entity_id: number;
  person_id: number;
  role: PersonRole;
  scope_key: string;
  created_at: CreatedAt;
}

export interface AnnualReportTable {
  entity_id: number;
  year: number;
  scope_key: string;
  filing_status: 'filed' | 'late' | 'not_filed';
  filed_on: string | null;
  employees: number | null;
  party_members: number | null;
  party_org_form: number | null;
  party_org_way: number | null;
  party_org_set_on: string | null;
  rep_is_member: boolean | null;
  rep_is_secretary: boolean | null;
  updated_at: Timestamp;
}

export interface LedgerHistoryTable {
  id: Id;
  object_type: string;
  object_id: number;
  entity_id: number | null;
  scope_key: string;
  at: Date;
  actor_id: number | null;
  op: 'I' | 'U' | 'D';
  before: unknown;
  after: unknown;
}

export type ImportJobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface ImportJobTable {
  id: Generated<number>;
  kind: 'registry' | 'annual_report' | 'roster' | 'abnormal_list' | 'untrustworthy_list';
  file_name: string;
  file_path: string;
  file_bytes: number;
  status: ColumnType<ImportJobStatus, ImportJobStatus | undefined, ImportJobStatus>;
  rows_read: ColumnType<number, number | undefined, number>;
  rows_accepted: ColumnType<number, number | undefined, number>;
  rows_rejected: ColumnType<number, number | undefined, number>;
  rows_changed: ColumnType<number, number | undefined, number>;
  bytes_read: ColumnType<number, number | undefined, number>;
  cancel_requested: ColumnType<boolean, boolean | undefined, boolean>;
  error: string | null;
  scope_key: string;
  created_by: number | null;
  created_at: CreatedAt;
  started_at: Date | null;
  finished_at: Date | null;
  /** host/pid/start-token of the process running the job (see db/lock.ts). */
  lease_owner: string | null;
  heartbeat_at: Date | null;
  /** The column mapping chosen for this file (migration 0023). */
  mapping: ColumnType<ImportMapping | null, string | null | undefined, string | null>;
  sheet: ColumnType<string | null, string | null | undefined, string | null>;
  /** The sheets read together, in order (migration 0120); its row numbers are then references (domain/ledger/sheets.ts). */
  sheets: ColumnType<string[] | null, string[] | null | undefined, string[] | null>;
  /** The footer rows skipped under the last data row, and the hidden rows imported, as the job shows them (migration 0058). */
  footer: ColumnType<string | null, string | null | undefined, string | null>;
  /** Values of accepted rows read and not stored (masked, a roster's fixed line), counted by column (migration 0063). */
  withheld: ColumnType<string | null, string | null | undefined, string | null>;
  /** The file is the full roster of the organizations it carries (migration 0084). */
  full_roster: ColumnType<boolean, boolean | undefined, boolean>;
  /** Members of those organizations the full roster no longer had: the cases its end raised (migration 0084). */
  absent_members: ColumnType<number | null, number | null | undefined, number | null>;
  /** A roster's rows that recorded a member held here as 已转出 (migration 0101); null for other kinds. */
  members_left: ColumnType<number | null, number | null | undefined, number | null>;
}

/** Who a full-roster job saw, per batch (migration 0084): a member, or a refused row's name hash or organization. */
export interface ImportRosterSeenTable {
  job_id: number;
  member_id: number | null;
  name_hash: string | null;
  org: string | null;
}

export interface ImportRejectionTable {
  job_id: number;
  row_no: number;
  col: string | null;
  value: string | null;
  reason: string;
  raw_enc: string | null;
  scope_key: ColumnType<string | null, string | null | undefined, string | null>;
  dup_key: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ImportKeyTable {
  job_id: number;
  h: string;
  row_no: number;
}

export interface MemberTable {
  id: Generated<number>;
  person_id: number;
  roster_key: string | null;
  membership: 'full' | 'probationary' | null;
  join_date: string | null;
  org_relation: string | null;
  org_relation_code: string | null;
  member_status: ColumnType<
    'normal' | 'mobile' | 'lost' | 'abroad' | 'other' | 'transferred_out' | 'stopped' | 'deceased',
    string | undefined,
    string
  >;
  occupation: string | null;
  workplace: string | null;
  /** When the membership ended (已转出, 停止党籍, 去世), when known (migration 0101). */
  ended_on: ColumnType<string | null, string | null | undefined, string | null>;
  sources: ColumnType<string[], string[] | undefined, string[]>;
  confidence: ColumnType<'confirmed' | 'declared' | 'self_reported', string | undefined, string>;
  scope_key: string;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface MemberLinkTable {
  id: Generated<number>;
  member_id: number;
  entity_person_id: number;
  entity_id: number;
  method: 'exact' | 'probabilistic' | 'staff';
  score: number;
  levels: unknown;
  scope_key: string;
  created_at: CreatedAt;
}

export interface DiscoveryCaseTable {
  id: Generated<number>;
  kind:
    'hidden_member' | 'pocket_member' | 'entity_without_org' | 'declared_not_found' | 'self_report' | 'roster_absent';
  entity_id: number | null;
  member_id: number | null;
  self_report_id: number | null;
  scope_key: string;
  /** The county it was raised in (its scope's first six digits then), never changed: Citus's distribution column (0245). */
  county_code: string;
  state: ColumnType<
    'open' | 'contacted' | 'confirmed' | 'dismissed' | 'transferred' | 'resolved',
    string | undefined,
    string
  >;
  evidence: unknown;
  evidence_hash: string;
  /** When the system closed it because its condition no longer held (state 'resolved'). */
  resolved_at: Timestamp | null;
  /** Who ran the discovery that raised it (null: the public self-report). Its "raised" line is created_at. */
  raised_by: number | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface CaseEventTable {
  id: Generated<number>;
  case_id: number;
  at: CreatedAt;
  actor_id: number | null;
  action: string;
  from_state: string | null;
  to_state: string;
  detail: unknown;
  scope_key: string;
  /** Its case's county_code, so a case and its trail live on one shard (0245). */
  county_code: string;
}

export interface DiscoveryRunTable {
  id: Generated<number>;
  status: ColumnType<'running' | 'done' | 'failed', string | undefined, string>;
  step: string | null;
  counts: ColumnType<unknown, string | undefined, string>;
  error: string | null;
  scope_key: string;
  created_by: number | null;
  started_at: CreatedAt;
  finished_at: Date | null;
}

export interface SelfReportTable {
  id: Generated<number>;
  entity_id: number | null;
  county_code: string;
  scope_key: string;
  name: string;
  phone_enc: string;
  id_enc: string | null;
  entity_text: string;
  org_relation: string | null;
  consent_at: Date;
  /** The random receipt the reporter was given (domain/cases/receipt.ts). */
  receipt: string;
  created_at: CreatedAt;
}

export type OrgKind = 'committee' | 'general_branch' | 'branch' | 'joint_branch';
export type OrgSetupMode = 'standalone' | 'joint' | 'affiliated' | 'industry' | 'station' | 'zone' | 'mobile';
export type OrgStatus = 'preparing' | 'established' | 'dissolved';

export interface PartyOrgTable {
  id: Generated<number>;
  body: ColumnType<'party' | 'league', 'party' | 'league' | undefined, 'party' | 'league'>;
  name: string;
  kind: OrgKind;
  setup_mode: OrgSetupMode;
  affiliated_to: string | null;
  parent_id: number | null;
  county_code: string;
  station_code: string | null;
  scope_key: string;
  zone_id: number | null;
  status: ColumnType<OrgStatus, OrgStatus | undefined, OrgStatus>;
  founded_on: string | null;
  dissolved_on: string | null;
  note: string | null;
  /** 0017: 'riders' for the organizations of new employment groups; a mobile branch's approving committee. */
  sector: 'riders' | null;
  approved_by_org_id: number | null;
  approved_on: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface PartyOrgEntityTable {
  org_id: number;
  entity_id: number;
  scope_key: string;
}

export interface PartyOrgMemberTable {
  id: Generated<number>;
  org_id: number;
  person_id: number;
  member_id: number | null;
  joined_on: string | null;
  scope_key: string;
}

export interface PartyOrgOfficerTable {
  id: Generated<number>;
  org_id: number;
  person_id: number;
  role: 'secretary' | 'deputy' | 'committee';
  term_start: string;
  term_end: string;
  /** The day the officer left office before the term's end (membership ended, 0264), and why; null while in office. */
  left_on: ColumnType<string | null, string | null | undefined, string | null>;
  left_reason: ColumnType<string | null, string | null | undefined, string | null>;
  scope_key: string;
}

export type InstructorSource = 'bureau' | 'station' | 'retired' | 'platform' | 'association' | 'volunteer';

export interface InstructorTable {
  id: Generated<number>;
  person_id: number;
  source: InstructorSource;
  county_code: string;
  station_code: string | null;
  scope_key: string;
  workplace: string | null;
  status: Generated<'active' | 'inactive'>;
  note: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface InstructorAssignmentTable {
  id: Generated<number>;
  instructor_id: number;
  target: 'entity' | 'zone' | 'org' | 'platform' | 'delivery_station';
  entity_id: number | null;
  zone_id: number | null;
  org_id: number | null;
  platform_id: number | null;
  delivery_station_id: number | null;
  start_on: string;
  end_on: string | null;
  end_reason: string | null;
  scope_key: string;
  created_at: Generated<Date>;
}

export interface GuidanceRecordTable {
  id: Generated<number>;
  instructor_id: number;
  entity_id: number | null;
  org_id: number | null;
  on_date: string;
  kind: 'visit' | 'guidance' | 'training' | 'meeting';
  content: string;
  follow_up: string | null;
  follow_up_done: Generated<boolean>;
  scope_key: string;
  created_by: number | null;
  created_at: Generated<Date>;
  /** The entity's or organization's name when the record was made (0200). */
  target_name: string;
}

/** View: the entities each assignment in force reaches. */
export interface InstructorReachView {
  assignment_id: number;
  entity_id: number;
}

export type ProposalMode = 'standalone' | 'zone' | 'joint' | 'station' | 'affiliated' | 'work';

export interface OrgProposalTable {
  id: Generated<number>;
  mode: ProposalMode;
  org_kind: OrgKind | null;
  county_code: string;
  station_code: string | null;
  scope_key: string;
  zone_id: number | null;
  full_members: number;
  members: number;
  units: number;
  explanation: string;
  suggested_name: string;
  signature: string;
  state: ColumnType<
    'open' | 'accepted' | 'rejected',
    'open' | 'accepted' | 'rejected' | undefined,
    'open' | 'accepted' | 'rejected'
  >;
  reason: string | null;
  org_id: number | null;
  decided_by: number | null;
  decided_at: Date | null;
  created_at: CreatedAt;
}

export interface OrgProposalEntityTable {
  proposal_id: number;
  entity_id: number;
  full_members: number;
  members: number;
  scope_key: string;
}

export interface WorkTaskTable {
  id: Generated<number>;
  kind: 'assign_instructor' | 'find_members';
  entity_id: number;
  proposal_id: number | null;
  /** cancelled: the entity stopped operating (migration 0237), closed_reason says so. */
  state: ColumnType<
    'open' | 'done' | 'cancelled',
    'open' | 'done' | 'cancelled' | undefined,
    'open' | 'done' | 'cancelled'
  >;
  closed_reason: string | null;
  scope_key: string;
  created_at: CreatedAt;
}

export interface EntityCoverageTable {
  entity_id: number;
  scope_key: string;
  kind: string;
  industry: string;
  reg_month: string;
  zone_ids: number[];
  zone_kinds: string[];
  operating: boolean;
  with_members: boolean;
  own_org: boolean;
  any_org: boolean;
  work: boolean;
  /** Reached by an instructor's assignment in force (migration 0019). */
  instructor: Generated<boolean>;
}

export type SanliangKind = 'member_operator' | 'member_post';

export interface SanliangTable {
  id: Generated<number>;
  kind: SanliangKind;
  member_id: number;
  entity_id: number;
  county_code: string;
  scope_key: string;
  post_name: string | null;
  duties: string;
  commitment: string;
  shown_on: string;
  status: ColumnType<'active' | 'withdrawn', 'active' | 'withdrawn' | undefined, 'active' | 'withdrawn'>;
  withdrawn_on: string | null;
  withdraw_reason: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

/** Each county's last plaque number (next_plaque_number() in 0012_sanliang.sql takes the next). */
export interface SanliangPlaqueCounterTable {
  county_code: string;
  last: number;
}

export interface SanliangPlaqueTable {
  id: Generated<number>;
  number: string;
  public_token: Generated<string>;
  record_id: number;
  scope_key: string;
  state: ColumnType<'valid' | 'revoked', 'valid' | 'revoked' | undefined, 'valid' | 'revoked'>;
  issued_on: string;
  revoked_on: string | null;
  revoke_reason: string | null;
  replaces_id: number | null;
  /** Set while an exit review suspends the plaque (migration 0034): the public page says 暂停公示. */
  suspended_at: Timestamp | null;
  created_at: CreatedAt;
}

export interface PlaqueFeedbackTable {
  id: Generated<number>;
  plaque_id: number;
  record_id: number;
  scope_key: string;
  category: 'identity' | 'conduct' | 'plaque' | 'other';
  content: string;
  state: ColumnType<'open' | 'handled', 'open' | 'handled' | undefined, 'open' | 'handled'>;
  handling_note: string | null;
  handled_by: number | null;
  handled_at: Date | null;
  /** The random receipt the reporter was given (domain/cases/receipt.ts). */
  receipt: string;
  created_at: CreatedAt;
}

export interface DB
  extends
    ExitTables,
    RecognitionTables,
    PlatformTables,
    CaseTables,
    ReportTables,
    ImportTables,
    ImportFlowTables,
    WorkLoopTables,
    TallyTables,
    RecommendationTables,
    ExchangeTables {
  jurisdiction: JurisdictionTable;
  bureau_unit: BureauUnitTable;
  app_user: AppUserTable;
  user_session: UserSessionTable;
  login_history: LoginHistoryTable;
  login_throttle: LoginThrottleTable;
  account_window: AccountWindowTable;
  public_window: PublicWindowTable;
  work_under_way: WorkUnderWayTable;
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
  setting: SettingTable;
  dictionary: DictionaryTable;
  zone: ZoneTable;
  entity: EntityTable;
  entity_zone: EntityZoneTable;
  person: PersonTable;
  entity_person: EntityPersonTable;
  annual_report: AnnualReportTable;
  ledger_history: LedgerHistoryTable;
  import_job: ImportJobTable;
  import_rejection: ImportRejectionTable;
  import_key: ImportKeyTable;
  import_roster_seen: ImportRosterSeenTable;
  member: MemberTable;
  member_link: MemberLinkTable;
  discovery_case: DiscoveryCaseTable;
  case_event: CaseEventTable;
  discovery_run: DiscoveryRunTable;
  self_report: SelfReportTable;
  party_org: PartyOrgTable;
  party_org_entity: PartyOrgEntityTable;
  party_org_member: PartyOrgMemberTable;
  party_org_officer: PartyOrgOfficerTable;
  org_proposal: OrgProposalTable;
  org_proposal_entity: OrgProposalEntityTable;
  work_task: WorkTaskTable;
  entity_coverage: EntityCoverageTable;
  coverage_tally: CoverageTallyTable;
  instructor: InstructorTable;
  instructor_assignment: InstructorAssignmentTable;
  guidance_record: GuidanceRecordTable;
  instructor_reach: InstructorReachView;
  sanliang: SanliangTable;
  sanliang_plaque: SanliangPlaqueTable;
  sanliang_plaque_counter: SanliangPlaqueCounterTable;
  plaque_feedback: PlaqueFeedbackTable;
}

export type AppUser = Selectable<AppUserTable>;
export type Jurisdiction = Selectable<JurisdictionTable>;
