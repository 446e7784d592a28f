-- Statistical reports submitted level by level (统计报表 · 逐级上报) and the yearly assessment
-- (年度目标责任考核). Forms are data in code (src/domain/reports/forms.ts); figures are the
-- indicator registry's counts, stored as measured (rates are derived on reading, never stored).

-- ── Reports ────────────────────────────────────────────────────────────────────────────────
-- The working copy of one form, period and jurisdiction: prepared, annotated, submitted, returned.
-- scope_key is the jurisdiction's, so the level above reads its children's reports through its own scope.
CREATE TABLE report (
  id                 bigserial PRIMARY KEY,
  form               text NOT NULL,
  period             text NOT NULL,
  jurisdiction_code  text NOT NULL REFERENCES jurisdiction(code),
  scope_key          text COLLATE "C" NOT NULL,
  state              text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft','submitted','returned')),
  data               jsonb NOT NULL,
  note               text,
  prepared_at        timestamptz NOT NULL DEFAULT now(),
  prepared_by        bigint REFERENCES app_user(id),
  version            integer NOT NULL DEFAULT 0,
  return_reason      text,
  returned_at        timestamptz,
  returned_by        bigint REFERENCES app_user(id),
  CHECK (state <> 'returned' OR return_reason IS NOT NULL),
  CONSTRAINT report_uq UNIQUE (form, period, jurisdiction_code)
);
CREATE INDEX report_scope_idx ON report (scope_key, form, period);

-- Each submission: an immutable version (the trigger below refuses any change or removal).
CREATE TABLE report_version (
  report_id          bigint NOT NULL REFERENCES report(id),
  version            integer NOT NULL CHECK (version > 0),
  form               text NOT NULL,
  period             text NOT NULL,
  jurisdiction_code  text NOT NULL,
  scope_key          text COLLATE "C" NOT NULL,
  data               jsonb NOT NULL,
  note               text,
  checks             jsonb NOT NULL DEFAULT '[]',
  acknowledgement    text,
  submitted_at       timestamptz NOT NULL DEFAULT now(),
  submitted_by       bigint REFERENCES app_user(id),
  submitted_by_name  text NOT NULL,
  PRIMARY KEY (report_id, version)
);
CREATE INDEX report_version_scope_idx ON report_version (scope_key);

-- Returns and submissions as they happened (the report row keeps only the latest return).
CREATE TABLE report_event (
  id          bigserial PRIMARY KEY,
  report_id   bigint NOT NULL REFERENCES report(id),
  action      text NOT NULL CHECK (action IN ('prepare','submit','return')),
  version     integer,
  reason      text,
  at          timestamptz NOT NULL DEFAULT now(),
  by_user     bigint REFERENCES app_user(id),
  by_name     text NOT NULL,
  scope_key   text COLLATE "C" NOT NULL
);
CREATE INDEX report_event_report_idx ON report_event (report_id, id);

CREATE FUNCTION xgz_report_version_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '已上报的报表版本不可修改或删除（报表 %，第 % 版）', OLD.report_id, OLD.version USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE TRIGGER report_version_frozen BEFORE UPDATE OR DELETE ON report_version FOR EACH ROW EXECUTE FUNCTION xgz_report_version_frozen();

-- A submitted report's figures stay those of its latest version until it is returned.
CREATE FUNCTION xgz_report_submitted_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.state = 'submitted' AND NEW.state = 'submitted' AND (NEW.data IS DISTINCT FROM OLD.data OR NEW.note IS DISTINCT FROM OLD.note) THEN
    RAISE EXCEPTION '报表已上报，退回前不能修改' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER report_submitted_frozen BEFORE UPDATE ON report FOR EACH ROW EXECUTE FUNCTION xgz_report_submitted_frozen();

-- ── Yearly assessment ──────────────────────────────────────────────────────────────────────
-- One row per item of a jurisdiction's assessment for a year: a registry indicator with a target,
-- or a manual item (scored by the level above, with its evidence). Set by the level above;
-- scope_key is the assessed jurisdiction's.
CREATE TABLE assessment_item (
  id                 bigserial PRIMARY KEY,
  year               smallint NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  jurisdiction_code  text NOT NULL REFERENCES jurisdiction(code),
  scope_key          text COLLATE "C" NOT NULL,
  kind               text NOT NULL CHECK (kind IN ('indicator','manual')),
  indicator          text,
  target             numeric,
  label              text,
  weight             numeric NOT NULL CHECK (weight > 0 AND weight <= 100),
  manual_score       numeric,
  evidence           text,
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind = 'indicator') = (indicator IS NOT NULL AND target IS NOT NULL AND target > 0)),
  CHECK (kind = 'indicator' OR label IS NOT NULL),
  CHECK (manual_score IS NULL OR (kind = 'manual' AND manual_score >= 0 AND manual_score <= weight))
);
CREATE UNIQUE INDEX assessment_item_indicator_uq ON assessment_item (year, jurisdiction_code, indicator) WHERE kind = 'indicator';
CREATE INDEX assessment_item_scope_idx ON assessment_item (scope_key, year);

-- The training indicator's secretaries, measured by subtree.
CREATE INDEX party_org_officer_secretary_scope_idx ON party_org_officer (scope_key) WHERE role = 'secretary';

GRANT SELECT, INSERT, UPDATE ON report TO xgz_app;
GRANT SELECT, INSERT ON report_version, report_event TO xgz_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON assessment_item TO xgz_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO xgz_app;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['report','report_version','report_event','assessment_item'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %1$s_scope ON %1$I USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key))', t);
  END LOOP;
END $$;
