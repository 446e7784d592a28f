-- Real extracts in (issue 12): the registration system's own 市场主体类型 is kept as written beside
-- XGZ's kind; an import job remembers the column mapping it ran with; mappings can be saved as
-- named source profiles and reused (web page and `xgz import --profile`).
ALTER TABLE entity ADD COLUMN reg_type text;

-- field → the file's header that feeds it ('' = no column), as chosen on the mapping step.
ALTER TABLE import_job ADD COLUMN mapping jsonb;

CREATE TABLE import_profile (
  id          bigserial PRIMARY KEY,
  kind        text NOT NULL CHECK (kind IN ('registry','annual_report','roster')),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
  mapping     jsonb NOT NULL,
  scope_key   text COLLATE "C" NOT NULL,
  created_by  bigint REFERENCES app_user(id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (scope_key, kind, name)
);
GRANT SELECT, INSERT, UPDATE, DELETE ON import_profile TO xgz_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO xgz_app;
ALTER TABLE import_profile ENABLE ROW LEVEL SECURITY;
CREATE POLICY import_profile_scope ON import_profile USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key));
