-- Operating entities reached by an instructor, kept like the coverage flags: per entity in
-- entity_coverage.instructor and summed per scope key in coverage_tally.instructor. The dashboard
-- counted them from the instructor_reach view on every call, which reads every assignment in force
-- whatever the node (~100 ms at 1M entities, for a station as for the nation).
ALTER TABLE entity_coverage ADD COLUMN instructor boolean NOT NULL DEFAULT false;
ALTER TABLE coverage_tally ADD COLUMN instructor integer NOT NULL DEFAULT 0;

CREATE OR REPLACE FUNCTION xgz_coverage_compute(ids bigint[]) RETURNS SETOF entity_coverage LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
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

CREATE OR REPLACE FUNCTION xgz_coverage_refresh(ids bigint[]) RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  olds entity_coverage[];
BEGIN
  IF ids IS NULL OR cardinality(ids) = 0 THEN RETURN; END IF;
  PERFORM 1 FROM entity_coverage c WHERE c.entity_id = ANY(ids) ORDER BY c.entity_id FOR UPDATE;
  SELECT array_agg(c) INTO olds FROM entity_coverage c WHERE c.entity_id = ANY(ids);
  DELETE FROM entity_coverage c WHERE c.entity_id = ANY(ids);
  INSERT INTO entity_coverage SELECT * FROM xgz_coverage_compute(ids);
  INSERT INTO coverage_tally AS t
  SELECT r.scope_key, r.dim, r.value, sum(s * x.operating::int), sum(s * x.with_members::int), sum(s * x.own_org::int),
    sum(s * x.any_org::int), sum(s * x.work::int), sum(s * (x.with_members AND x.own_org)::int), sum(s * (x.with_members AND x.any_org)::int),
    sum(s * x.instructor::int)
  FROM (
    SELECT -1 AS s, o.* FROM unnest(olds) o
    UNION ALL SELECT 1, c.* FROM entity_coverage c WHERE c.entity_id = ANY(ids)
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
END $$;

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
END $$;

SELECT xgz_coverage_rebuild();

-- The dashboard counts 三亮 participants (distinct members with an active record) per subtree:
-- an index-only read of the active records in scope instead of the whole table.
CREATE INDEX sanliang_active_scope_member_idx ON sanliang (scope_key, member_id) WHERE status = 'active';
