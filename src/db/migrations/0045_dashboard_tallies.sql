-- Open discovery cases, valid 三亮 plaques and 三亮 participants, counted per scope key by
-- statement triggers (issue 18). The dashboard counted them from the rows on every call: at the
-- nation and a province every open case (an index-only scan of ~360,000 entries at 1,000,000
-- entities), every plaque and a distinct count of the members of every active 三亮 record, a cost
-- that grew with the ledger; the tallies have a row per station (and state).
--
-- Cases and plaques, as the case tallies (0021): each statement moves the counts by the rows it
-- removed (-1) and wrote (+1), keys in order; rows left at zero stay (the figures only sum them).
CREATE TABLE discovery_case_tally (
  scope_key  text COLLATE "C" NOT NULL,
  state      text NOT NULL,
  n          integer NOT NULL,
  PRIMARY KEY (scope_key, state)
);

CREATE TABLE sanliang_plaque_tally (
  scope_key  text COLLATE "C" NOT NULL,
  state      text NOT NULL,
  n          integer NOT NULL,
  PRIMARY KEY (scope_key, state)
);

-- The statement that moves `tally` by the rows `src` selects, each with its sign s.
CREATE FUNCTION xgz_state_tally_sql(tally text, src text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT format($q$
    INSERT INTO %1$I AS t (scope_key, state, n)
    SELECT x.scope_key, x.state, sum(x.s) FROM (%2$s) x
    GROUP BY 1, 2 HAVING sum(x.s) <> 0
    ORDER BY 1, 2
    ON CONFLICT (scope_key, state) DO UPDATE SET n = t.n + excluded.n$q$, tally, src)
$$;

-- One trigger function per table and operation, static SQL with its own transition tables.
-- Runs as its owner: a station's change may move a row it cannot write (a case handed up).
DO $$
DECLARE
  tb record;
  v record;
BEGIN
  FOR tb IN SELECT * FROM (VALUES ('discovery_case', 'discovery_case_tally'), ('sanliang_plaque', 'sanliang_plaque_tally')) t(src, tally) LOOP
    FOR v IN SELECT * FROM (VALUES
      ('ins', 'INSERT', 'NEW TABLE AS new_rows', 'SELECT 1 AS s, scope_key, state FROM new_rows'),
      ('upd', 'UPDATE', 'OLD TABLE AS old_rows NEW TABLE AS new_rows', 'SELECT -1 AS s, scope_key, state FROM old_rows UNION ALL SELECT 1, scope_key, state FROM new_rows'),
      ('del', 'DELETE', 'OLD TABLE AS old_rows', 'SELECT -1 AS s, scope_key, state FROM old_rows')) t(suffix, op, refs, src) LOOP
      EXECUTE format('CREATE FUNCTION xgz_%s_%s() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS %L',
        tb.tally, v.suffix, 'BEGIN ' || xgz_state_tally_sql(tb.tally, v.src) || '; RETURN NULL; END');
      EXECUTE format('CREATE TRIGGER %1$s_%2$s AFTER %3$s ON %4$I REFERENCING %5$s FOR EACH STATEMENT EXECUTE FUNCTION xgz_%1$s_%2$s()',
        tb.tally, v.suffix, v.op, tb.src, v.refs);
    END LOOP;
  END LOOP;
END $$;

-- 三亮 participants are distinct members: one with active records under two scope keys counts once
-- in a node above both. As with the members found (0015, 0026): each member's distinct keys of
-- active records are kept (sanliang_member), the sums per key count the members with a record
-- there (sanliang_tally), and the few members under several keys correct the sums at query time
-- (view sanliang_spread: -1 per key, +1 per member, within each group).
CREATE TABLE sanliang_tally (
  scope_key     text COLLATE "C" PRIMARY KEY,
  participants  integer NOT NULL DEFAULT 0
);
CREATE TABLE sanliang_member (
  member_id   bigint PRIMARY KEY,
  scope_keys  text[] NOT NULL
);
CREATE INDEX sanliang_member_spread_idx ON sanliang_member (member_id) WHERE cardinality(scope_keys) > 1;

-- Recomputes these members' keys and moves the sums by the difference; their rows are created if
-- missing and locked first, so two transactions changing one member's records take turns.
CREATE FUNCTION xgz_sanliang_member_refresh(ids bigint[]) RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF ids IS NULL OR cardinality(ids) = 0 THEN RETURN; END IF;
  INSERT INTO sanliang_member (member_id, scope_keys) SELECT DISTINCT i, '{}'::text[] FROM unnest(ids) i ORDER BY 1 ON CONFLICT DO NOTHING;
  PERFORM 1 FROM sanliang_member f WHERE f.member_id = ANY(ids) ORDER BY f.member_id FOR UPDATE;
  WITH fresh AS (
    SELECT f.member_id, coalesce((SELECT array_agg(DISTINCT s.scope_key::text ORDER BY s.scope_key::text) FROM sanliang s
                                  WHERE s.member_id = f.member_id AND s.status = 'active'), '{}') AS keys, f.scope_keys AS old
    FROM sanliang_member f WHERE f.member_id = ANY(ids)
  ), moved AS (
    INSERT INTO sanliang_tally AS t (scope_key, participants)
    SELECT d.k, sum(d.s)::int FROM (SELECT -1, unnest(old) FROM fresh UNION ALL SELECT 1, unnest(keys) FROM fresh) d(s, k)
    GROUP BY d.k HAVING sum(d.s) <> 0 ORDER BY d.k
    ON CONFLICT (scope_key) DO UPDATE SET participants = t.participants + excluded.participants
  )
  UPDATE sanliang_member f SET scope_keys = fresh.keys FROM fresh WHERE f.member_id = fresh.member_id AND f.scope_keys <> fresh.keys;
END $$;

CREATE FUNCTION xgz_sanliang_member_touch() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  ids bigint[];
BEGIN
  EXECUTE CASE TG_OP WHEN 'INSERT' THEN 'SELECT array_agg(DISTINCT member_id) FROM new_rows'
                     WHEN 'DELETE' THEN 'SELECT array_agg(DISTINCT member_id) FROM old_rows'
                     ELSE 'SELECT array_agg(DISTINCT x) FROM (SELECT member_id AS x FROM new_rows UNION SELECT member_id FROM old_rows) u' END INTO ids;
  PERFORM xgz_sanliang_member_refresh(ids);
  RETURN NULL;
END $$;
CREATE TRIGGER sanliang_tally_ins AFTER INSERT ON sanliang REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_sanliang_member_touch();
CREATE TRIGGER sanliang_tally_upd AFTER UPDATE ON sanliang REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_sanliang_member_touch();
CREATE TRIGGER sanliang_tally_del AFTER DELETE ON sanliang REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_sanliang_member_touch();

-- The members under more than one key, a row per key in the caller's scope (ids and keys only),
-- read as the caller through the view.
CREATE FUNCTION xgz_sanliang_spread() RETURNS TABLE (member_id bigint, scope_key text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT f.member_id, k.scope_key COLLATE "C"
  FROM sanliang_member f CROSS JOIN LATERAL unnest(f.scope_keys) k(scope_key)
  WHERE cardinality(f.scope_keys) > 1 AND xgz_in_scope(k.scope_key)
$$;
CREATE VIEW sanliang_spread WITH (security_invoker = true) AS
  SELECT s.member_id, s.scope_key COLLATE "C" AS scope_key FROM xgz_sanliang_spread() s;

-- Every tally here from the rows (here, and after a bulk load with the triggers off).
CREATE FUNCTION xgz_state_tally_rebuild() RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  DELETE FROM discovery_case_tally;
  INSERT INTO discovery_case_tally (scope_key, state, n) SELECT scope_key, state, count(*) FROM discovery_case GROUP BY 1, 2;
  DELETE FROM sanliang_plaque_tally;
  INSERT INTO sanliang_plaque_tally (scope_key, state, n) SELECT scope_key, state, count(*) FROM sanliang_plaque GROUP BY 1, 2;
  DELETE FROM sanliang_tally;
  DELETE FROM sanliang_member;
  INSERT INTO sanliang_member (member_id, scope_keys)
  SELECT s.member_id, array_agg(DISTINCT s.scope_key::text ORDER BY s.scope_key::text) FROM sanliang s WHERE s.status = 'active' GROUP BY s.member_id;
  INSERT INTO sanliang_tally (scope_key, participants)
  SELECT k, count(*) FROM sanliang_member f CROSS JOIN LATERAL unnest(f.scope_keys) k GROUP BY k;
END $$;
SELECT xgz_state_tally_rebuild();
ANALYZE discovery_case_tally;
ANALYZE sanliang_plaque_tally;
ANALYZE sanliang_tally;
ANALYZE sanliang_member;

REVOKE ALL ON FUNCTION xgz_state_tally_rebuild(), xgz_sanliang_member_refresh(bigint[]), xgz_sanliang_spread() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION xgz_sanliang_spread() TO xgz_app;
GRANT SELECT ON discovery_case_tally, sanliang_plaque_tally, sanliang_tally, sanliang_spread TO xgz_app;
ALTER TABLE sanliang_tally ENABLE ROW LEVEL SECURITY;
CREATE POLICY sanliang_tally_scope ON sanliang_tally USING (xgz_in_scope(scope_key));
-- sanliang_member is read only through the view above and written only by the functions above.
ALTER TABLE sanliang_member ENABLE ROW LEVEL SECURITY;
ALTER TABLE discovery_case_tally ENABLE ROW LEVEL SECURITY;
CREATE POLICY discovery_case_tally_scope ON discovery_case_tally USING (xgz_in_scope(scope_key));
ALTER TABLE sanliang_plaque_tally ENABLE ROW LEVEL SECURITY;
CREATE POLICY sanliang_plaque_tally_scope ON sanliang_plaque_tally USING (xgz_in_scope(scope_key));
