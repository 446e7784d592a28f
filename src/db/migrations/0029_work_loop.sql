-- The work loop between levels: notices and tasks deployed down the tree (工作任务 · 通知), each
-- target node's receipt and reply, attachments (files kept encrypted under the data dir, the rows
-- here), and in-app notifications per account.

-- ── Deployments (a notice or a task) ───────────────────────────────────────────────────────
-- Hangs on the issuing node (scope_key is the issuer's). A task passed down by a node below is a
-- deployment of its own, linked to the target row it carries out (parent_target_id).
CREATE TABLE deployment (
  id                 bigserial PRIMARY KEY,
  kind               text NOT NULL CHECK (kind IN ('notice','task')),
  title              text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  body               text NOT NULL,
  issuer_code        text NOT NULL REFERENCES jurisdiction(code),
  scope_key          text COLLATE "C" NOT NULL,
  receipt_required   boolean NOT NULL DEFAULT true,
  due_at             timestamptz,
  remind_days        smallint NOT NULL DEFAULT 3 CHECK (remind_days BETWEEN 0 AND 60),
  evidence           text,
  figures            jsonb NOT NULL DEFAULT '[]',
  parent_target_id   bigint,
  -- The parent's title and issuer, as the node below sees them (it cannot read the parent itself).
  parent_title       text,
  parent_issuer_name text,
  created_by         bigint REFERENCES app_user(id),
  created_by_name    text NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  CHECK (kind = 'notice' OR due_at IS NOT NULL)
);
CREATE INDEX deployment_scope_idx ON deployment (scope_key, created_at DESC);

-- One row per target node: its receipt and its reply. scope_key is the target node's, so the
-- issuer (above) sees every row and each node only its own, never a sibling's.
CREATE TABLE deployment_target (
  id                 bigserial PRIMARY KEY,
  deployment_id      bigint NOT NULL REFERENCES deployment(id),
  node_code          text NOT NULL REFERENCES jurisdiction(code),
  scope_key          text COLLATE "C" NOT NULL,
  state              text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','received','replied','returned')),
  received_at        timestamptz,
  received_by        bigint REFERENCES app_user(id),
  received_by_name   text,
  reply_text         text,
  reply_figures      jsonb,
  reply_links        jsonb NOT NULL DEFAULT '[]',
  replied_at         timestamptz,
  replied_by         bigint REFERENCES app_user(id),
  replied_by_name    text,
  late               boolean NOT NULL DEFAULT false,
  return_reason      text,
  returned_at        timestamptz,
  reminded_at        timestamptz,
  overdue_noted_at   timestamptz,
  CHECK (state <> 'returned' OR return_reason IS NOT NULL),
  CHECK (state NOT IN ('replied','returned') OR replied_at IS NOT NULL),
  CONSTRAINT deployment_target_uq UNIQUE (deployment_id, node_code)
);
CREATE INDEX deployment_target_scope_idx ON deployment_target (scope_key, state);
CREATE INDEX deployment_target_deployment_idx ON deployment_target (deployment_id, scope_key);
ALTER TABLE deployment ADD CONSTRAINT deployment_parent_target_fk FOREIGN KEY (parent_target_id) REFERENCES deployment_target(id);
CREATE INDEX deployment_parent_idx ON deployment (parent_target_id) WHERE parent_target_id IS NOT NULL;

-- What happened to each target row, in order (receipts, replies, returns, reminders).
CREATE TABLE deployment_event (
  id                 bigserial PRIMARY KEY,
  target_id          bigint NOT NULL REFERENCES deployment_target(id),
  scope_key          text COLLATE "C" NOT NULL,
  action             text NOT NULL CHECK (action IN ('receive','reply','return','remind','overdue','pass_down')),
  note               text,
  late               boolean NOT NULL DEFAULT false,
  at                 timestamptz NOT NULL DEFAULT now(),
  by_user            bigint REFERENCES app_user(id),
  by_name            text NOT NULL
);
CREATE INDEX deployment_event_target_idx ON deployment_event (target_id, id);

-- ── Attachments ────────────────────────────────────────────────────────────────────────────
-- A file on any record (owner_type names the table: deployment, deployment_target; later visits,
-- honours, points …). The bytes live encrypted under <data dir>/attachments/, named by a keyed
-- hash of the content (content_key); scope_key is the owning record's.
CREATE TABLE attachment (
  id                 bigserial PRIMARY KEY,
  owner_type         text NOT NULL CHECK (owner_type ~ '^[a-z_]{1,40}$'),
  owner_id           bigint NOT NULL,
  scope_key          text COLLATE "C" NOT NULL,
  file_name          text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
  media_type         text NOT NULL,
  size_bytes         bigint NOT NULL CHECK (size_bytes > 0),
  content_key        text NOT NULL CHECK (content_key ~ '^[0-9a-f]{64}$'),
  uploaded_by        bigint REFERENCES app_user(id),
  uploaded_by_name   text NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  removed_at         timestamptz
);
CREATE INDEX attachment_owner_idx ON attachment (owner_type, owner_id);
CREATE INDEX attachment_scope_idx ON attachment (scope_key);

-- ── Notifications ─────────────────────────────────────────────────────────────────────────
-- One row per account and event (the bell and the daily digest). scope_key is the account's.
CREATE TABLE notification (
  id                 bigserial PRIMARY KEY,
  user_id            bigint NOT NULL REFERENCES app_user(id),
  scope_key          text COLLATE "C" NOT NULL,
  kind               text NOT NULL,
  title              text NOT NULL,
  body               text,
  link               text,
  created_at         timestamptz NOT NULL DEFAULT now(),
  read_at            timestamptz
);
CREATE INDEX notification_user_idx ON notification (user_id, created_at DESC);
CREATE INDEX notification_unread_idx ON notification (user_id) WHERE read_at IS NULL;

GRANT SELECT, INSERT, UPDATE ON deployment, deployment_target, attachment, notification TO xgz_app;
GRANT SELECT, INSERT ON deployment_event TO xgz_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO xgz_app;

ALTER TABLE deployment ENABLE ROW LEVEL SECURITY;
ALTER TABLE deployment_target ENABLE ROW LEVEL SECURITY;
ALTER TABLE deployment_event ENABLE ROW LEVEL SECURITY;
ALTER TABLE attachment ENABLE ROW LEVEL SECURITY;
ALTER TABLE notification ENABLE ROW LEVEL SECURITY;

-- A deployment is read by its issuer's subtree and by every node it reaches (through that node's
-- own target row); only the issuer's subtree writes it.
CREATE POLICY deployment_read ON deployment FOR SELECT USING (
  xgz_in_scope(scope_key) OR EXISTS (SELECT 1 FROM deployment_target t WHERE t.deployment_id = deployment.id AND xgz_in_scope(t.scope_key)));
CREATE POLICY deployment_insert ON deployment FOR INSERT WITH CHECK (xgz_in_scope(scope_key));
CREATE POLICY deployment_update ON deployment FOR UPDATE USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key));

CREATE POLICY deployment_target_scope ON deployment_target USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key));
CREATE POLICY deployment_event_scope ON deployment_event USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key));

-- An attachment is read where its record is: in scope, or on a deployment the caller can read.
CREATE POLICY attachment_read ON attachment FOR SELECT USING (
  xgz_in_scope(scope_key) OR (owner_type = 'deployment' AND EXISTS (SELECT 1 FROM deployment d WHERE d.id = attachment.owner_id)));
CREATE POLICY attachment_insert ON attachment FOR INSERT WITH CHECK (xgz_in_scope(scope_key));
CREATE POLICY attachment_update ON attachment FOR UPDATE USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key));

-- An account reads and marks only its own notifications; a feature may notify accounts in the
-- caller's subtree and up its own line (a reply reaches the issuer above), never a sibling's.
CREATE POLICY notification_read ON notification FOR SELECT USING (user_id::text = current_setting('xgz.user_id', true));
CREATE POLICY notification_mark ON notification FOR UPDATE USING (user_id::text = current_setting('xgz.user_id', true))
  WITH CHECK (user_id::text = current_setting('xgz.user_id', true));
CREATE POLICY notification_insert ON notification FOR INSERT WITH CHECK (xgz_in_scope(scope_key) OR starts_with(xgz_scope(), scope_key));
