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

-- New entities are the coverage tally's last twelve months: an index that starts at the month, so
-- the older months (most of the tally's rows) are not read.
CREATE INDEX coverage_tally_month_idx ON coverage_tally (dim, value, scope_key);

-- ── Members on the roster and members found, tallied per scope key ──────────────────────────
-- Counting them from the rows at every dashboard call reads every roster row and every link in the
-- subtree (a national call: all of them). As with the coverage tallies (0008), statement triggers
-- keep sums per scope key instead; the dashboard's consistency test holds them equal to a count
-- from the rows. "Found" is distinct: a member linked to entities under two scope keys counts once
-- in a node above both, so each member's distinct link keys are kept (member_found), and the few
-- members spread over several keys correct the sums at query time (view member_found_spread).
CREATE TABLE member_tally (
  scope_key  text COLLATE "C" PRIMARY KEY,
  on_roster  integer NOT NULL DEFAULT 0,
  found      integer NOT NULL DEFAULT 0
);

CREATE TABLE member_found (
  member_id   bigint PRIMARY KEY,
  scope_keys  text[] NOT NULL
);
CREATE INDEX member_found_spread_idx ON member_found (member_id) WHERE cardinality(scope_keys) > 1;

-- Roster rows added, removed or moved: the sums move by the difference.
CREATE FUNCTION xgz_member_tally_roster() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  EXECUTE format($q$
    INSERT INTO member_tally AS t (scope_key, on_roster)
    SELECT d.k, sum(d.s)::int FROM (%s) d(s, k) GROUP BY d.k HAVING sum(d.s) <> 0 ORDER BY d.k
    ON CONFLICT (scope_key) DO UPDATE SET on_roster = t.on_roster + excluded.on_roster$q$,
    CASE TG_OP WHEN 'INSERT' THEN 'SELECT 1, scope_key FROM new_rows'
               WHEN 'DELETE' THEN 'SELECT -1, scope_key FROM old_rows'
               ELSE 'SELECT 1, scope_key FROM new_rows UNION ALL SELECT -1, scope_key FROM old_rows' END);
  RETURN NULL;
END $$;
CREATE TRIGGER member_tally_ins AFTER INSERT ON member REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_member_tally_roster();
CREATE TRIGGER member_tally_upd AFTER UPDATE ON member REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_member_tally_roster();
CREATE TRIGGER member_tally_del AFTER DELETE ON member REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_member_tally_roster();

-- Recomputes these members' link keys and moves the found sums by the difference. Their
-- member_found rows are created if missing and locked first, so two transactions changing one
-- member's links take turns (the second reads the keys the first wrote).
CREATE FUNCTION xgz_member_found_refresh(ids bigint[]) RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF ids IS NULL OR cardinality(ids) = 0 THEN RETURN; END IF;
  INSERT INTO member_found (member_id, scope_keys) SELECT DISTINCT i, '{}'::text[] FROM unnest(ids) i ORDER BY 1 ON CONFLICT DO NOTHING;
  PERFORM 1 FROM member_found f WHERE f.member_id = ANY(ids) ORDER BY f.member_id FOR UPDATE;
  WITH fresh AS (
    SELECT f.member_id, coalesce((SELECT array_agg(DISTINCT l.scope_key::text ORDER BY l.scope_key::text) FROM member_link l WHERE l.member_id = f.member_id), '{}') AS keys, f.scope_keys AS old
    FROM member_found f WHERE f.member_id = ANY(ids)
  ), moved AS (
    INSERT INTO member_tally AS t (scope_key, found)
    SELECT d.k, sum(d.s)::int FROM (SELECT -1, unnest(old) FROM fresh UNION ALL SELECT 1, unnest(keys) FROM fresh) d(s, k)
    GROUP BY d.k HAVING sum(d.s) <> 0 ORDER BY d.k
    ON CONFLICT (scope_key) DO UPDATE SET found = t.found + excluded.found
  )
  UPDATE member_found f SET scope_keys = fresh.keys FROM fresh WHERE f.member_id = fresh.member_id AND f.scope_keys <> fresh.keys;
END $$;

CREATE FUNCTION xgz_member_found_touch() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  ids bigint[];
BEGIN
  EXECUTE CASE TG_OP WHEN 'INSERT' THEN 'SELECT array_agg(DISTINCT member_id) FROM new_rows'
                     WHEN 'DELETE' THEN 'SELECT array_agg(DISTINCT member_id) FROM old_rows'
                     ELSE 'SELECT array_agg(DISTINCT x) FROM (SELECT member_id AS x FROM new_rows UNION SELECT member_id FROM old_rows) u' END INTO ids;
  PERFORM xgz_member_found_refresh(ids);
  RETURN NULL;
END $$;
CREATE TRIGGER member_link_found_ins AFTER INSERT ON member_link REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_member_found_touch();
CREATE TRIGGER member_link_found_upd AFTER UPDATE ON member_link REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_member_found_touch();
CREATE TRIGGER member_link_found_del AFTER DELETE ON member_link REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_member_found_touch();

-- Rebuilds both from the rows (after a bulk load with triggers off, and here for existing data).
CREATE FUNCTION xgz_member_tally_rebuild() RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  DELETE FROM member_tally;
  DELETE FROM member_found;
  INSERT INTO member_found (member_id, scope_keys)
  SELECT l.member_id, array_agg(DISTINCT l.scope_key::text ORDER BY l.scope_key::text) FROM member_link l GROUP BY l.member_id;
  INSERT INTO member_tally (scope_key, on_roster, found)
  SELECT k, sum(r)::int, sum(n)::int FROM (
    SELECT m.scope_key::text, 1, 0 FROM member m
    UNION ALL SELECT unnest(f.scope_keys), 0, 1 FROM member_found f
  ) d(k, r, n) GROUP BY k;
END $$;
SELECT xgz_member_tally_rebuild();

-- The members found under more than one scope key, one row per key in the caller's scope: what
-- corrects the per-key sums into distinct counts (run as its owner; it shows ids and keys only).
CREATE VIEW member_found_spread AS
  SELECT f.member_id, k.scope_key COLLATE "C" AS scope_key
  FROM member_found f CROSS JOIN LATERAL unnest(f.scope_keys) k(scope_key)
  WHERE cardinality(f.scope_keys) > 1 AND xgz_in_scope(k.scope_key);

GRANT SELECT, INSERT, UPDATE, DELETE ON indicator_snapshot TO xgz_app;
GRANT SELECT ON member_tally, member_found_spread TO xgz_app;
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['indicator_snapshot', 'member_tally'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %1$s_scope ON %1$I USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key))', t);
  END LOOP;
END $$;
-- member_found is read only through the view above and written only by the functions above.
ALTER TABLE member_found ENABLE ROW LEVEL SECURITY;
