-- Party-member roster, discovery links between members and people in entity roles, and the
-- verification cases raised from them.

CREATE TABLE member (
  id                 bigserial PRIMARY KEY,
  person_id          bigint NOT NULL UNIQUE REFERENCES person(id),
  roster_key         text UNIQUE,
  membership         text CHECK (membership IN ('full','probationary')),
  join_date          date,
  org_relation       text,
  org_relation_code  text,
  member_status      text NOT NULL DEFAULT 'normal' CHECK (member_status IN ('normal','mobile','lost','abroad','other')),
  occupation         text,
  workplace          text,
  sources            text[] NOT NULL DEFAULT '{}',
  confidence         text NOT NULL DEFAULT 'declared' CHECK (confidence IN ('confirmed','declared','self_reported')),
  scope_key          text COLLATE "C" NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX member_scope_idx ON member (scope_key);

-- A link says: this roster member is this person in this entity role; with how it was found.
CREATE TABLE member_link (
  id                bigserial PRIMARY KEY,
  member_id         bigint NOT NULL REFERENCES member(id) ON DELETE CASCADE,
  entity_person_id  bigint NOT NULL REFERENCES entity_person(id) ON DELETE CASCADE,
  entity_id         bigint NOT NULL REFERENCES entity(id) ON DELETE CASCADE,
  method            text NOT NULL CHECK (method IN ('exact','probabilistic','staff')),
  score             real NOT NULL,
  levels            jsonb,
  scope_key         text COLLATE "C" NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (member_id, entity_person_id)
);
CREATE INDEX member_link_entity_idx ON member_link (entity_id);

CREATE TABLE discovery_case (
  id             bigserial PRIMARY KEY,
  kind           text NOT NULL CHECK (kind IN ('hidden_member','pocket_member','entity_without_org','declared_not_found')),
  entity_id      bigint NOT NULL REFERENCES entity(id) ON DELETE CASCADE,
  member_id      bigint REFERENCES member(id) ON DELETE CASCADE,
  scope_key      text COLLATE "C" NOT NULL,
  state          text NOT NULL DEFAULT 'open' CHECK (state IN ('open','contacted','confirmed','dismissed','transferred')),
  evidence       jsonb NOT NULL,
  evidence_hash  text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX discovery_case_key_uq ON discovery_case (kind, entity_id, (coalesce(member_id, 0)));
CREATE INDEX discovery_case_scope_idx ON discovery_case (scope_key, state);

CREATE TABLE case_event (
  id          bigserial PRIMARY KEY,
  case_id     bigint NOT NULL REFERENCES discovery_case(id) ON DELETE CASCADE,
  at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor_id    bigint,
  action      text NOT NULL,
  from_state  text,
  to_state    text NOT NULL,
  detail      jsonb,
  scope_key   text COLLATE "C" NOT NULL
);
CREATE INDEX case_event_case_idx ON case_event (case_id, id);

CREATE TABLE discovery_run (
  id           bigserial PRIMARY KEY,
  status       text NOT NULL DEFAULT 'running' CHECK (status IN ('running','done','failed')),
  step         text,
  counts       jsonb NOT NULL DEFAULT '{}',
  error        text,
  scope_key    text COLLATE "C" NOT NULL,
  created_by   bigint REFERENCES app_user(id),
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz
);

ALTER TABLE import_job DROP CONSTRAINT import_job_kind_check;
ALTER TABLE import_job ADD CONSTRAINT import_job_kind_check CHECK (kind IN ('registry','annual_report','roster'));

GRANT SELECT, INSERT, UPDATE ON member TO xgz_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON member_link TO xgz_app;
GRANT SELECT, INSERT, UPDATE ON discovery_case, discovery_run TO xgz_app;
GRANT SELECT, INSERT ON case_event TO xgz_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO xgz_app;

-- The roster is shared with a county or city bureau (scope_key); a station sees the members
-- found in its own entities, and may record what it verified about them.
ALTER TABLE member ENABLE ROW LEVEL SECURITY;
CREATE FUNCTION xgz_member_visible(mid bigint, key text) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT xgz_in_scope(key) OR EXISTS (SELECT 1 FROM member_link l WHERE l.member_id = mid AND xgz_in_scope(l.scope_key))
$$;
CREATE POLICY member_read ON member FOR SELECT USING (xgz_member_visible(id, scope_key));
CREATE POLICY member_insert ON member FOR INSERT WITH CHECK (xgz_in_scope(scope_key));
CREATE POLICY member_update ON member FOR UPDATE USING (xgz_member_visible(id, scope_key)) WITH CHECK (xgz_member_visible(id, scope_key));
-- A person is visible through a role in an entity in scope, or as a member in scope.
DROP POLICY person_via_role ON person;
DROP POLICY person_update_via_role ON person;
CREATE FUNCTION xgz_person_visible(pid bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM entity_person ep WHERE ep.person_id = pid AND xgz_in_scope(ep.scope_key))
      OR EXISTS (SELECT 1 FROM member m WHERE m.person_id = pid AND xgz_member_visible(m.id, m.scope_key))
$$;
CREATE POLICY person_visible ON person FOR SELECT USING (xgz_person_visible(id));
CREATE POLICY person_update_visible ON person FOR UPDATE USING (xgz_person_visible(id));

ALTER TABLE member_link ENABLE ROW LEVEL SECURITY;
CREATE POLICY member_link_scope ON member_link USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key));
ALTER TABLE discovery_case ENABLE ROW LEVEL SECURITY;
CREATE POLICY discovery_case_scope ON discovery_case USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key));
ALTER TABLE case_event ENABLE ROW LEVEL SECURITY;
CREATE POLICY case_event_scope ON case_event USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key));
ALTER TABLE discovery_run ENABLE ROW LEVEL SECURITY;
CREATE POLICY discovery_run_scope ON discovery_run USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key));

INSERT INTO dictionary (kind, code, label, sort_order) VALUES
  ('member_standing','normal','正常',1), ('member_standing','mobile','流动',2), ('member_standing','lost','失联',3), ('member_standing','abroad','出国境',4), ('member_standing','other','其他',5),
  ('case_kind','hidden_member','隐形党员',1), ('case_kind','pocket_member','口袋党员',2), ('case_kind','entity_without_org','有党员未建组织',3), ('case_kind','declared_not_found','申报有党员但未找到',4),
  ('case_state','open','待核实',1), ('case_state','contacted','已联系',2), ('case_state','confirmed','已确认',3), ('case_state','dismissed','已排除',4), ('case_state','transferred','已转接组织关系',5);
