-- Honours and instructor assignments counted per scope key and state by statement triggers, as
-- open cases and plaques are (0045), for the dashboard and the instructors page (issue 18). They
-- were counted from the rows on every call, each row through its row-level policies: at the
-- nation of the 1M-entity province bench 12 ms (20,116 assignments) and 6 ms (10,000 honours) of
-- the dashboard's 32 ms of counting, growing with the ledger; the tallies have a row per station.
-- An assignment's state here: in_force (no end date) or ended.
CREATE TABLE honour_tally (
  scope_key  text COLLATE "C" NOT NULL,
  state      text NOT NULL,
  n          integer NOT NULL,
  PRIMARY KEY (scope_key, state)
);
CREATE TABLE instructor_assignment_tally (
  scope_key  text COLLATE "C" NOT NULL,
  state      text NOT NULL,
  n          integer NOT NULL,
  PRIMARY KEY (scope_key, state)
);

DO $$
DECLARE
  tb record;
  v record;
BEGIN
  FOR tb IN SELECT * FROM (VALUES ('honour', 'honour_tally', 'state'),
      ('instructor_assignment', 'instructor_assignment_tally', $s$CASE WHEN end_on IS NULL THEN 'in_force' ELSE 'ended' END$s$)) t(src, tally, state) LOOP
    FOR v IN SELECT * FROM (VALUES
      ('ins', 'INSERT', 'NEW TABLE AS new_rows', format('SELECT 1 AS s, scope_key, %s AS state FROM new_rows', tb.state)),
      ('upd', 'UPDATE', 'OLD TABLE AS old_rows NEW TABLE AS new_rows', format('SELECT -1 AS s, scope_key, %1$s AS state FROM old_rows UNION ALL SELECT 1, scope_key, %1$s FROM new_rows', tb.state)),
      ('del', 'DELETE', 'OLD TABLE AS old_rows', format('SELECT -1 AS s, scope_key, %s AS state FROM old_rows', tb.state))) t(suffix, op, refs, src) LOOP
      EXECUTE format('CREATE FUNCTION xgz_%s_%s() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS %L',
        tb.tally, v.suffix, 'BEGIN ' || xgz_state_tally_sql(tb.tally, v.src) || '; RETURN NULL; END');
      EXECUTE format('CREATE TRIGGER %1$s_%2$s AFTER %3$s ON %4$I REFERENCING %5$s FOR EACH STATEMENT EXECUTE FUNCTION xgz_%1$s_%2$s()',
        tb.tally, v.suffix, v.op, tb.src, v.refs);
    END LOOP;
  END LOOP;
END $$;

-- As in 0045, with the two new tallies.
CREATE OR REPLACE FUNCTION xgz_state_tally_rebuild() RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  DELETE FROM discovery_case_tally;
  INSERT INTO discovery_case_tally (scope_key, state, n) SELECT scope_key, state, count(*) FROM discovery_case GROUP BY 1, 2;
  DELETE FROM sanliang_plaque_tally;
  INSERT INTO sanliang_plaque_tally (scope_key, state, n) SELECT scope_key, state, count(*) FROM sanliang_plaque GROUP BY 1, 2;
  DELETE FROM honour_tally;
  INSERT INTO honour_tally (scope_key, state, n) SELECT scope_key, state, count(*) FROM honour GROUP BY 1, 2;
  DELETE FROM instructor_assignment_tally;
  INSERT INTO instructor_assignment_tally (scope_key, state, n)
  SELECT scope_key, CASE WHEN end_on IS NULL THEN 'in_force' ELSE 'ended' END, count(*) FROM instructor_assignment GROUP BY 1, 2;
  DELETE FROM sanliang_tally;
  DELETE FROM sanliang_member;
  INSERT INTO sanliang_member (member_id, scope_keys)
  SELECT s.member_id, array_agg(DISTINCT s.scope_key::text ORDER BY s.scope_key::text) FROM sanliang s WHERE s.status = 'active' GROUP BY s.member_id;
  INSERT INTO sanliang_tally (scope_key, participants)
  SELECT k, count(*) FROM sanliang_member f CROSS JOIN LATERAL unnest(f.scope_keys) k GROUP BY k;
END $$;
SELECT xgz_state_tally_rebuild();
ANALYZE honour_tally;
ANALYZE instructor_assignment_tally;

GRANT SELECT ON honour_tally, instructor_assignment_tally TO xgz_app;
ALTER TABLE honour_tally ENABLE ROW LEVEL SECURITY;
CREATE POLICY honour_tally_scope ON honour_tally USING (xgz_in_scope(scope_key));
ALTER TABLE instructor_assignment_tally ENABLE ROW LEVEL SECURITY;
CREATE POLICY instructor_assignment_tally_scope ON instructor_assignment_tally USING (xgz_in_scope(scope_key));
-- An instructor's account sees only its own assignments (0031), so not the tally of everyone's:
-- the measure counts its rows instead (sources/instructors.ts).
CREATE POLICY instructor_assignment_tally_bound ON instructor_assignment_tally AS RESTRICTIVE USING (NOT starts_with(xgz_bound(), 'instructor:'));
