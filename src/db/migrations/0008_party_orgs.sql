-- Party organizations (and Youth League organizations in the same shape), the entities they
-- cover, the people whose org relation they hold and their officers; setup proposals; and the
-- two coverages, kept per entity and tallied per scope key by triggers.

CREATE TABLE party_org (
  id             bigserial PRIMARY KEY,
  body           text NOT NULL DEFAULT 'party' CHECK (body IN ('party','league')),
  name           text NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('committee','general_branch','branch','joint_branch')),
  setup_mode     text NOT NULL CHECK (setup_mode IN ('standalone','joint','affiliated','industry','station','zone')),
  affiliated_to  text,
  parent_id      bigint REFERENCES party_org(id),
  county_code    text NOT NULL REFERENCES jurisdiction(code),
  station_code   text REFERENCES jurisdiction(code),
  scope_key      text COLLATE "C" NOT NULL,
  zone_id        bigint REFERENCES zone(id),
  status         text NOT NULL DEFAULT 'preparing' CHECK (status IN ('preparing','established','dissolved')),
  founded_on     date,
  dissolved_on   date,
  note           text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CHECK (status <> 'established' OR founded_on IS NOT NULL),
  CHECK (status <> 'dissolved' OR dissolved_on IS NOT NULL),
  CONSTRAINT party_org_name_uq UNIQUE (county_code, name)
);
CREATE INDEX party_org_scope_idx ON party_org (scope_key, id);

CREATE TABLE party_org_entity (
  org_id     bigint NOT NULL REFERENCES party_org(id) ON DELETE CASCADE,
  entity_id  bigint NOT NULL REFERENCES entity(id) ON DELETE CASCADE,
  scope_key  text COLLATE "C" NOT NULL,
  PRIMARY KEY (org_id, entity_id)
);
CREATE INDEX party_org_entity_entity_idx ON party_org_entity (entity_id);

-- Whose org relation the organization holds: party members (member_id set; one organization
-- each) or, for a league organization, Youth League members (persons).
CREATE TABLE party_org_member (
  id         bigserial PRIMARY KEY,
  org_id     bigint NOT NULL REFERENCES party_org(id) ON DELETE CASCADE,
  person_id  bigint NOT NULL REFERENCES person(id),
  member_id  bigint REFERENCES member(id) ON DELETE CASCADE,
  joined_on  date,
  scope_key  text COLLATE "C" NOT NULL,
  CONSTRAINT party_org_member_uq UNIQUE (org_id, person_id)
);
CREATE UNIQUE INDEX party_org_member_relation_uq ON party_org_member (member_id);

CREATE TABLE party_org_officer (
  id          bigserial PRIMARY KEY,
  org_id      bigint NOT NULL REFERENCES party_org(id) ON DELETE CASCADE,
  person_id   bigint NOT NULL REFERENCES person(id),
  role        text NOT NULL CHECK (role IN ('secretary','deputy','committee')),
  term_start  date NOT NULL,
  term_end    date NOT NULL,
  scope_key   text COLLATE "C" NOT NULL,
  CHECK (term_end > term_start)
);
CREATE INDEX party_org_officer_org_idx ON party_org_officer (org_id);
CREATE INDEX party_org_officer_term_idx ON party_org_officer (term_end);

-- History of organizations, as of entities: the trigger keys rows by id, else by org_id.
CREATE OR REPLACE FUNCTION xgz_history() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  b jsonb;
  a jsonb;
BEGIN
  IF TG_OP <> 'INSERT' THEN b := to_jsonb(OLD) - 'updated_at' - 'created_at'; END IF;
  IF TG_OP <> 'DELETE' THEN a := to_jsonb(NEW) - 'updated_at' - 'created_at'; END IF;
  IF b IS NOT DISTINCT FROM a THEN RETURN NULL; END IF;
  INSERT INTO ledger_history (object_type, object_id, entity_id, scope_key, actor_id, op, before, after)
  VALUES (
    TG_TABLE_NAME,
    COALESCE(a->>'id', b->>'id', a->>'zone_id', b->>'zone_id', a->>'org_id', b->>'org_id')::bigint,
    CASE WHEN TG_TABLE_NAME = 'entity' THEN COALESCE(a->>'id', b->>'id') ELSE COALESCE(a->>'entity_id', b->>'entity_id') END::bigint,
    COALESCE(a->>'scope_key', b->>'scope_key'),
    NULLIF(current_setting('xgz.user_id', true), '')::bigint,
    left(TG_OP, 1), b, a);
  RETURN NULL;
END $$;
CREATE TRIGGER party_org_history AFTER INSERT OR UPDATE OR DELETE ON party_org FOR EACH ROW EXECUTE FUNCTION xgz_history();
CREATE TRIGGER party_org_entity_history AFTER INSERT OR DELETE ON party_org_entity FOR EACH ROW EXECUTE FUNCTION xgz_history();
CREATE TRIGGER party_org_member_history AFTER INSERT OR UPDATE OR DELETE ON party_org_member FOR EACH ROW EXECUTE FUNCTION xgz_history();
CREATE TRIGGER party_org_officer_history AFTER INSERT OR UPDATE OR DELETE ON party_org_officer FOR EACH ROW EXECUTE FUNCTION xgz_history();

-- Setup proposals: generated per scope, reviewed by staff. The signature (mode and entity ids)
-- keeps a rejected grouping from being proposed again while its facts are unchanged.
CREATE TABLE org_proposal (
  id              bigserial PRIMARY KEY,
  mode            text NOT NULL CHECK (mode IN ('standalone','zone','joint','station','affiliated','work')),
  org_kind        text CHECK (org_kind IN ('committee','general_branch','branch','joint_branch')),
  county_code     text NOT NULL REFERENCES jurisdiction(code),
  station_code    text REFERENCES jurisdiction(code),
  scope_key       text COLLATE "C" NOT NULL,
  zone_id         bigint REFERENCES zone(id) ON DELETE SET NULL,
  full_members    integer NOT NULL,
  members         integer NOT NULL,
  units           integer NOT NULL,
  explanation     text NOT NULL,
  suggested_name  text NOT NULL,
  signature       text NOT NULL,
  state           text NOT NULL DEFAULT 'open' CHECK (state IN ('open','accepted','rejected')),
  reason          text,
  org_id          bigint REFERENCES party_org(id) ON DELETE SET NULL,
  decided_by      bigint,
  decided_at      timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX org_proposal_scope_idx ON org_proposal (scope_key, state);
CREATE INDEX org_proposal_signature_idx ON org_proposal (signature) WHERE state = 'rejected';

CREATE TABLE org_proposal_entity (
  proposal_id   bigint NOT NULL REFERENCES org_proposal(id) ON DELETE CASCADE,
  entity_id     bigint NOT NULL REFERENCES entity(id) ON DELETE CASCADE,
  full_members  integer NOT NULL,
  members       integer NOT NULL,
  scope_key     text COLLATE "C" NOT NULL,
  PRIMARY KEY (proposal_id, entity_id)
);
CREATE INDEX org_proposal_entity_entity_idx ON org_proposal_entity (entity_id);

-- Work-coverage tasks from accepted proposals: assign an instructor, look for members.
CREATE TABLE work_task (
  id           bigserial PRIMARY KEY,
  kind         text NOT NULL CHECK (kind IN ('assign_instructor','find_members')),
  entity_id    bigint NOT NULL REFERENCES entity(id) ON DELETE CASCADE,
  proposal_id  bigint REFERENCES org_proposal(id) ON DELETE SET NULL,
  state        text NOT NULL DEFAULT 'open' CHECK (state IN ('open','done')),
  scope_key    text COLLATE "C" NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT work_task_uq UNIQUE (entity_id, kind)
);
CREATE INDEX work_task_scope_idx ON work_task (scope_key, state);

-- ── The two coverages ─────────────────────────────────────────────────────────────────────
-- What one entity counts towards; the definitions are those of src/domain/coverage.
CREATE VIEW entity_coverage_facts AS
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
  (o.own IS NOT NULL OR EXISTS (SELECT 1 FROM entity_person p WHERE p.entity_id = e.id AND p.role = 'liaison')) AS work
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

CREATE TABLE entity_coverage (
  entity_id     bigint PRIMARY KEY,
  scope_key     text COLLATE "C" NOT NULL,
  kind          text NOT NULL,
  industry      text NOT NULL,
  reg_month     text NOT NULL,
  zone_ids      bigint[] NOT NULL,
  zone_kinds    text[] NOT NULL,
  operating     boolean NOT NULL,
  with_members  boolean NOT NULL,
  own_org       boolean NOT NULL,
  any_org       boolean NOT NULL,
  work          boolean NOT NULL
);
CREATE INDEX entity_coverage_scope_idx ON entity_coverage (scope_key);

-- Sums of operating entities per scope key and split: dim 'all' (value ''), 'kind', 'industry',
-- 'reg_month' (YYYY-MM), 'zone_kind', 'zone' (zone id). An entity in two zones counts in both.
CREATE TABLE coverage_tally (
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
  PRIMARY KEY (dim, scope_key, value)
);

-- The tally rows one entity-coverage row adds to (only operating entities count).
CREATE FUNCTION xgz_coverage_rows(c entity_coverage)
RETURNS TABLE (scope_key text, dim text, value text) LANGUAGE sql IMMUTABLE AS $$
  SELECT c.scope_key, d.dim, d.value FROM (
    VALUES ('all', ''), ('kind', c.kind), ('industry', c.industry), ('reg_month', c.reg_month)
  ) d(dim, value) WHERE c.operating
  UNION ALL SELECT c.scope_key, 'zone_kind', k FROM unnest(c.zone_kinds) k WHERE c.operating
  UNION ALL SELECT c.scope_key, 'zone', z::text FROM unnest(c.zone_ids) z WHERE c.operating
$$;

-- Recomputes the coverage of these entities and moves the tallies by the difference.
-- Runs as its owner: a station's change may be counted in rows the station cannot write.
CREATE FUNCTION xgz_coverage_refresh(ids bigint[]) RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
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
    sum(s * x.any_org::int), sum(s * x.work::int), sum(s * (x.with_members AND x.own_org)::int), sum(s * (x.with_members AND x.any_org)::int)
  FROM (
    SELECT -1 AS s, o.* FROM unnest(olds) o
    UNION ALL SELECT 1, c.* FROM entity_coverage c WHERE c.entity_id = ANY(ids)
  ) x CROSS JOIN LATERAL xgz_coverage_rows(ROW(x.entity_id, x.scope_key, x.kind, x.industry, x.reg_month, x.zone_ids, x.zone_kinds, x.operating, x.with_members, x.own_org, x.any_org, x.work)::entity_coverage) r
  GROUP BY r.dim, r.scope_key, r.value
  HAVING sum(s * x.operating::int) <> 0 OR sum(s * x.with_members::int) <> 0 OR sum(s * x.own_org::int) <> 0 OR sum(s * x.any_org::int) <> 0 OR sum(s * x.work::int) <> 0
  ORDER BY r.dim, r.scope_key, r.value
  ON CONFLICT (dim, scope_key, value) DO UPDATE SET
    operating = t.operating + excluded.operating, with_members = t.with_members + excluded.with_members,
    own_org = t.own_org + excluded.own_org, any_org = t.any_org + excluded.any_org, work = t.work + excluded.work,
    members_own_org = t.members_own_org + excluded.members_own_org, members_any_org = t.members_any_org + excluded.members_any_org;
END $$;

-- The coverage of the given entities (all when ids is NULL): the definitions of the view above,
-- written with joins of whole tables so that a million entities take seconds, and planned for
-- the ids at hand each time (EXECUTE): index lookups for a few, hash joins for many. The tests
-- hold it equal to the view.
CREATE FUNCTION xgz_coverage_compute(ids bigint[]) RETURNS SETOF entity_coverage LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
DECLARE
  f text := CASE WHEN ids IS NULL THEN 'true' ELSE '%I = ANY($1)' END;
BEGIN
  RETURN QUERY EXECUTE format($q$
    SELECT e.id, e.scope_key, e.kind, coalesce(e.industry_section, ''), coalesce(to_char(e.registered_on, 'YYYY-MM'), ''),
      coalesce(z.ids, '{}'), coalesce(z.kinds, '{}'), e.status = 'active',
      l.entity_id IS NOT NULL OR coalesce(a.party_members, 0) > 0,
      coalesce(o.own, false), o.own IS NOT NULL, o.own IS NOT NULL OR p.entity_id IS NOT NULL
    FROM entity e
    LEFT JOIN (SELECT ez.entity_id, array_agg(zz.id ORDER BY zz.id) AS ids, array_agg(DISTINCT zz.kind) AS kinds
               FROM entity_zone ez JOIN zone zz ON zz.id = ez.zone_id WHERE %s GROUP BY ez.entity_id) z ON z.entity_id = e.id
    LEFT JOIN (SELECT DISTINCT entity_id FROM member_link WHERE %s) l ON l.entity_id = e.id
    LEFT JOIN (SELECT DISTINCT ON (entity_id) entity_id, party_members FROM annual_report WHERE %s ORDER BY entity_id, year DESC) a ON a.entity_id = e.id
    LEFT JOIN (SELECT pe.entity_id, bool_or(po.setup_mode = 'standalone') AS own FROM party_org_entity pe JOIN party_org po ON po.id = pe.org_id
               WHERE po.body = 'party' AND po.status = 'established' AND %s GROUP BY pe.entity_id) o ON o.entity_id = e.id
    LEFT JOIN (SELECT DISTINCT entity_id FROM entity_person WHERE role = 'liaison' AND %s) p ON p.entity_id = e.id
    WHERE %s$q$,
    format(f, 'entity_id'), format(f, 'entity_id'), format(f, 'entity_id'), format(f, 'entity_id'), format(f, 'entity_id'), format(f, 'id')) USING ids;
END $$;

-- Rebuilds both tables from the ledger (after a bulk load, and in tests).
CREATE FUNCTION xgz_coverage_rebuild() RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  DELETE FROM coverage_tally;
  DELETE FROM entity_coverage;
  INSERT INTO entity_coverage SELECT * FROM xgz_coverage_compute(NULL);
  INSERT INTO coverage_tally
  SELECT r.scope_key, r.dim, r.value, count(*), count(*) FILTER (WHERE c.with_members), count(*) FILTER (WHERE c.own_org),
    count(*) FILTER (WHERE c.any_org), count(*) FILTER (WHERE c.work),
    count(*) FILTER (WHERE c.with_members AND c.own_org), count(*) FILTER (WHERE c.with_members AND c.any_org)
  FROM entity_coverage c CROSS JOIN LATERAL xgz_coverage_rows(c) r
  GROUP BY r.dim, r.scope_key, r.value;
END $$;

-- Statement-level triggers: one refresh per statement for all the entities it touched.
-- TG_ARGV[0] names the column that holds the entity id in the changed table.
CREATE FUNCTION xgz_coverage_touch() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  ids bigint[];
  col text := TG_ARGV[0];
BEGIN
  IF TG_OP = 'INSERT' THEN
    EXECUTE format('SELECT array_agg(DISTINCT %I) FROM new_rows', col) INTO ids;
  ELSIF TG_OP = 'DELETE' THEN
    EXECUTE format('SELECT array_agg(DISTINCT %I) FROM old_rows', col) INTO ids;
  ELSE
    EXECUTE format('SELECT array_agg(DISTINCT x) FROM (SELECT %1$I AS x FROM new_rows UNION SELECT %1$I FROM old_rows) u', col) INTO ids;
  END IF;
  PERFORM xgz_coverage_refresh(ids);
  RETURN NULL;
END $$;

-- An organization's change reaches the entities it covers.
CREATE FUNCTION xgz_coverage_touch_org() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  PERFORM xgz_coverage_refresh((SELECT array_agg(DISTINCT pe.entity_id) FROM party_org_entity pe
    WHERE pe.org_id IN (SELECT id FROM new_rows UNION SELECT id FROM old_rows)));
  RETURN NULL;
END $$;

DO $$
DECLARE
  t record;
BEGIN
  FOR t IN SELECT * FROM (VALUES ('entity', 'id'), ('entity_zone', 'entity_id'), ('entity_person', 'entity_id'), ('annual_report', 'entity_id'),
                                 ('member_link', 'entity_id'), ('party_org_entity', 'entity_id')) v(tbl, col) LOOP
    EXECUTE format('CREATE TRIGGER %1$s_coverage_ins AFTER INSERT ON %1$I REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_coverage_touch(%2$L)', t.tbl, t.col);
    EXECUTE format('CREATE TRIGGER %1$s_coverage_upd AFTER UPDATE ON %1$I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_coverage_touch(%2$L)', t.tbl, t.col);
    EXECUTE format('CREATE TRIGGER %1$s_coverage_del AFTER DELETE ON %1$I REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_coverage_touch(%2$L)', t.tbl, t.col);
  END LOOP;
END $$;
CREATE TRIGGER party_org_coverage AFTER UPDATE ON party_org REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_coverage_touch_org();

SELECT xgz_coverage_rebuild();

-- People an organization in scope registers (Youth League members among them) are visible too.
CREATE OR REPLACE FUNCTION xgz_person_visible(pid bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM entity_person ep WHERE ep.person_id = pid AND xgz_in_scope(ep.scope_key))
      OR EXISTS (SELECT 1 FROM member m WHERE m.person_id = pid AND xgz_member_visible(m.id, m.scope_key))
      OR EXISTS (SELECT 1 FROM party_org_member om WHERE om.person_id = pid AND xgz_in_scope(om.scope_key))
$$;
CREATE INDEX party_org_member_person_idx ON party_org_member (person_id);

GRANT SELECT, INSERT, UPDATE, DELETE ON party_org, party_org_entity, party_org_member, party_org_officer, org_proposal, org_proposal_entity, work_task TO xgz_app;
GRANT SELECT ON entity_coverage, coverage_tally TO xgz_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO xgz_app;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['party_org','party_org_entity','party_org_member','party_org_officer','org_proposal','org_proposal_entity','work_task','entity_coverage','coverage_tally'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %1$s_scope ON %1$I USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key))', t);
  END LOOP;
END $$;
