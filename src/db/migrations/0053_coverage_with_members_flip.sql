-- Discovery at a province's size (issue 18). 0052 sends to the full refresh only the entities whose
-- with_members changes, but a first discovery run changes it for many (101,126 entities at 1M), and
-- the full refresh recomputes every coverage column from six tables (zones, reports, organizations,
-- liaisons, instructors) and every tally split from the old and the new rows: 8.3 of the links
-- statement's 20.7 s at 1M (auto_explain). Only with_members changed, so only it is flipped in
-- place and only the three sums it feeds move (with_members, members_own_org, members_any_org) by
-- ±1 in the entity's own tally rows. An entity without a coverage row (or no longer in entity) still
-- goes through the full refresh, which creates or removes its row. Rows are locked in entity order
-- first, as the refresh does, so concurrent writers take turns instead of deadlocking; the flags
-- are then read under the lock (each statement of this function has a fresh snapshot).
CREATE OR REPLACE FUNCTION xgz_coverage_touch_with_members() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  ids bigint[];
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
  ), moved AS (
    INSERT INTO coverage_tally AS t (scope_key, dim, value, operating, with_members, own_org, any_org, work, members_own_org, members_any_org, instructor)
    SELECT r.scope_key, r.dim, r.value, 0, sum(f.s), 0, 0, 0, sum(f.s * f.own_org::int), sum(f.s * f.any_org::int), 0
    FROM (SELECT CASE WHEN c.with_members THEN 1 ELSE -1 END AS s, c.* FROM flipped c) f
    CROSS JOIN LATERAL xgz_coverage_rows(ROW(f.entity_id, f.scope_key, f.kind, f.industry, f.reg_month, f.zone_ids, f.zone_kinds, f.operating, f.with_members, f.own_org, f.any_org, f.work, f.instructor)::entity_coverage) r
    GROUP BY r.dim, r.scope_key, r.value
    HAVING sum(f.s) <> 0 OR sum(f.s * f.own_org::int) <> 0 OR sum(f.s * f.any_org::int) <> 0
    ORDER BY r.dim, r.scope_key, r.value
    ON CONFLICT (dim, scope_key, value) DO UPDATE SET with_members = t.with_members + excluded.with_members,
      members_own_org = t.members_own_org + excluded.members_own_org, members_any_org = t.members_any_org + excluded.members_any_org
  )
  SELECT array_agg(n.id) INTO missing FROM fresh n
  WHERE NOT EXISTS (SELECT 1 FROM entity_coverage c WHERE c.entity_id = n.id) OR NOT EXISTS (SELECT 1 FROM entity e WHERE e.id = n.id);
  PERFORM xgz_coverage_refresh(missing);
  RETURN NULL;
END $$;
