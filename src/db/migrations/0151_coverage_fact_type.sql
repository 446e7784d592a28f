-- The coverage functions no longer name entity_coverage's row type (issue 18, blockers 2 and 4 of
-- bench/README.md "## citus"). When Citus takes a table into its metadata it renames the table to
-- its coordinator shard and puts a new one in its place: a function whose arguments or result were
-- the table's row type then keeps the shard's type (xgz_coverage_tally_move(entity_coverage_102129[],
-- …)), and a whole-row reference in a statement is deparsed as the shard's row type ("function
-- xgz_coverage_rows(entity_coverage_102129) does not exist"). So:
--  - a composite type of the project's own, xgz_coverage_fact, with entity_coverage's columns in
--    its order (a column added to the table is added here too), carries the rows between the
--    functions; no table's rename touches it;
--  - xgz_coverage_rows takes the seven columns it reads, not the row;
--  - the rows are collected as ROW(c.*)::xgz_coverage_fact, which the parser expands into the
--    columns, never as the whole-row reference `c`.
-- The same rows, sums and order (dim, scope_key, value) as 0053/0054; xgz_coverage_tally_move
-- becomes PL/pgSQL as the other definer functions did in 0150.

CREATE TYPE xgz_coverage_fact AS (
  entity_id bigint, scope_key text COLLATE "C", kind text, industry text, reg_month text, zone_ids bigint[], zone_kinds text[],
  operating boolean, with_members boolean, own_org boolean, any_org boolean, work boolean, instructor boolean);

DROP FUNCTION xgz_coverage_tally_move(entity_coverage[], entity_coverage[]);
DROP FUNCTION xgz_coverage_rows(entity_coverage);
DROP FUNCTION xgz_coverage_compute(bigint[]);

-- The tally rows an operating entity is counted in. Inlined by the planner (IMMUTABLE SQL).
CREATE FUNCTION xgz_coverage_rows(p_scope_key text, p_kind text, p_industry text, p_reg_month text, p_zone_ids bigint[], p_zone_kinds text[],
  p_operating boolean)
RETURNS TABLE(scope_key text, dim text, value text) LANGUAGE sql IMMUTABLE AS $$
  SELECT p_scope_key, d.dim, d.value FROM (
    VALUES ('all', ''), ('kind', p_kind), ('industry', p_industry), ('reg_month', p_reg_month)
  ) d(dim, value) WHERE p_operating
  UNION ALL SELECT p_scope_key, 'zone_kind', k FROM unnest(p_zone_kinds) k WHERE p_operating
  UNION ALL SELECT p_scope_key, 'zone', z::text FROM unnest(p_zone_ids) z WHERE p_operating
$$;

CREATE FUNCTION xgz_coverage_compute(ids bigint[]) RETURNS SETOF xgz_coverage_fact
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
DECLARE
  f text := CASE WHEN ids IS NULL THEN 'true' ELSE '%I = ANY($1)' END;
BEGIN
  RETURN QUERY EXECUTE format($q$
    SELECT e.id, e.scope_key, e.kind, coalesce(e.industry_section, ''), coalesce(to_char(e.registered_on, 'YYYY-MM'), ''),
      coalesce(z.ids, '{}'), coalesce(z.kinds, '{}'), e.status = 'active',
      l.entity_id IS NOT NULL OR coalesce(a.party_members, 0) > 0,
      coalesce(o.own, false), o.own IS NOT NULL, o.own IS NOT NULL OR p.entity_id IS NOT NULL OR w.entity_id IS NOT NULL,
      w.entity_id IS NOT NULL
    FROM entity e
    LEFT JOIN (SELECT ez.entity_id, array_agg(zz.id ORDER BY zz.id) AS ids, array_agg(DISTINCT zz.kind) AS kinds
               FROM entity_zone ez JOIN zone zz ON zz.id = ez.zone_id WHERE %s GROUP BY ez.entity_id) z ON z.entity_id = e.id
    LEFT JOIN (SELECT DISTINCT entity_id FROM member_link WHERE %s) l ON l.entity_id = e.id
    LEFT JOIN (SELECT DISTINCT ON (entity_id) entity_id, party_members FROM annual_report WHERE %s ORDER BY entity_id, year DESC) a ON a.entity_id = e.id
    LEFT JOIN (SELECT pe.entity_id, bool_or(po.setup_mode = 'standalone') AS own FROM party_org_entity pe JOIN party_org po ON po.id = pe.org_id
               WHERE po.body = 'party' AND po.status = 'established' AND %s GROUP BY pe.entity_id) o ON o.entity_id = e.id
    LEFT JOIN (SELECT DISTINCT entity_id FROM entity_person WHERE role = 'liaison' AND %s) p ON p.entity_id = e.id
    LEFT JOIN (SELECT DISTINCT entity_id FROM instructor_reach WHERE %s) w ON w.entity_id = e.id
    WHERE %s$q$,
    format(f, 'entity_id'), format(f, 'entity_id'), format(f, 'entity_id'), format(f, 'entity_id'), format(f, 'entity_id'), format(f, 'entity_id'), format(f, 'id')) USING ids;
END $$;

CREATE FUNCTION xgz_coverage_tally_move(olds xgz_coverage_fact[], news xgz_coverage_fact[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
#variable_conflict use_column
BEGIN
  INSERT INTO coverage_tally AS t
  SELECT r.scope_key, r.dim, r.value, sum(s * x.operating::int), sum(s * x.with_members::int), sum(s * x.own_org::int),
    sum(s * x.any_org::int), sum(s * x.work::int), sum(s * (x.with_members AND x.own_org)::int), sum(s * (x.with_members AND x.any_org)::int),
    sum(s * x.instructor::int)
  FROM (
    SELECT -1 AS s, o.* FROM unnest(olds) o
    UNION ALL SELECT 1, n.* FROM unnest(news) n
  ) x CROSS JOIN LATERAL xgz_coverage_rows(x.scope_key, x.kind, x.industry, x.reg_month, x.zone_ids, x.zone_kinds, x.operating) r
  GROUP BY r.dim, r.scope_key, r.value
  HAVING sum(s * x.operating::int) <> 0 OR sum(s * x.with_members::int) <> 0 OR sum(s * x.own_org::int) <> 0 OR sum(s * x.any_org::int) <> 0
    OR sum(s * x.work::int) <> 0 OR sum(s * x.instructor::int) <> 0
  ORDER BY r.dim, r.scope_key, r.value
  ON CONFLICT (dim, scope_key, value) DO UPDATE SET
    operating = t.operating + excluded.operating, with_members = t.with_members + excluded.with_members,
    own_org = t.own_org + excluded.own_org, any_org = t.any_org + excluded.any_org, work = t.work + excluded.work,
    members_own_org = t.members_own_org + excluded.members_own_org, members_any_org = t.members_any_org + excluded.members_any_org,
    instructor = t.instructor + excluded.instructor;
END $$;
REVOKE ALL ON FUNCTION xgz_coverage_tally_move(xgz_coverage_fact[], xgz_coverage_fact[]) FROM PUBLIC;

CREATE OR REPLACE FUNCTION xgz_coverage_refresh(ids bigint[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  olds xgz_coverage_fact[];
  news xgz_coverage_fact[];
BEGIN
  IF ids IS NULL OR cardinality(ids) = 0 THEN RETURN; END IF;
  PERFORM 1 FROM entity_coverage c WHERE c.entity_id = ANY(ids) ORDER BY c.entity_id FOR UPDATE;
  SELECT array_agg(ROW(c.*)::xgz_coverage_fact) INTO olds FROM entity_coverage c WHERE c.entity_id = ANY(ids);
  DELETE FROM entity_coverage c WHERE c.entity_id = ANY(ids);
  WITH added AS (INSERT INTO entity_coverage SELECT * FROM xgz_coverage_compute(ids) RETURNING *)
  SELECT array_agg(ROW(a.*)::xgz_coverage_fact) INTO news FROM added a;
  PERFORM xgz_coverage_tally_move(olds, news);
END $$;

CREATE OR REPLACE FUNCTION xgz_coverage_touch_with_members() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  ids bigint[];
  news xgz_coverage_fact[];
  missing bigint[];
BEGIN
  EXECUTE format('SELECT array_agg(DISTINCT x.id ORDER BY x.id) FROM (%s) x(id)',
    CASE TG_OP WHEN 'INSERT' THEN 'SELECT entity_id FROM new_rows'
               WHEN 'DELETE' THEN 'SELECT entity_id FROM old_rows'
               ELSE 'SELECT entity_id FROM new_rows UNION ALL SELECT entity_id FROM old_rows' END) INTO ids;
  IF ids IS NULL THEN RETURN NULL; END IF;
  PERFORM 1 FROM entity_coverage c WHERE c.entity_id = ANY(ids) ORDER BY c.entity_id FOR UPDATE;
  WITH fresh AS (
    SELECT x.id, EXISTS (SELECT 1 FROM member_link l WHERE l.entity_id = x.id)
        OR coalesce((SELECT a.party_members FROM annual_report a WHERE a.entity_id = x.id ORDER BY a.year DESC LIMIT 1), 0) > 0 AS flag
    FROM unnest(ids) x(id)
  ), flipped AS (
    UPDATE entity_coverage c SET with_members = n.flag FROM fresh n
    WHERE c.entity_id = n.id AND c.with_members IS DISTINCT FROM n.flag AND EXISTS (SELECT 1 FROM entity e WHERE e.id = n.id)
    RETURNING c.*
  )
  SELECT array_agg(ROW(f.*)::xgz_coverage_fact) INTO news FROM flipped f;
  PERFORM xgz_coverage_tally_move(
    (SELECT array_agg(ROW(o.entity_id, o.scope_key, o.kind, o.industry, o.reg_month, o.zone_ids, o.zone_kinds, o.operating, NOT o.with_members, o.own_org, o.any_org, o.work, o.instructor)::xgz_coverage_fact) FROM unnest(news) o),
    news);
  SELECT array_agg(x.id) INTO missing FROM unnest(ids) x(id)
  WHERE NOT EXISTS (SELECT 1 FROM entity_coverage c WHERE c.entity_id = x.id) OR NOT EXISTS (SELECT 1 FROM entity e WHERE e.id = x.id);
  PERFORM xgz_coverage_refresh(missing);
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION xgz_coverage_rebuild() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  DELETE FROM coverage_tally;
  DELETE FROM entity_coverage;
  INSERT INTO entity_coverage SELECT * FROM xgz_coverage_compute(NULL);
  INSERT INTO coverage_tally
  SELECT r.scope_key, r.dim, r.value, count(*), count(*) FILTER (WHERE c.with_members), count(*) FILTER (WHERE c.own_org),
    count(*) FILTER (WHERE c.any_org), count(*) FILTER (WHERE c.work),
    count(*) FILTER (WHERE c.with_members AND c.own_org), count(*) FILTER (WHERE c.with_members AND c.any_org),
    count(*) FILTER (WHERE c.instructor)
  FROM entity_coverage c CROSS JOIN LATERAL xgz_coverage_rows(c.scope_key, c.kind, c.industry, c.reg_month, c.zone_ids, c.zone_kinds, c.operating) r
  GROUP BY r.dim, r.scope_key, r.value;
  PERFORM xgz_coverage_county_rebuild();
END $$;
