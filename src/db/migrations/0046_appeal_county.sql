-- The case tally (0021) summed per county, for the dashboard above a county (issue 18), as
-- coverage_tally_county (0044) is for the coverage tallies: a row's scope key cut to a county's six
-- characters (a row hanging on a city, a province or the nation keeps its own key), kept by
-- statement triggers on appeal_tally from its transition tables, so the nation and a province sum
-- a row per county, door, category, state and escalation instead of one per station. Rows left at
-- zero stay (the dashboard only sums them; the case figures page still reads appeal_tally).
CREATE TABLE appeal_tally_county (
  scope_key  text COLLATE "C" NOT NULL,
  door       text NOT NULL,
  category   text NOT NULL,
  state      text NOT NULL,
  escalated  boolean NOT NULL,
  n          integer NOT NULL,
  rated      integer NOT NULL,
  stars      integer NOT NULL,
  satisfied  integer NOT NULL,
  PRIMARY KEY (scope_key, door, category, state, escalated)
);

DO $$
DECLARE
  v record;
BEGIN
  FOR v IN SELECT * FROM (VALUES
    ('ins', 'INSERT', 'NEW TABLE AS new_rows', 'SELECT 1 AS s, * FROM new_rows'),
    ('upd', 'UPDATE', 'OLD TABLE AS old_rows NEW TABLE AS new_rows', 'SELECT -1 AS s, * FROM old_rows UNION ALL SELECT 1, * FROM new_rows'),
    ('del', 'DELETE', 'OLD TABLE AS old_rows', 'SELECT -1 AS s, * FROM old_rows')) t(suffix, op, refs, src) LOOP
    EXECUTE format('CREATE FUNCTION xgz_appeal_county_%s() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS %L',
      v.suffix, format($f$BEGIN
    INSERT INTO appeal_tally_county AS t (scope_key, door, category, state, escalated, n, rated, stars, satisfied)
    SELECT left(x.scope_key, 6), x.door, x.category, x.state, x.escalated, sum(x.s * x.n), sum(x.s * x.rated), sum(x.s * x.stars), sum(x.s * x.satisfied)
    FROM (%s) x
    GROUP BY 1, 2, 3, 4, 5
    HAVING sum(x.s * x.n) <> 0 OR sum(x.s * x.rated) <> 0 OR sum(x.s * x.stars) <> 0 OR sum(x.s * x.satisfied) <> 0
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (scope_key, door, category, state, escalated) DO UPDATE SET
      n = t.n + excluded.n, rated = t.rated + excluded.rated, stars = t.stars + excluded.stars, satisfied = t.satisfied + excluded.satisfied;
    RETURN NULL;
  END$f$, v.src));
    EXECUTE format('CREATE TRIGGER appeal_tally_county_%1$s AFTER %2$s ON appeal_tally REFERENCING %3$s FOR EACH STATEMENT EXECUTE FUNCTION xgz_appeal_county_%1$s()', v.suffix, v.op, v.refs);
  END LOOP;
END $$;

-- From appeal_tally (here, and whenever it was written with the triggers off).
CREATE FUNCTION xgz_appeal_county_rebuild() RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  DELETE FROM appeal_tally_county;
  INSERT INTO appeal_tally_county (scope_key, door, category, state, escalated, n, rated, stars, satisfied)
  SELECT left(t.scope_key, 6), t.door, t.category, t.state, t.escalated, sum(t.n), sum(t.rated), sum(t.stars), sum(t.satisfied)
  FROM appeal_tally t GROUP BY 1, 2, 3, 4, 5;
END $$;

-- The case tallies' rebuild (0021's) ends with the county rows' own.
CREATE OR REPLACE FUNCTION xgz_appeal_tally_rebuild() RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  q text;
BEGIN
  DELETE FROM appeal_tally;
  DELETE FROM appeal_step_tally;
  DELETE FROM appeal_due_tally;
  FOREACH q IN ARRAY xgz_appeal_tally_sql('SELECT 1 AS s, * FROM appeal_case') LOOP
    EXECUTE q;
  END LOOP;
  PERFORM xgz_appeal_county_rebuild();
END $$;

SELECT xgz_appeal_county_rebuild();
ANALYZE appeal_tally_county;

REVOKE ALL ON FUNCTION xgz_appeal_county_rebuild() FROM PUBLIC;
GRANT SELECT ON appeal_tally_county TO xgz_app;
ALTER TABLE appeal_tally_county ENABLE ROW LEVEL SECURITY;
CREATE POLICY appeal_tally_county_scope ON appeal_tally_county USING (xgz_in_scope(scope_key));
