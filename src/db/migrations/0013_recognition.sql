-- Recognition and education: contact and demonstration points (联系点、示范点) with yearly
-- reviews, honours (荣誉) with their workflow and review flags, serious violations staff record on
-- entities, education campaigns (学习教育) and secretary training (书记培训).

-- ── Contact and demonstration points ───────────────────────────────────────────────────────
-- A designation of one entity, organization or zone (a market included) at a level. scope_key
-- is the subject's, so the station the subject belongs to sees it and the counts roll up by area.
CREATE TABLE recognition_point (
  id                  bigserial PRIMARY KEY,
  kind                text NOT NULL CHECK (kind IN ('contact','demo')),
  level               text NOT NULL CHECK (level IN ('province','city','county')),
  subject_type        text NOT NULL CHECK (subject_type IN ('entity','org','zone')),
  entity_id           bigint REFERENCES entity(id) ON DELETE CASCADE,
  org_id              bigint REFERENCES party_org(id) ON DELETE CASCADE,
  zone_id             bigint REFERENCES zone(id) ON DELETE CASCADE,
  subject_name        text NOT NULL,
  designated_on       date NOT NULL,
  responsible_name    text,
  responsible_user_id bigint REFERENCES app_user(id),
  criteria            text[] NOT NULL DEFAULT '{}',
  evidence            text,
  status              text NOT NULL DEFAULT 'active' CHECK (status IN ('active','revoked')),
  revoked_on          date,
  revoke_reason       text,
  scope_key           text COLLATE "C" NOT NULL,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  CHECK ((subject_type = 'entity') = (entity_id IS NOT NULL) AND (subject_type = 'org') = (org_id IS NOT NULL) AND (subject_type = 'zone') = (zone_id IS NOT NULL)),
  CHECK (responsible_name IS NOT NULL OR responsible_user_id IS NOT NULL),
  CHECK (status <> 'revoked' OR (revoked_on IS NOT NULL AND revoke_reason IS NOT NULL))
);
CREATE INDEX recognition_point_scope_idx ON recognition_point (scope_key, id);
-- One standing designation of a kind per subject and level.
CREATE UNIQUE INDEX recognition_point_active_uq ON recognition_point (kind, level, subject_type, coalesce(entity_id, org_id, zone_id)) WHERE status = 'active';

-- The yearly review: keep or revoke (with a reason), one per point and year.
CREATE TABLE point_review (
  id           bigserial PRIMARY KEY,
  point_id     bigint NOT NULL REFERENCES recognition_point(id) ON DELETE CASCADE,
  year         smallint NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  outcome      text NOT NULL CHECK (outcome IN ('keep','revoke')),
  reason       text,
  reviewed_on  date NOT NULL,
  reviewer_id  bigint REFERENCES app_user(id),
  scope_key    text COLLATE "C" NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  CHECK (outcome <> 'revoke' OR reason IS NOT NULL),
  CONSTRAINT point_review_year_uq UNIQUE (point_id, year)
);

-- ── Serious violations staff record on entities (they flag the entity's honours) ───────────
CREATE TABLE entity_violation (
  id           bigserial PRIMARY KEY,
  entity_id    bigint NOT NULL REFERENCES entity(id) ON DELETE CASCADE,
  occurred_on  date NOT NULL,
  description  text NOT NULL,
  recorded_by  bigint REFERENCES app_user(id),
  scope_key    text COLLATE "C" NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX entity_violation_entity_idx ON entity_violation (entity_id);

-- ── Honours ────────────────────────────────────────────────────────────────────────────────
-- kind is a code of the configurable dictionary kind 'honor_kind'. The subject is an entity (a
-- member in it for the member kinds) or a market zone. The state machine is src/domain/recognition/honours.ts.
CREATE TABLE honour (
  id               bigserial PRIMARY KEY,
  kind             text NOT NULL,
  entity_id        bigint REFERENCES entity(id) ON DELETE CASCADE,
  zone_id          bigint REFERENCES zone(id) ON DELETE CASCADE,
  member_id        bigint REFERENCES member(id) ON DELETE SET NULL,
  subject_name     text NOT NULL,
  state            text NOT NULL DEFAULT 'nominated' CHECK (state IN ('nominated','approved','rejected','awarded','revoked')),
  nominated_on     date NOT NULL,
  nomination_note  text,
  review_note      text,
  level            text CHECK (level IN ('nation','province','city','county')),
  year             smallint CHECK (year BETWEEN 2000 AND 2100),
  awarded_on       date,
  revoked_on       date,
  revoke_reason    text,
  flagged_at       timestamptz,
  flag_reason      text,
  scope_key        text COLLATE "C" NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CHECK (entity_id IS NOT NULL OR zone_id IS NOT NULL),
  CHECK (state NOT IN ('awarded','revoked') OR (level IS NOT NULL AND year IS NOT NULL AND awarded_on IS NOT NULL)),
  CHECK (state <> 'revoked' OR revoke_reason IS NOT NULL)
);
CREATE INDEX honour_scope_idx ON honour (scope_key, id);
CREATE INDEX honour_entity_idx ON honour (entity_id);

-- Why an entity's honours need review now, or NULL: its registration is no longer good, or staff
-- recorded a serious violation. The one definition the triggers below use.
CREATE FUNCTION xgz_honour_flag_reason(eid bigint) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT coalesce(
    (SELECT CASE e.status WHEN 'deregistered' THEN '主体已注销' WHEN 'revoked' THEN '主体已被吊销营业执照' END FROM entity e WHERE e.id = eid),
    (SELECT '记录有严重违法违规行为：' || v.description FROM entity_violation v WHERE v.entity_id = eid ORDER BY v.occurred_on DESC, v.id DESC LIMIT 1))
$$;

-- Flags the live honours (not rejected or revoked, not already flagged) of these entities.
-- Runs as its owner: an import or a station's change may reach honours above its scope.
CREATE FUNCTION xgz_honour_flag(ids bigint[]) RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
  UPDATE honour h SET flagged_at = now(), flag_reason = xgz_honour_flag_reason(h.entity_id), updated_at = now()
  WHERE h.entity_id = ANY(ids) AND h.state IN ('nominated','approved','awarded') AND h.flagged_at IS NULL
    AND xgz_honour_flag_reason(h.entity_id) IS NOT NULL
$$;

CREATE FUNCTION xgz_honour_flag_on_entity() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  PERFORM xgz_honour_flag(ARRAY(SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE n.status IN ('deregistered','revoked') AND n.status IS DISTINCT FROM o.status));
  RETURN NULL;
END $$;
-- Statement-level: a bulk import that changes thousands of statuses flags in one statement.
CREATE TRIGGER entity_honour_flag AFTER UPDATE ON entity REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_honour_flag_on_entity();

CREATE FUNCTION xgz_honour_flag_on_violation() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  PERFORM xgz_honour_flag(ARRAY(SELECT DISTINCT entity_id FROM new_rows));
  RETURN NULL;
END $$;
CREATE TRIGGER entity_violation_honour_flag AFTER INSERT ON entity_violation REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_honour_flag_on_violation();

-- Both see every entity: only the triggers (running as the owner) may call them, not a request.
REVOKE ALL ON FUNCTION xgz_honour_flag_reason(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION xgz_honour_flag(bigint[]) FROM PUBLIC;

-- A nomination of an entity already in bad standing starts flagged.
CREATE FUNCTION xgz_honour_flag_on_insert() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF NEW.entity_id IS NOT NULL AND NEW.flagged_at IS NULL THEN
    NEW.flag_reason := xgz_honour_flag_reason(NEW.entity_id);
    IF NEW.flag_reason IS NOT NULL THEN NEW.flagged_at := now(); END IF;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER honour_flag_on_insert BEFORE INSERT ON honour FOR EACH ROW EXECUTE FUNCTION xgz_honour_flag_on_insert();

-- ── Education campaigns ────────────────────────────────────────────────────────────────────
-- A campaign hangs on the node that runs it; the nodes below see it (to take part) but change
-- only what is theirs: the participating organizations and activities carry their own scope key.
CREATE TABLE campaign (
  id                 bigserial PRIMARY KEY,
  name               text NOT NULL,
  theme              text NOT NULL CHECK (theme IN ('party_history','theme_education','yearly_theme','other')),
  starts_on          date NOT NULL,
  ends_on            date NOT NULL,
  description        text,
  jurisdiction_code  text NOT NULL REFERENCES jurisdiction(code),
  scope_key          text COLLATE "C" NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_on >= starts_on),
  CONSTRAINT campaign_name_uq UNIQUE (jurisdiction_code, name)
);
CREATE INDEX campaign_scope_idx ON campaign (scope_key);

CREATE TABLE campaign_org (
  campaign_id  bigint NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,
  org_id       bigint NOT NULL REFERENCES party_org(id) ON DELETE CASCADE,
  members      integer NOT NULL CHECK (members >= 0),
  scope_key    text COLLATE "C" NOT NULL,
  PRIMARY KEY (campaign_id, org_id)
);
CREATE INDEX campaign_org_org_idx ON campaign_org (org_id);

CREATE TABLE campaign_activity (
  id            bigserial PRIMARY KEY,
  campaign_id   bigint NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,
  org_id        bigint REFERENCES party_org(id) ON DELETE SET NULL,
  held_on       date NOT NULL,
  title         text NOT NULL,
  participants  integer NOT NULL CHECK (participants >= 0),
  note          text,
  scope_key     text COLLATE "C" NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX campaign_activity_campaign_idx ON campaign_activity (campaign_id, held_on);

-- ── Secretary training ─────────────────────────────────────────────────────────────────────
CREATE TABLE training_class (
  id                 bigserial PRIMARY KEY,
  name               text NOT NULL,
  level              text NOT NULL CHECK (level IN ('nation','province','city','county')),
  starts_on          date NOT NULL,
  ends_on            date NOT NULL,
  place              text,
  jurisdiction_code  text NOT NULL REFERENCES jurisdiction(code),
  scope_key          text COLLATE "C" NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_on >= starts_on),
  CONSTRAINT training_class_name_uq UNIQUE (jurisdiction_code, name)
);
CREATE INDEX training_class_scope_idx ON training_class (scope_key);

-- A trainee is a secretary appointment (party_org_officer, role secretary); scope_key is the organization's.
CREATE TABLE training_trainee (
  id          bigserial PRIMARY KEY,
  class_id    bigint NOT NULL REFERENCES training_class(id) ON DELETE CASCADE,
  officer_id  bigint NOT NULL REFERENCES party_org_officer(id) ON DELETE CASCADE,
  attended    boolean NOT NULL DEFAULT false,
  completed   boolean NOT NULL DEFAULT false,
  scope_key   text COLLATE "C" NOT NULL,
  CHECK (attended OR NOT completed),
  CONSTRAINT training_trainee_uq UNIQUE (class_id, officer_id)
);
CREATE INDEX training_trainee_officer_idx ON training_trainee (officer_id);

-- Configurable checklists and the campaign themes, as code lists.
INSERT INTO dictionary (kind, code, label, sort_order) VALUES
  ('contact_point_criterion','org_sound','党组织健全、班子齐备',1),
  ('contact_point_criterion','activities','组织生活正常、活动经常',2),
  ('contact_point_criterion','ledger','党建台账规范',3),
  ('contact_point_criterion','lawful','依法诚信经营、无严重违法记录',4),
  ('demo_point_criterion','model_role','党员先锋模范作用突出',1),
  ('demo_point_criterion','integration','党建与经营发展深度融合、成效明显',2),
  ('demo_point_criterion','influence','在行业或区域内有示范带动作用',3),
  ('campaign_theme','party_history','党史学习教育',1),
  ('campaign_theme','theme_education','主题教育',2),
  ('campaign_theme','yearly_theme','年度主题活动',3),
  ('campaign_theme','other','其他',4);

CREATE TRIGGER recognition_point_history AFTER INSERT OR UPDATE OR DELETE ON recognition_point FOR EACH ROW EXECUTE FUNCTION xgz_history();
CREATE TRIGGER point_review_history AFTER INSERT OR DELETE ON point_review FOR EACH ROW EXECUTE FUNCTION xgz_history();
CREATE TRIGGER honour_history AFTER INSERT OR UPDATE OR DELETE ON honour FOR EACH ROW EXECUTE FUNCTION xgz_history();
CREATE TRIGGER entity_violation_history AFTER INSERT OR DELETE ON entity_violation FOR EACH ROW EXECUTE FUNCTION xgz_history();
CREATE TRIGGER training_trainee_history AFTER INSERT OR UPDATE OR DELETE ON training_trainee FOR EACH ROW EXECUTE FUNCTION xgz_history();

GRANT SELECT, INSERT, UPDATE, DELETE ON recognition_point, point_review, entity_violation, honour, campaign, campaign_org, campaign_activity, training_class, training_trainee TO xgz_app;
-- The configurable lists are edited through one route (features/recognition/lists.ts), by the top node's rules duty.
GRANT INSERT, UPDATE, DELETE ON dictionary TO xgz_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO xgz_app;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['recognition_point','point_review','entity_violation','honour','campaign_org','campaign_activity','training_trainee'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %1$s_scope ON %1$I USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key))', t);
  END LOOP;
  -- Campaigns and classes: those below the organizing node read them too (to take part); only the subtree of the organizer writes.
  FOREACH t IN ARRAY ARRAY['campaign','training_class'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %1$s_read ON %1$I FOR SELECT USING (xgz_in_scope(scope_key) OR starts_with(xgz_scope(), scope_key))', t);
    EXECUTE format('CREATE POLICY %1$s_write ON %1$I FOR INSERT WITH CHECK (xgz_in_scope(scope_key))', t);
    EXECUTE format('CREATE POLICY %1$s_update ON %1$I FOR UPDATE USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key))', t);
    EXECUTE format('CREATE POLICY %1$s_delete ON %1$I FOR DELETE USING (xgz_in_scope(scope_key))', t);
  END LOOP;
END $$;
