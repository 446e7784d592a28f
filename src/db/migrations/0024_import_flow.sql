-- The import flow around the reader: which sheet of a workbook a job reads, the figures of a job
-- per jurisdiction its rows touch (so every account there sees the job, with its own figures),
-- rejected rows placed where they belong, the changes of kind or name an import made, and the
-- keyword rules a county uses to place entities at a station (remembered for the next import).

ALTER TABLE import_job ADD COLUMN sheet text;

-- A job's rows by the jurisdiction they landed in (accepted: the entity's scope; refused: the
-- county or station the row names when known, else the job's own scope).
CREATE TABLE import_job_area (
  job_id        bigint NOT NULL REFERENCES import_job(id) ON DELETE CASCADE,
  scope_key     text COLLATE "C" NOT NULL,
  rows_accepted integer NOT NULL DEFAULT 0,
  rows_rejected integer NOT NULL DEFAULT 0,
  PRIMARY KEY (job_id, scope_key)
);
CREATE INDEX import_job_area_scope_idx ON import_job_area (scope_key, job_id);
GRANT SELECT, INSERT, UPDATE, DELETE ON import_job_area TO xgz_app;
ALTER TABLE import_job_area ENABLE ROW LEVEL SECURITY;
CREATE POLICY import_job_area_scope ON import_job_area USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key));

-- A job is read by the accounts above its uploader and by those whose subtree its rows touch;
-- it is changed (cancel, progress) only within the uploader's scope.
DROP POLICY import_job_scope ON import_job;
CREATE POLICY import_job_read ON import_job FOR SELECT
  USING (xgz_in_scope(scope_key) OR EXISTS (SELECT 1 FROM import_job_area a WHERE a.job_id = import_job.id AND xgz_in_scope(a.scope_key)));
CREATE POLICY import_job_insert ON import_job FOR INSERT WITH CHECK (xgz_in_scope(scope_key));
CREATE POLICY import_job_update ON import_job FOR UPDATE USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key));

-- A rejected row's jurisdiction (null: the job's own) and, for a row refused as a repeat of an
-- earlier row's key, the key's short hash: the error report marks the row with it, so
-- importing the report again cannot apply the repeat.
ALTER TABLE import_rejection ADD COLUMN scope_key text COLLATE "C";
ALTER TABLE import_rejection ADD COLUMN dup_key text;
DROP POLICY import_rejection_scope ON import_rejection;
CREATE POLICY import_rejection_scope ON import_rejection
  USING (xgz_in_scope(coalesce(scope_key, '~')) OR EXISTS (SELECT 1 FROM import_job j WHERE j.id = job_id AND xgz_in_scope(j.scope_key)))
  WITH CHECK (EXISTS (SELECT 1 FROM import_job j WHERE j.id = job_id AND xgz_in_scope(j.scope_key)));

-- What an import changed about an entity's identity (kind, name): the job's change summary.
CREATE TABLE import_change (
  id         bigserial PRIMARY KEY,
  job_id     bigint NOT NULL REFERENCES import_job(id) ON DELETE CASCADE,
  row_no     integer NOT NULL,
  entity_id  bigint NOT NULL REFERENCES entity(id) ON DELETE CASCADE,
  scope_key  text COLLATE "C" NOT NULL,
  field      text NOT NULL CHECK (field IN ('kind','name')),
  before     text,
  after      text
);
CREATE INDEX import_change_job_idx ON import_change (job_id, row_no);
GRANT SELECT, INSERT ON import_change TO xgz_app;
ALTER TABLE import_change ENABLE ROW LEVEL SECURITY;
CREATE POLICY import_change_scope ON import_change USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key));

-- 待分配基层所: a county's rules "address contains keyword → station", made when staff assign
-- entities in bulk by a road, street or keyword, and applied to entities the next imports leave
-- without a station.
CREATE TABLE station_rule (
  id           bigserial PRIMARY KEY,
  county_code  text NOT NULL REFERENCES jurisdiction(code),
  keyword      text NOT NULL CHECK (length(keyword) BETWEEN 2 AND 40),
  station_code text NOT NULL REFERENCES jurisdiction(code) ON DELETE CASCADE,
  scope_key    text COLLATE "C" NOT NULL,
  created_by   bigint REFERENCES app_user(id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (county_code, keyword)
);
GRANT SELECT, INSERT, UPDATE, DELETE ON station_rule TO xgz_app;
ALTER TABLE station_rule ENABLE ROW LEVEL SECURITY;
CREATE POLICY station_rule_scope ON station_rule USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key));

-- The county's work list reads entities without a station by county.
CREATE INDEX entity_unassigned_idx ON entity (county_code, id) WHERE station_code IS NULL;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO xgz_app;
