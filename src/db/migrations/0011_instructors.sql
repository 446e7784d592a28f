-- Instructors (党建工作指导员), their assignments and the guidance they log. An assignment in
-- force gives work coverage (工作覆盖) to the entities it reaches: the entity itself, the
-- entities in the zone, or the entities the organization covers.

CREATE TABLE instructor (
  id            bigserial PRIMARY KEY,
  person_id     bigint NOT NULL REFERENCES person(id),
  source        text NOT NULL CHECK (source IN ('bureau','station','retired','platform','association','volunteer')),
  county_code   text NOT NULL REFERENCES jurisdiction(code),
  station_code  text REFERENCES jurisdiction(code),
  scope_key     text COLLATE "C" NOT NULL,
  workplace     text,
  status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active','inactive')),
  note          text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT instructor_person_uq UNIQUE (person_id)
);
CREATE INDEX instructor_scope_idx ON instructor (scope_key, id);

-- In force while end_on is NULL: an assignment is recorded when it starts (never in the future)
-- and ended on or before the day it is ended, so coverage never changes by the calendar alone
-- and the trigger-kept tallies stay true without a nightly job.
CREATE TABLE instructor_assignment (
  id             bigserial PRIMARY KEY,
  instructor_id  bigint NOT NULL REFERENCES instructor(id) ON DELETE CASCADE,
  target         text NOT NULL CHECK (target IN ('entity','zone','org')),
  entity_id      bigint REFERENCES entity(id) ON DELETE CASCADE,
  zone_id        bigint REFERENCES zone(id) ON DELETE CASCADE,
  org_id         bigint REFERENCES party_org(id) ON DELETE CASCADE,
  start_on       date NOT NULL,
  end_on         date,
  end_reason     text,
  scope_key      text COLLATE "C" NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  CHECK ((target = 'entity') = (entity_id IS NOT NULL) AND (target = 'zone') = (zone_id IS NOT NULL) AND (target = 'org') = (org_id IS NOT NULL)),
  CHECK (end_on IS NULL OR end_on >= start_on)
);
CREATE INDEX instructor_assignment_instructor_idx ON instructor_assignment (instructor_id);
CREATE INDEX instructor_assignment_scope_idx ON instructor_assignment (scope_key, id);
CREATE INDEX instructor_assignment_entity_idx ON instructor_assignment (entity_id) WHERE end_on IS NULL AND entity_id IS NOT NULL;
CREATE INDEX instructor_assignment_zone_idx ON instructor_assignment (zone_id) WHERE end_on IS NULL AND zone_id IS NOT NULL;
CREATE INDEX instructor_assignment_org_idx ON instructor_assignment (org_id) WHERE end_on IS NULL AND org_id IS NOT NULL;
-- One assignment in force per instructor and target.
CREATE UNIQUE INDEX instructor_assignment_open_uq ON instructor_assignment (instructor_id, target, coalesce(entity_id, zone_id, org_id)) WHERE end_on IS NULL;

CREATE TABLE guidance_record (
  id             bigserial PRIMARY KEY,
  instructor_id  bigint NOT NULL REFERENCES instructor(id) ON DELETE CASCADE,
  entity_id      bigint REFERENCES entity(id) ON DELETE SET NULL,
  org_id         bigint REFERENCES party_org(id) ON DELETE SET NULL,
  on_date        date NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('visit','guidance','training','meeting')),
  content        text NOT NULL,
  follow_up      text,
  follow_up_done boolean NOT NULL DEFAULT false,
  scope_key      text COLLATE "C" NOT NULL,
  created_by     bigint REFERENCES app_user(id),
  created_at     timestamptz NOT NULL DEFAULT now(),
  CHECK (entity_id IS NOT NULL OR org_id IS NOT NULL)
);
CREATE INDEX guidance_record_scope_idx ON guidance_record (scope_key, on_date DESC);
CREATE INDEX guidance_record_instructor_idx ON guidance_record (instructor_id);

CREATE TRIGGER instructor_history AFTER INSERT OR UPDATE OR DELETE ON instructor FOR EACH ROW EXECUTE FUNCTION xgz_history();
CREATE TRIGGER instructor_assignment_history AFTER INSERT OR UPDATE OR DELETE ON instructor_assignment FOR EACH ROW EXECUTE FUNCTION xgz_history();

-- ── Work coverage now counts instructors ───────────────────────────────────────────────────
-- The entities an assignment in force reaches, as one relation (the view and the set-based
-- computation both read it, so the definition is written once).
CREATE VIEW instructor_reach WITH (security_invoker = true) AS
  SELECT a.id AS assignment_id, a.entity_id FROM instructor_assignment a WHERE a.end_on IS NULL AND a.entity_id IS NOT NULL
  UNION ALL SELECT a.id, ez.entity_id FROM instructor_assignment a JOIN entity_zone ez ON ez.zone_id = a.zone_id WHERE a.end_on IS NULL
  UNION ALL SELECT a.id, pe.entity_id FROM instructor_assignment a JOIN party_org_entity pe ON pe.org_id = a.org_id WHERE a.end_on IS NULL;

CREATE OR REPLACE VIEW entity_coverage_facts AS
SELECT e.id AS entity_id, e.scope_key, e.kind,
  coalesce(e.industry_section, '') AS industry,
  coalesce(to_char(e.registered_on, 'YYYY-MM'), '') AS reg_month,
  coalesce(z.ids, '{}') AS zone_ids,
  coalesce(z.kinds, '{}') AS zone_kinds,
  e.status = 'active' AS operating,
  (EXISTS (SELECT 1 FROM member_link l WHERE l.entity_id = e.id)
    OR coalesce((SELECT a.party_members FROM annual_report a WHERE a.entity_id = e.id ORDER BY a.year DESC LIMIT 1), 0) > 0) AS with_members,
  coalesce(o.own, false) AS own_org,
  o.own IS NOT NULL AS any_org,
  (o.own IS NOT NULL OR EXISTS (SELECT 1 FROM entity_person p WHERE p.entity_id = e.id AND p.role = 'liaison')
    OR EXISTS (SELECT 1 FROM instructor_reach r WHERE r.entity_id = e.id)) AS work
FROM entity e
LEFT JOIN LATERAL (
  SELECT array_agg(zz.id ORDER BY zz.id) AS ids, array_agg(DISTINCT zz.kind) AS kinds
  FROM entity_zone ez JOIN zone zz ON zz.id = ez.zone_id WHERE ez.entity_id = e.id
) z ON true
LEFT JOIN LATERAL (
  SELECT bool_or(po.setup_mode = 'standalone') AS own
  FROM party_org_entity pe JOIN party_org po ON po.id = pe.org_id
  WHERE pe.entity_id = e.id AND po.body = 'party' AND po.status = 'established'
) o ON true;

CREATE OR REPLACE FUNCTION xgz_coverage_compute(ids bigint[]) RETURNS SETOF entity_coverage LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
DECLARE
  f text := CASE WHEN ids IS NULL THEN 'true' ELSE '%I = ANY($1)' END;
BEGIN
  RETURN QUERY EXECUTE format($q$
    SELECT e.id, e.scope_key, e.kind, coalesce(e.industry_section, ''), coalesce(to_char(e.registered_on, 'YYYY-MM'), ''),
      coalesce(z.ids, '{}'), coalesce(z.kinds, '{}'), e.status = 'active',
      l.entity_id IS NOT NULL OR coalesce(a.party_members, 0) > 0,
      coalesce(o.own, false), o.own IS NOT NULL, o.own IS NOT NULL OR p.entity_id IS NOT NULL OR w.entity_id IS NOT NULL
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

-- An assignment's start, end or removal reaches the entities it covers, read from the rows before
-- and after the change (a deleted assignment is only in old_rows).
CREATE FUNCTION xgz_coverage_touch_assignment() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  src text := CASE TG_OP WHEN 'INSERT' THEN 'SELECT * FROM new_rows' WHEN 'DELETE' THEN 'SELECT * FROM old_rows'
                         ELSE 'SELECT * FROM new_rows UNION ALL SELECT * FROM old_rows' END;
  ids bigint[];
BEGIN
  EXECUTE format($q$SELECT array_agg(DISTINCT x) FROM (
    SELECT c.entity_id AS x FROM (%1$s) c WHERE c.entity_id IS NOT NULL
    UNION SELECT ez.entity_id FROM (%1$s) c JOIN entity_zone ez ON ez.zone_id = c.zone_id
    UNION SELECT pe.entity_id FROM (%1$s) c JOIN party_org_entity pe ON pe.org_id = c.org_id) u$q$, src) INTO ids;
  PERFORM xgz_coverage_refresh(ids);
  RETURN NULL;
END $$;
CREATE TRIGGER instructor_assignment_coverage_ins AFTER INSERT ON instructor_assignment REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_coverage_touch_assignment();
CREATE TRIGGER instructor_assignment_coverage_upd AFTER UPDATE ON instructor_assignment REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_coverage_touch_assignment();
CREATE TRIGGER instructor_assignment_coverage_del AFTER DELETE ON instructor_assignment REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_coverage_touch_assignment();

SELECT xgz_coverage_rebuild();

-- An instructor (a person) is visible where the instructor is.
CREATE OR REPLACE FUNCTION xgz_person_visible(pid bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM entity_person ep WHERE ep.person_id = pid AND xgz_in_scope(ep.scope_key))
      OR EXISTS (SELECT 1 FROM member m WHERE m.person_id = pid AND xgz_member_visible(m.id, m.scope_key))
      OR EXISTS (SELECT 1 FROM party_org_member om WHERE om.person_id = pid AND xgz_in_scope(om.scope_key))
      OR EXISTS (SELECT 1 FROM instructor i WHERE i.person_id = pid AND xgz_in_scope(i.scope_key))
$$;

GRANT SELECT, INSERT, UPDATE, DELETE ON instructor, instructor_assignment, guidance_record TO xgz_app;
GRANT SELECT ON instructor_reach TO xgz_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO xgz_app;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['instructor','instructor_assignment','guidance_record'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %1$s_scope ON %1$I USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key))', t);
  END LOOP;
END $$;
