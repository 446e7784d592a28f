import type { ColumnType, Generated } from 'kysely';

/** Kysely types of migration 0029_work_loop.sql (deployments down the tree, attachments, notifications); DB extends them. */

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Json<T> = ColumnType<T, string | undefined, string>;

export type DeploymentKind = 'notice' | 'task';
export type TargetState = 'pending' | 'received' | 'replied' | 'returned';
export type DeploymentEventAction =
  'receive' | 'reply' | 'return' | 'remind' | 'overdue' | 'pass_down' | 'update' | 'close' | 'accept';
/** The ledgers whose records are deployed as tasks (0032_ledger_tasks.sql). */
export type DeploymentSource = 'visit_plan' | 'assistance_program' | 'campaign' | 'report_period' | 'assessment_year';

export interface DeploymentTable {
  id: Generated<number>;
  kind: DeploymentKind;
  title: string;
  body: string;
  issuer_code: string;
  scope_key: string;
  receipt_required: ColumnType<boolean, boolean | undefined, boolean>;
  due_at: Date | string | null;
  remind_days: ColumnType<number, number | undefined, number>;
  evidence: string | null;
  figures: Json<unknown>;
  parent_target_id: number | null;
  /** The deployment the parent target belongs to (0075): the chain a node below may read up. */
  parent_deployment_id: ColumnType<number | null, number | null | undefined, number | null>;
  parent_title: string | null;
  parent_issuer_name: string | null;
  created_by: number | null;
  created_by_name: string;
  created_at: CreatedAt;
  source_type: ColumnType<DeploymentSource | null, DeploymentSource | null | undefined, DeploymentSource | null>;
  source_key: ColumnType<string | null, string | null | undefined, string | null>;
  source_path: ColumnType<string | null, string | null | undefined, string | null>;
  closed_at: ColumnType<Date | string | null, Date | string | null | undefined, Date | string | null>;
  closed_reason: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface DeploymentTargetTable {
  id: Generated<number>;
  deployment_id: number;
  node_code: string;
  scope_key: string;
  state: ColumnType<TargetState, TargetState | undefined, TargetState>;
  received_at: Date | string | null;
  received_by: number | null;
  received_by_name: string | null;
  reply_text: string | null;
  reply_figures: ColumnType<unknown, string | null | undefined, string | null>;
  reply_links: Json<unknown>;
  replied_at: Date | string | null;
  replied_by: number | null;
  replied_by_name: string | null;
  late: ColumnType<boolean, boolean | undefined, boolean>;
  return_reason: string | null;
  returned_at: Date | string | null;
  reminded_at: Date | string | null;
  overdue_noted_at: Date | string | null;
  /** The issuer accepted the reply (0075): reviewed, it leaves the issuer's 待办. */
  accepted_at: ColumnType<Date | string | null, Date | string | null | undefined, Date | string | null>;
  accepted_by: ColumnType<number | null, number | null | undefined, number | null>;
  accepted_by_name: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface DeploymentEventTable {
  id: Generated<number>;
  target_id: number;
  scope_key: string;
  action: DeploymentEventAction;
  note: string | null;
  late: ColumnType<boolean, boolean | undefined, boolean>;
  at: CreatedAt;
  by_user: number | null;
  by_name: string;
}

export interface AttachmentTable {
  id: Generated<number>;
  owner_type: string;
  owner_id: number;
  scope_key: string;
  file_name: string;
  media_type: string;
  size_bytes: number;
  content_key: string;
  uploaded_by: number | null;
  uploaded_by_name: string;
  created_at: CreatedAt;
  removed_at: Date | string | null;
}

export interface NotificationTable {
  id: Generated<number>;
  user_id: number;
  scope_key: string;
  kind: string;
  title: string;
  body: string | null;
  link: string | null;
  created_at: CreatedAt;
  read_at: Date | string | null;
}

export interface NotificationCursorTable {
  source: string;
  last_id: ColumnType<number, number | undefined, number>;
  last_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface WorkLoopTables {
  notification_cursor: NotificationCursorTable;
  deployment: DeploymentTable;
  deployment_target: DeploymentTargetTable;
  deployment_event: DeploymentEventTable;
  attachment: AttachmentTable;
  notification: NotificationTable;
}
