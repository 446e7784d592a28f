-- Statement triggers read their transition tables (new_rows, old_rows) in statements of their
-- own, never in a statement that also reads or writes a table. On Citus a query over a Citus
-- local, reference or distributed table is planned by Citus, which cannot deparse a transition
-- table ("unrecognized RTE kind: 7") nor hand one to another node ("could not find named
-- tuplestore"); a query over the transition tables alone is plain PostgreSQL everywhere. So each
-- trigger first copies what it needs into PL/pgSQL arrays (a statement that reads only the
-- transition table) and then writes from unnest(array), a function scan Citus deparses.
-- On PostgreSQL and PGlite the rows are copied once more in memory, no temporary table (no
-- catalog churn, nothing left between a pooled session's transactions); see bench/README.md.
-- The triggers that only collect ids from their transition tables (xgz_coverage_touch,
-- xgz_member_found_touch, xgz_sanliang_member_touch, xgz_honour_flag_on_violation,
-- xgz_coverage_touch_with_members) did so already and are unchanged.

-- The staging, once for every generated trigger: `news`/`olds` hold the statement's rows as the
-- table's row type; `body` reads them through xgz_signed_rows.
CREATE FUNCTION xgz_staged_trigger(tbl text, op text, body text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT format('DECLARE %s%s BEGIN %s; RETURN NULL; END',
    CASE WHEN op <> 'DELETE' THEN format('news %1$I[] := ARRAY(SELECT r::%1$I FROM new_rows r); ', tbl) ELSE '' END,
    CASE WHEN op <> 'INSERT' THEN format('olds %1$I[] := ARRAY(SELECT r::%1$I FROM old_rows r); ', tbl) ELSE '' END,
    body)
$$;

-- The rows a statement removed (s = -1) and wrote (s = 1), with `cols` of each.
CREATE FUNCTION xgz_signed_rows(op text, cols text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE op
    WHEN 'INSERT' THEN format('SELECT 1 AS s, %s FROM unnest(news)', cols)
    WHEN 'DELETE' THEN format('SELECT -1 AS s, %s FROM unnest(olds)', cols)
    ELSE format('SELECT -1 AS s, %1$s FROM unnest(olds) UNION ALL SELECT 1, %1$s FROM unnest(news)', cols) END
$$;

-- The generated tallies (0021, 0044, 0045, 0046, 0050), each from the generator it was made by,
-- still static SQL (PL/pgSQL keeps the plans). Same names, so the triggers stand as they are.
CREATE FUNCTION xgz_appeal_county_sql(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT format($q$
    INSERT INTO appeal_tally_county AS t (scope_key, door, category, state, escalated, n, rated, stars, satisfied)
    SELECT left(x.scope_key, 6), x.door, x.category, x.state, x.escalated, sum(x.s * x.n), sum(x.s * x.rated), sum(x.s * x.stars), sum(x.s * x.satisfied)
    FROM (%s) x
    GROUP BY 1, 2, 3, 4, 5
    HAVING sum(x.s * x.n) <> 0 OR sum(x.s * x.rated) <> 0 OR sum(x.s * x.stars) <> 0 OR sum(x.s * x.satisfied) <> 0
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (scope_key, door, category, state, escalated) DO UPDATE SET
      n = t.n + excluded.n, rated = t.rated + excluded.rated, stars = t.stars + excluded.stars, satisfied = t.satisfied + excluded.satisfied$q$, src)
$$;

DO $$
DECLARE
  v record;
  tb record;
  body text;
BEGIN
  FOR v IN SELECT * FROM (VALUES ('ins', 'INSERT'), ('upd', 'UPDATE'), ('del', 'DELETE')) t(suffix, op) LOOP
    FOR tb IN SELECT * FROM (VALUES
        ('appeal_case', 'appeal_tally', '*'),
        ('appeal_tally', 'appeal_county', '*'),
        ('coverage_tally', 'coverage_county', '*'),
        ('discovery_case', 'discovery_case_tally', 'scope_key, state'),
        ('sanliang_plaque', 'sanliang_plaque_tally', 'scope_key, state'),
        ('honour', 'honour_tally', 'scope_key, state'),
        ('instructor_assignment', 'instructor_assignment_tally', $s$scope_key, CASE WHEN end_on IS NULL THEN 'in_force' ELSE 'ended' END AS state$s$)
      ) t(src, fn, cols) LOOP
      body := CASE tb.fn
        WHEN 'appeal_tally' THEN array_to_string(xgz_appeal_tally_sql(xgz_signed_rows(v.op, tb.cols)), '; ')
        WHEN 'appeal_county' THEN xgz_appeal_county_sql(xgz_signed_rows(v.op, tb.cols))
        WHEN 'coverage_county' THEN xgz_coverage_county_sql(xgz_signed_rows(v.op, tb.cols), v.op <> 'INSERT')
        ELSE xgz_state_tally_sql(tb.fn, xgz_signed_rows(v.op, tb.cols)) END;
      EXECUTE format('CREATE OR REPLACE FUNCTION xgz_%s_%s() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS %L',
        tb.fn, v.suffix, xgz_staged_trigger(tb.src, v.op, body));
    END LOOP;
  END LOOP;
END $$;

-- The hand-written ones: what each needs of its rows first, then the statement over the tables.
CREATE OR REPLACE FUNCTION xgz_coverage_touch_org() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  orgs bigint[] := ARRAY(SELECT id FROM new_rows UNION SELECT id FROM old_rows);
BEGIN
  PERFORM xgz_coverage_refresh((SELECT array_agg(DISTINCT pe.entity_id) FROM party_org_entity pe WHERE pe.org_id = ANY (orgs)));
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION xgz_coverage_touch_assignment() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  src text := CASE TG_OP WHEN 'INSERT' THEN 'SELECT * FROM new_rows' WHEN 'DELETE' THEN 'SELECT * FROM old_rows'
                         ELSE 'SELECT * FROM new_rows UNION ALL SELECT * FROM old_rows' END;
  entities bigint[];
  zones bigint[];
  orgs bigint[];
  ids bigint[];
BEGIN
  EXECUTE format('SELECT array_agg(c.entity_id), array_agg(c.zone_id), array_agg(c.org_id) FROM (%s) c', src) INTO entities, zones, orgs;
  SELECT array_agg(DISTINCT x) INTO ids FROM (
    SELECT x FROM unnest(entities) x WHERE x IS NOT NULL
    UNION SELECT ez.entity_id FROM entity_zone ez WHERE ez.zone_id = ANY (zones)
    UNION SELECT pe.entity_id FROM party_org_entity pe WHERE pe.org_id = ANY (orgs)) u;
  PERFORM xgz_coverage_refresh(ids);
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION xgz_member_tally_roster() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  keys text[];
  moves int[];
BEGIN
  EXECUTE format($q$SELECT array_agg(d.k ORDER BY d.k), array_agg(d.n ORDER BY d.k)
    FROM (SELECT d.k, sum(d.s)::int AS n FROM (%s) d(s, k) GROUP BY d.k HAVING sum(d.s) <> 0) d$q$,
    CASE TG_OP WHEN 'INSERT' THEN 'SELECT 1, scope_key FROM new_rows WHERE xgz_member_on_roll(member_status)'
               WHEN 'DELETE' THEN 'SELECT -1, scope_key FROM old_rows WHERE xgz_member_on_roll(member_status)'
               ELSE 'SELECT 1, scope_key FROM new_rows WHERE xgz_member_on_roll(member_status) UNION ALL SELECT -1, scope_key FROM old_rows WHERE xgz_member_on_roll(member_status)' END)
    INTO keys, moves;
  INSERT INTO member_tally AS t (scope_key, on_roster)
  SELECT d.k, d.n FROM unnest(keys, moves) d(k, n) ORDER BY d.k
  ON CONFLICT (scope_key) DO UPDATE SET on_roster = t.on_roster + excluded.on_roster;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION xgz_log_change() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_catalog AS $$
DECLARE
  ids bigint[];
  ops text[];
  keys text[];
BEGIN
  EXECUTE 'SELECT array_agg(x.id ORDER BY x.id), array_agg(x.op ORDER BY x.id), array_agg(x.scope_key ORDER BY x.id) FROM ('
    || CASE TG_OP
         WHEN 'INSERT' THEN 'SELECT id, ''insert'' AS op, scope_key FROM new_rows'
         WHEN 'DELETE' THEN 'SELECT id, ''delete'' AS op, scope_key FROM old_rows'
         ELSE 'SELECT n.id, ''update'' AS op, n.scope_key FROM new_rows n JOIN old_rows p ON p.id = n.id
               WHERE to_jsonb(p) - ''updated_at'' IS DISTINCT FROM to_jsonb(n) - ''updated_at''
               UNION ALL
               SELECT p.id, ''moved_out'', p.scope_key FROM new_rows n JOIN old_rows p ON p.id = n.id WHERE p.scope_key <> n.scope_key' END
    || ') x' INTO ids, ops, keys;
  INSERT INTO change_log (kind, object_id, op, scope_key)
  SELECT TG_ARGV[0], x.id, x.op, x.scope_key FROM unnest(ids, ops, keys) WITH ORDINALITY x(id, op, scope_key, i) ORDER BY x.i;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION xgz_log_org_entity() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_catalog AS $$
DECLARE
  orgs bigint[];
BEGIN
  EXECUTE CASE TG_OP WHEN 'INSERT' THEN 'SELECT array_agg(DISTINCT org_id) FROM new_rows'
                     WHEN 'DELETE' THEN 'SELECT array_agg(DISTINCT org_id) FROM old_rows'
                     ELSE 'SELECT array_agg(DISTINCT x) FROM (SELECT org_id AS x FROM new_rows UNION SELECT org_id FROM old_rows) u' END INTO orgs;
  INSERT INTO change_log (kind, object_id, op, scope_key)
  SELECT 'organization', o.id, 'update', o.scope_key FROM party_org o WHERE o.id = ANY (orgs);
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION xgz_audit_head_advance() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  head text;
  first_prev text;
  newest bigint;
  newest_hash text;
BEGIN
  SELECT h.last_hash INTO head FROM audit_head h WHERE h.id = 1 FOR UPDATE;
  SELECT prev_hash INTO first_prev FROM new_rows ORDER BY id LIMIT 1;
  IF first_prev IS NULL THEN RETURN NULL; END IF;
  IF first_prev IS DISTINCT FROM head THEN
    RAISE EXCEPTION 'audit chain: the first record inserted does not link to the head' USING ERRCODE = 'check_violation';
  END IF;
  SELECT n.id, n.hash INTO newest, newest_hash FROM new_rows n ORDER BY n.id DESC LIMIT 1;
  UPDATE audit_head h SET last_id = newest, last_hash = newest_hash WHERE h.id = 1;
  RETURN NULL;
END $$;
