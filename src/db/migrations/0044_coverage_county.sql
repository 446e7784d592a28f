-- The coverage tallies summed per county (issue 18). The nation's and a province's coverage and
-- dashboard summed coverage_tally's rows of every station under them (~30,000 rows for the five
-- splits of a 1,248-station province, most of the coverage call's time); these are the same sums
-- with the scope key cut to a county's six characters, so a node above a county reads ~12 times
-- fewer rows. A row hanging on a city, a province or the nation keeps its own (shorter) key, so
-- any node whose key is shorter than a county's finds its own rows, its children's and its
-- subtree's here exactly as in coverage_tally; a county's or a station's figures still read
-- coverage_tally (src/features/coverage/queries.ts, src/features/indicators/measure.ts).
--
-- Kept by statement triggers on coverage_tally itself, from its transition tables: whatever moves
-- a station's tally (the refresh of 0008/0019, the rebuild) moves its county's row by the same
-- difference in the same statement. tally_rows counts the coverage_tally rows summed in a row and
-- the row goes when none is left, so a split lists the very values coverage_tally would list
-- (a value whose figures are all zero still shows while a station's row of it exists).
CREATE TABLE coverage_tally_county (
  scope_key        text COLLATE "C" NOT NULL,
  dim              text NOT NULL,
  value            text NOT NULL,
  operating        integer NOT NULL,
  with_members     integer NOT NULL,
  own_org          integer NOT NULL,
  any_org          integer NOT NULL,
  work             integer NOT NULL,
  members_own_org  integer NOT NULL,
  members_any_org  integer NOT NULL,
  instructor       integer NOT NULL,
  tally_rows       integer NOT NULL,
  PRIMARY KEY (dim, scope_key, value)
);
-- The new entities' months, as coverage_tally_month_idx (0015).
CREATE INDEX coverage_tally_county_month_idx ON coverage_tally_county (dim, value, scope_key);

-- The statements that move the county rows by the coverage_tally rows `src` selects, each with
-- its sign s (-1 for a row a statement removed or replaced, +1 for one it wrote). Keys in the
-- primary key's order, so two statements lock the rows they share in the same order; a row left
-- with no tally row under it goes.
CREATE FUNCTION xgz_coverage_county_sql(src text, removes boolean) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT format($q$
    INSERT INTO coverage_tally_county AS t (dim, scope_key, value, operating, with_members, own_org, any_org, work, members_own_org, members_any_org, instructor, tally_rows)
    SELECT x.dim, left(x.scope_key, 6), x.value, sum(x.s * x.operating), sum(x.s * x.with_members), sum(x.s * x.own_org), sum(x.s * x.any_org),
      sum(x.s * x.work), sum(x.s * x.members_own_org), sum(x.s * x.members_any_org), sum(x.s * x.instructor), sum(x.s)
    FROM (%1$s) x
    GROUP BY 1, 2, 3
    HAVING sum(x.s) <> 0 OR sum(x.s * x.operating) <> 0 OR sum(x.s * x.with_members) <> 0 OR sum(x.s * x.own_org) <> 0 OR sum(x.s * x.any_org) <> 0
      OR sum(x.s * x.work) <> 0 OR sum(x.s * x.members_own_org) <> 0 OR sum(x.s * x.members_any_org) <> 0 OR sum(x.s * x.instructor) <> 0
    ORDER BY 1, 2, 3
    ON CONFLICT (dim, scope_key, value) DO UPDATE SET
      operating = t.operating + excluded.operating, with_members = t.with_members + excluded.with_members,
      own_org = t.own_org + excluded.own_org, any_org = t.any_org + excluded.any_org, work = t.work + excluded.work,
      members_own_org = t.members_own_org + excluded.members_own_org, members_any_org = t.members_any_org + excluded.members_any_org,
      instructor = t.instructor + excluded.instructor, tally_rows = t.tally_rows + excluded.tally_rows$q$, src)
  || CASE WHEN removes THEN format($q$;
    DELETE FROM coverage_tally_county t
    WHERE t.tally_rows = 0 AND (t.dim, t.scope_key, t.value) IN (SELECT x.dim, left(x.scope_key, 6), x.value FROM (%s) x WHERE x.s < 0)$q$, src) ELSE '' END
$$;

-- One trigger function per operation, each written out from the statements above with its own
-- transition tables (static SQL: PL/pgSQL keeps the plans). An INSERT … ON CONFLICT DO UPDATE of
-- coverage_tally (the refresh) fires both: the rows it inserted reach the first, those it updated
-- the second. Runs as its owner, as the refresh does.
DO $$
DECLARE
  v record;
BEGIN
  FOR v IN SELECT * FROM (VALUES
    ('ins', 'INSERT', 'NEW TABLE AS new_rows', 'SELECT 1 AS s, * FROM new_rows', false),
    ('upd', 'UPDATE', 'OLD TABLE AS old_rows NEW TABLE AS new_rows', 'SELECT -1 AS s, * FROM old_rows UNION ALL SELECT 1, * FROM new_rows', true),
    ('del', 'DELETE', 'OLD TABLE AS old_rows', 'SELECT -1 AS s, * FROM old_rows', true)) t(suffix, op, refs, src, removes) LOOP
    EXECUTE format('CREATE FUNCTION xgz_coverage_county_%s() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS %L',
      v.suffix, 'BEGIN ' || xgz_coverage_county_sql(v.src, v.removes) || '; RETURN NULL; END');
    EXECUTE format('CREATE TRIGGER coverage_tally_county_%1$s AFTER %2$s ON coverage_tally REFERENCING %3$s FOR EACH STATEMENT EXECUTE FUNCTION xgz_coverage_county_%1$s()', v.suffix, v.op, v.refs);
  END LOOP;
END $$;

-- The county rows straight from coverage_tally: after the rebuild below, and whenever the tallies
-- were written with the triggers off (a bulk load in replica mode).
CREATE FUNCTION xgz_coverage_county_rebuild() RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  DELETE FROM coverage_tally_county;
  INSERT INTO coverage_tally_county (dim, scope_key, value, operating, with_members, own_org, any_org, work, members_own_org, members_any_org, instructor, tally_rows)
  SELECT t.dim, left(t.scope_key, 6), t.value, sum(t.operating), sum(t.with_members), sum(t.own_org), sum(t.any_org), sum(t.work),
    sum(t.members_own_org), sum(t.members_any_org), sum(t.instructor), count(*)
  FROM coverage_tally t GROUP BY 1, 2, 3;
END $$;

-- The coverage rebuild (0019's) ends with the county rows' own.
CREATE OR REPLACE FUNCTION xgz_coverage_rebuild() RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  DELETE FROM coverage_tally;
  DELETE FROM entity_coverage;
  INSERT INTO entity_coverage SELECT * FROM xgz_coverage_compute(NULL);
  INSERT INTO coverage_tally
  SELECT r.scope_key, r.dim, r.value, count(*), count(*) FILTER (WHERE c.with_members), count(*) FILTER (WHERE c.own_org),
    count(*) FILTER (WHERE c.any_org), count(*) FILTER (WHERE c.work),
    count(*) FILTER (WHERE c.with_members AND c.own_org), count(*) FILTER (WHERE c.with_members AND c.any_org),
    count(*) FILTER (WHERE c.instructor)
  FROM entity_coverage c CROSS JOIN LATERAL xgz_coverage_rows(c) r
  GROUP BY r.dim, r.scope_key, r.value;
  PERFORM xgz_coverage_county_rebuild();
END $$;

SELECT xgz_coverage_county_rebuild();
ANALYZE coverage_tally_county;

REVOKE ALL ON FUNCTION xgz_coverage_county_rebuild() FROM PUBLIC;
GRANT SELECT ON coverage_tally_county TO xgz_app;
ALTER TABLE coverage_tally_county ENABLE ROW LEVEL SECURITY;
CREATE POLICY coverage_tally_county_scope ON coverage_tally_county USING (xgz_in_scope(scope_key));
