-- Foundation: jurisdiction tree, bureau units, accounts, sessions, audit trail, settings, dictionaries.
-- Scope: every scoped row carries scope_key, the code prefix of the node it hangs on
-- (province '32', city '3201', county '320102', station '320102001', nation '').
-- Requests run as role xgz_app with xgz.scope set; the policies below are the only scope check.

DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'xgz_app') THEN
    CREATE ROLE xgz_app NOLOGIN;
  END IF;
END $$;
DO $$ BEGIN
  EXECUTE format('GRANT xgz_app TO %I', current_user);
EXCEPTION WHEN others THEN NULL; -- already a member, or a superuser that needs no grant
END $$;

CREATE FUNCTION xgz_scope() RETURNS text LANGUAGE sql STABLE AS
$$ SELECT current_setting('xgz.scope', true) $$;

-- True when key lies in the caller's subtree. A range test (not LIKE) so btree indexes on
-- scope_key serve it; '~' sorts after every digit in the C collation.
CREATE FUNCTION xgz_in_scope(key text) RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT key COLLATE "C" >= xgz_scope() AND key COLLATE "C" < (xgz_scope() || '~') COLLATE "C" $$;

CREATE TABLE jurisdiction (
  code          text PRIMARY KEY,
  parent_code   text REFERENCES jurisdiction(code),
  level         text NOT NULL CHECK (level IN ('nation','province','city','county','station')),
  name          text NOT NULL,
  scope_key     text COLLATE "C" NOT NULL UNIQUE,
  address       text,
  served_areas  text[] NOT NULL DEFAULT '{}',
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jurisdiction_parent_idx ON jurisdiction (parent_code);
CREATE UNIQUE INDEX jurisdiction_station_name_uq ON jurisdiction (parent_code, name) WHERE level = 'station';

CREATE TABLE bureau_unit (
  id               bigserial PRIMARY KEY,
  kind             text NOT NULL CHECK (kind IN ('xgz_committee','guidance_post')),
  jurisdiction_code text NOT NULL REFERENCES jurisdiction(code),
  scope_key        text COLLATE "C" NOT NULL,
  name             text NOT NULL,
  founded_on       date,
  leader_name      text,
  staff_count      integer NOT NULL DEFAULT 0 CHECK (staff_count >= 0),
  note             text,
  status           text NOT NULL DEFAULT 'active' CHECK (status IN ('active','dissolved')),
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bureau_unit_scope_idx ON bureau_unit (scope_key);
CREATE UNIQUE INDEX bureau_unit_one_per_node_uq ON bureau_unit (jurisdiction_code, kind) WHERE status = 'active';

CREATE TABLE app_user (
  id                  bigserial PRIMARY KEY,
  username            text NOT NULL UNIQUE,
  display_name        text NOT NULL,
  jurisdiction_code   text NOT NULL REFERENCES jurisdiction(code),
  scope_key           text COLLATE "C" NOT NULL,
  roles               text[] NOT NULL DEFAULT '{}',
  password_hash       text NOT NULL,
  must_change_password boolean NOT NULL DEFAULT true,
  password_changed_at timestamptz,
  totp_secret_enc     text,
  totp_enabled        boolean NOT NULL DEFAULT false,
  failed_logins       integer NOT NULL DEFAULT 0,
  locked_until        timestamptz,
  disabled            boolean NOT NULL DEFAULT false,
  last_login_at       timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX app_user_scope_idx ON app_user (scope_key);

CREATE TABLE user_session (
  id_hash       text PRIMARY KEY,
  user_id       bigint NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
  scope_key     text COLLATE "C" NOT NULL,
  csrf_token    text NOT NULL,
  stage         text NOT NULL CHECK (stage IN ('password_change','totp_enrol','totp','full')),
  totp_pending_enc text,
  ip            text,
  user_agent    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX user_session_user_idx ON user_session (user_id);

CREATE TABLE login_history (
  id          bigserial PRIMARY KEY,
  user_id     bigint REFERENCES app_user(id) ON DELETE CASCADE,
  scope_key   text COLLATE "C" NOT NULL,
  at          timestamptz NOT NULL DEFAULT now(),
  ip          text,
  user_agent  text,
  outcome     text NOT NULL
);
CREATE INDEX login_history_user_idx ON login_history (user_id, at DESC);

-- Append-only, hash-chained. xgz_app may insert and read (policy-limited), never update or delete.
CREATE TABLE audit_log (
  id           bigserial PRIMARY KEY,
  at           timestamptz NOT NULL,
  actor_id     bigint,
  actor_name   text,
  scope_key    text COLLATE "C" NOT NULL,
  ip           text,
  action       text NOT NULL,
  object_type  text,
  object_id    text,
  outcome      text NOT NULL CHECK (outcome IN ('success','failure','denied')),
  detail       jsonb,
  prev_hash    text NOT NULL,
  hash         text NOT NULL
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id);
CREATE INDEX audit_log_scope_idx ON audit_log (scope_key);
-- One row: the chain head. Locking it serializes appends so ids follow chain order.
CREATE TABLE audit_head (
  id         integer PRIMARY KEY CHECK (id = 1),
  last_id    bigint NOT NULL,
  last_hash  text NOT NULL
);
INSERT INTO audit_head VALUES (1, 0, repeat('0', 64));

CREATE TABLE setting (
  key         text PRIMARY KEY,
  value       jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  bigint
);

CREATE TABLE dictionary (
  kind        text NOT NULL,
  code        text NOT NULL,
  label       text NOT NULL,
  sort_order  integer NOT NULL DEFAULT 0,
  PRIMARY KEY (kind, code)
);

-- Privileges of the request role.
GRANT SELECT ON jurisdiction, dictionary, setting, audit_head TO xgz_app;
GRANT INSERT, UPDATE, DELETE ON jurisdiction TO xgz_app;
GRANT SELECT, INSERT, UPDATE ON bureau_unit, app_user TO xgz_app;
GRANT SELECT, DELETE ON user_session TO xgz_app;
GRANT SELECT ON login_history TO xgz_app;
GRANT SELECT, INSERT ON audit_log TO xgz_app;
GRANT UPDATE ON audit_head TO xgz_app;
GRANT INSERT, UPDATE ON setting TO xgz_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO xgz_app;

-- Row-level security: the one scope mechanism.
ALTER TABLE jurisdiction ENABLE ROW LEVEL SECURITY;
CREATE POLICY jurisdiction_read ON jurisdiction FOR SELECT USING (xgz_in_scope(scope_key));
CREATE POLICY jurisdiction_station_insert ON jurisdiction FOR INSERT
  WITH CHECK (level = 'station' AND xgz_in_scope(scope_key) AND scope_key <> xgz_scope());
CREATE POLICY jurisdiction_station_update ON jurisdiction FOR UPDATE
  USING (level = 'station' AND xgz_in_scope(scope_key)) WITH CHECK (level = 'station' AND xgz_in_scope(scope_key));
CREATE POLICY jurisdiction_station_delete ON jurisdiction FOR DELETE
  USING (level = 'station' AND xgz_in_scope(scope_key) AND scope_key <> xgz_scope());

ALTER TABLE bureau_unit ENABLE ROW LEVEL SECURITY;
CREATE POLICY bureau_unit_scope ON bureau_unit USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key));
ALTER TABLE app_user ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_user_scope ON app_user USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key));
ALTER TABLE user_session ENABLE ROW LEVEL SECURITY;
CREATE POLICY user_session_scope ON user_session USING (xgz_in_scope(scope_key));
ALTER TABLE login_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY login_history_scope ON login_history USING (xgz_in_scope(scope_key));
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_log_read ON audit_log FOR SELECT USING (xgz_in_scope(scope_key));
CREATE POLICY audit_log_append ON audit_log FOR INSERT WITH CHECK (true);

-- Code lists served to the UI (later migrations add their own kinds).
INSERT INTO dictionary (kind, code, label, sort_order) VALUES
  ('jurisdiction_level','nation','全国（市场监管总局）',1),
  ('jurisdiction_level','province','省级',2),
  ('jurisdiction_level','city','市级',3),
  ('jurisdiction_level','county','县级',4),
  ('jurisdiction_level','station','基层市场监管所',5),
  ('bureau_unit_kind','xgz_committee','"小个专"党委',1),
  ('bureau_unit_kind','guidance_post','党建工作指导站',2),
  ('entity_kind','enterprise','小微企业',1),
  ('entity_kind','individual','个体工商户',2),
  ('entity_kind','cooperative','农民专业合作社',3),
  ('entity_status','active','存续',1),
  ('entity_status','deregistered','注销',2),
  ('entity_status','revoked','吊销',3),
  ('entity_status','moved_out','迁出',4),
  ('zone_kind','market','专业市场',1),
  ('zone_kind','park','园区',2),
  ('zone_kind','building','楼宇',3),
  ('zone_kind','district','商圈',4),
  ('party_org_kind','committee','党委',1),
  ('party_org_kind','general_branch','党总支',2),
  ('party_org_kind','branch','党支部',3),
  ('party_org_kind','joint_branch','联合党支部',4),
  ('setup_mode','standalone','单独建',1),
  ('setup_mode','joint','联合建',2),
  ('setup_mode','affiliated','挂靠建',3),
  ('setup_mode','industry','依托行业/产业链组建',4),
  ('member_status','full','正式党员',1),
  ('member_status','probationary','预备党员',2),
  ('person_role','legal_rep','法定代表人/经营者',1),
  ('person_role','investor','投资人',2),
  ('person_role','executive','高管',3),
  ('person_role','employee','职工',4),
  ('person_role','liaison','联络员',5),
  ('honor_kind','model_post','党员示范岗',1),
  ('honor_kind','star_operator','党员明星经营户',2),
  ('honor_kind','honest_enterprise','诚信企业',3),
  ('honor_kind','honest_market','诚信示范市场',4);

-- TOTP codes are single-use: the last accepted time step is kept.
ALTER TABLE app_user ADD COLUMN totp_last_step bigint;
