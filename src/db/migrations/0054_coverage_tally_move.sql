-- One way to move the coverage tallies (issue 18, review of 0053): the sums of the rows an entity's
-- coverage is counted in go from its old to its new coverage row. xgz_coverage_refresh (0019) and
-- the links' with_members flip (0053) each wrote this upsert; both now call this function, so a
-- tally column added later is moved in one place. Same sums, same order of rows (dim, scope_key,
-- value: concurrent writers lock tally rows in one order), only groups whose sums change.

CREATE FUNCTION xgz_coverage_tally_move(olds entity_coverage[], news entity_coverage[]) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
  INSERT INTO coverage_tally AS t
  SELECT r.scope_key, r.dim, r.value, sum(s * x.operating::int), sum(s * x.with_members::int), sum(s * x.own_org::int),
    sum(s * x.any_org::int), sum(s * x.work::int), sum(s * (x.with_members AND x.own_org)::int), sum(s * (x.with_members AND x.any_org)::int),
    sum(s * x.instructor::int)
  FROM (
    SELECT -1 AS s, o.* FROM unnest(olds) o
    UNION ALL SELECT 1, n.* FROM unnest(news) n
  ) x CROSS JOIN LATERAL xgz_coverage_rows(ROW(x.entity_id, x.scope_key, x.kind, x.industry, x.reg_month, x.zone_ids, x.zone_kinds, x.operating, x.with_members, x.own_org, x.any_org, x.work, x.instructor)::entity_coverage) r
  GROUP BY r.dim, r.scope_key, r.value
  HAVING sum(s * x.operating::int) <> 0 OR sum(s * x.with_members::int) <> 0 OR sum(s * x.own_org::int) <> 0 OR sum(s * x.any_org::int) <> 0
    OR sum(s * x.work::int) <> 0 OR sum(s * x.instructor::int) <> 0
  ORDER BY r.dim, r.scope_key, r.value
  ON CONFLICT (dim, scope_key, value) DO UPDATE SET
    operating = t.operating + excluded.operating, with_members = t.with_members + excluded.with_members,
    own_org = t.own_org + excluded.own_org, any_org = t.any_org + excluded.any_org, work = t.work + excluded.work,
    members_own_org = t.members_own_org + excluded.members_own_org, members_any_org = t.members_any_org + excluded.members_any_org,
    instructor = t.instructor + excluded.instructor;
$$;

CREATE OR REPLACE FUNCTION xgz_coverage_refresh(ids bigint[]) RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  olds entity_coverage[];
  news entity_coverage[];
BEGIN
  IF ids IS NULL OR cardinality(ids) = 0 THEN RETURN; END IF;
  PERFORM 1 FROM entity_coverage c WHERE c.entity_id = ANY(ids) ORDER BY c.entity_id FOR UPDATE;
  SELECT array_agg(c) INTO olds FROM entity_coverage c WHERE c.entity_id = ANY(ids);
  DELETE FROM entity_coverage c WHERE c.entity_id = ANY(ids);
  WITH added AS (INSERT INTO entity_coverage SELECT * FROM xgz_coverage_compute(ids) RETURNING *)
  SELECT array_agg(a) INTO news FROM added a;
  PERFORM xgz_coverage_tally_move(olds, news);
END $$;

-- As in 0053; the flipped rows' old state is the new one with with_members the other way.
CREATE OR REPLACE FUNCTION xgz_coverage_touch_with_members() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  ids bigint[];
  news entity_coverage[];
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
  SELECT array_agg(f::entity_coverage) INTO news FROM flipped f;
  PERFORM xgz_coverage_tally_move(
    (SELECT array_agg(ROW(o.entity_id, o.scope_key, o.kind, o.industry, o.reg_month, o.zone_ids, o.zone_kinds, o.operating, NOT o.with_members, o.own_org, o.any_org, o.work, o.instructor)::entity_coverage) FROM unnest(news) o),
    news);
  SELECT array_agg(x.id) INTO missing FROM unnest(ids) x(id)
  WHERE NOT EXISTS (SELECT 1 FROM entity_coverage c WHERE c.entity_id = x.id) OR NOT EXISTS (SELECT 1 FROM entity e WHERE e.id = x.id);
  PERFORM xgz_coverage_refresh(missing);
  RETURN NULL;
END $$;

REVOKE ALL ON FUNCTION xgz_coverage_tally_move(entity_coverage[], entity_coverage[]) FROM PUBLIC;
