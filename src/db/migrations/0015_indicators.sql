-- Monthly snapshots of every indicator (src/domain/indicators/registry.ts) per jurisdiction node:
-- the counts as measured at taken_at; rates are derived from them, never stored. One row per node
-- and month: a snapshot taken again within the month replaces that month's row (the month's latest
-- state), earlier months stay as history.
CREATE TABLE indicator_snapshot (
  jurisdiction_code  text NOT NULL REFERENCES jurisdiction(code) ON DELETE CASCADE,
  scope_key          text COLLATE "C" NOT NULL,
  period             text NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  counts             jsonb NOT NULL,
  taken_at           timestamptz NOT NULL DEFAULT now(),
  trigger            text NOT NULL CHECK (trigger IN ('schedule','demand')),
  taken_by           bigint REFERENCES app_user(id),
  PRIMARY KEY (scope_key, period)
);

-- Members found are counted per scope key of their links: an index-only range scan instead of a
-- pass over every link.
CREATE INDEX member_link_scope_idx ON member_link (scope_key, member_id);

-- The roster's scope keys in the caller's scope, for counting members on the roster. member's own
-- policy (xgz_member_visible: in scope, or linked to an entity in scope) is a function call per
-- row that the planner cannot inline; for rows whose own key is in scope it is always true, so
-- this view (run as its owner) applies only that half, and exposes nothing but the keys.
CREATE VIEW member_scope AS SELECT m.scope_key FROM member m WHERE xgz_in_scope(m.scope_key);

GRANT SELECT, INSERT, UPDATE, DELETE ON indicator_snapshot TO xgz_app;
GRANT SELECT ON member_scope TO xgz_app;
ALTER TABLE indicator_snapshot ENABLE ROW LEVEL SECURITY;
CREATE POLICY indicator_snapshot_scope ON indicator_snapshot USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key));
