-- New employment groups (新业态新就业群体): platforms, their local partner firms and delivery
-- stations (配送站点), riders counted per station over time and the riders who are party members
-- or activists; rider industry committees (网约配送员行业党委) and mobile-member branches
-- (流动党员党支部) as party organizations; mobile-member cards (流动党员活动证); instructors and
-- contact points at platforms; coverage of platforms and stations; assistance programs (帮扶).
--
-- How a platform is scoped. A platform is a national or regional company, registered once by the
-- bureau that keeps its ledger line (often a province or city; a county may register a local
-- one): its scope key is that bureau's. It is read by that bureau's subtree, by every node below
-- the bureau (a county under the registering province sees the platform to record its stations),
-- and by anyone holding one of its stations or partner firms. Only the registering subtree
-- changes it. Its local presence (partner firms, delivery stations, rider counts, riders) hangs on
-- the county or station where it is, like every ledger row, and rolls up by area from there.

-- ── Platforms, partner firms, delivery stations ────────────────────────────────────────────
CREATE TABLE platform (
  id                 bigserial PRIMARY KEY,
  name               text NOT NULL,
  business           text NOT NULL CHECK (business IN ('food_delivery','express','ride_hailing','same_city','freight','other')),
  entity_id          bigint REFERENCES entity(id) ON DELETE SET NULL,
  headquarters       text,
  status             text NOT NULL DEFAULT 'active' CHECK (status IN ('active','exited')),
  note               text,
  jurisdiction_code  text NOT NULL REFERENCES jurisdiction(code),
  scope_key          text COLLATE "C" NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT platform_name_uq UNIQUE (jurisdiction_code, name)
);
CREATE INDEX platform_scope_idx ON platform (scope_key, id);

-- 合作商 / 代理商: the local firm that runs a platform's stations in an area.
CREATE TABLE platform_partner (
  id            bigserial PRIMARY KEY,
  platform_id   bigint NOT NULL REFERENCES platform(id) ON DELETE CASCADE,
  name          text NOT NULL,
  entity_id     bigint REFERENCES entity(id) ON DELETE SET NULL,
  contact_name  text,
  note          text,
  county_code   text NOT NULL REFERENCES jurisdiction(code),
  station_code  text REFERENCES jurisdiction(code),
  scope_key     text COLLATE "C" NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT platform_partner_name_uq UNIQUE (platform_id, county_code, name)
);
CREATE INDEX platform_partner_scope_idx ON platform_partner (scope_key, id);
CREATE INDEX platform_partner_platform_idx ON platform_partner (platform_id);

CREATE TABLE delivery_station (
  id            bigserial PRIMARY KEY,
  platform_id   bigint NOT NULL REFERENCES platform(id) ON DELETE CASCADE,
  partner_id    bigint REFERENCES platform_partner(id) ON DELETE SET NULL,
  name          text NOT NULL,
  address       text,
  entity_id     bigint REFERENCES entity(id) ON DELETE SET NULL,
  status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open','closed')),
  opened_on     date,
  closed_on     date,
  note          text,
  county_code   text NOT NULL REFERENCES jurisdiction(code),
  station_code  text REFERENCES jurisdiction(code),
  scope_key     text COLLATE "C" NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  CHECK (status <> 'closed' OR closed_on IS NOT NULL),
  CONSTRAINT delivery_station_name_uq UNIQUE (platform_id, county_code, name)
);
CREATE INDEX delivery_station_scope_idx ON delivery_station (scope_key, id);
CREATE INDEX delivery_station_platform_idx ON delivery_station (platform_id);

-- Riders are counted, not named: one count per station and date (the series the page draws).
CREATE TABLE rider_count (
  id                   bigserial PRIMARY KEY,
  delivery_station_id  bigint NOT NULL REFERENCES delivery_station(id) ON DELETE CASCADE,
  as_of                date NOT NULL,
  riders               integer NOT NULL CHECK (riders >= 0),
  recorded_by          bigint REFERENCES app_user(id),
  scope_key            text COLLATE "C" NOT NULL,
  created_at           timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT rider_count_day_uq UNIQUE (delivery_station_id, as_of)
);

-- Riders who are party members or activists (入党积极分子) are people (persons: ID number and
-- phone encrypted, masked in answers); a member is linked to the roster where known.
CREATE TABLE rider_person (
  id                   bigserial PRIMARY KEY,
  delivery_station_id  bigint NOT NULL REFERENCES delivery_station(id) ON DELETE CASCADE,
  person_id            bigint NOT NULL REFERENCES person(id),
  role                 text NOT NULL CHECK (role IN ('member','activist')),
  member_id            bigint REFERENCES member(id) ON DELETE SET NULL,
  since                date NOT NULL,
  left_on              date,
  scope_key            text COLLATE "C" NOT NULL,
  created_at           timestamptz NOT NULL DEFAULT now(),
  CHECK (left_on IS NULL OR left_on >= since)
);
CREATE UNIQUE INDEX rider_person_current_uq ON rider_person (delivery_station_id, person_id) WHERE left_on IS NULL;
CREATE INDEX rider_person_scope_idx ON rider_person (scope_key);
CREATE INDEX rider_person_person_idx ON rider_person (person_id);

-- ── Party organizations for riders: party_org extended, not a parallel table ───────────────
-- sector 'riders': an organization of the new employment groups. A rider industry committee is
-- kind 'committee', setup mode 'industry', hung on a province, city or county node (county_code
-- then holds that node's code: a committee above the county has no county). A mobile-member
-- branch is setup mode 'mobile' and names the committee (county level or higher) that approved it.
ALTER TABLE party_org DROP CONSTRAINT party_org_setup_mode_check;
ALTER TABLE party_org ADD CONSTRAINT party_org_setup_mode_check CHECK (setup_mode IN ('standalone','joint','affiliated','industry','station','zone','mobile'));
ALTER TABLE party_org ADD COLUMN sector text CHECK (sector IN ('riders'));
ALTER TABLE party_org ADD COLUMN approved_by_org_id bigint REFERENCES party_org(id);
ALTER TABLE party_org ADD COLUMN approved_on date;
ALTER TABLE party_org ADD CONSTRAINT party_org_mobile_approved CHECK (setup_mode <> 'mobile' OR (approved_by_org_id IS NOT NULL AND approved_on IS NOT NULL));
CREATE INDEX party_org_sector_idx ON party_org (sector, scope_key) WHERE sector IS NOT NULL;

-- Rider committees of the caller's subtree and of the nodes above it: a county's mobile branch
-- is approved by its own, its city's or its province's committee, which the county cannot read
-- through party_org. Only what an approval names is returned.
CREATE FUNCTION xgz_rider_committees() RETURNS TABLE (id bigint, name text, level text, status text, scope_key text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT o.id, o.name, j.level, o.status, o.scope_key::text FROM party_org o JOIN jurisdiction j ON j.code = coalesce(o.station_code, o.county_code)
  WHERE o.sector = 'riders' AND o.kind = 'committee' AND o.body = 'party'
    AND (xgz_in_scope(o.scope_key) OR starts_with(xgz_scope(), o.scope_key))
$$;

-- The platforms and delivery stations an organization serves (a platform's own committee, a
-- station's branch, a mobile branch for the riders of these stations). scope_key is the
-- platform's or station's, so whoever sees the unit sees what covers it.
CREATE TABLE party_org_unit (
  id                   bigserial PRIMARY KEY,
  org_id               bigint NOT NULL REFERENCES party_org(id) ON DELETE CASCADE,
  platform_id          bigint REFERENCES platform(id) ON DELETE CASCADE,
  delivery_station_id  bigint REFERENCES delivery_station(id) ON DELETE CASCADE,
  scope_key            text COLLATE "C" NOT NULL,
  CHECK ((platform_id IS NULL) <> (delivery_station_id IS NULL))
);
CREATE UNIQUE INDEX party_org_unit_uq ON party_org_unit (org_id, coalesce(platform_id, 0), coalesce(delivery_station_id, 0));
CREATE INDEX party_org_unit_platform_idx ON party_org_unit (platform_id) WHERE platform_id IS NOT NULL;
CREATE INDEX party_org_unit_station_idx ON party_org_unit (delivery_station_id) WHERE delivery_station_id IS NOT NULL;

-- ── Mobile-member cards (流动党员活动证) ──────────────────────────────────────────────────────
-- Issued by the member's home organization (often elsewhere: kept as its name) and registered
-- with the mobile branch where the member takes part; scope_key is the branch's.
CREATE TABLE mobile_card (
  id          bigserial PRIMARY KEY,
  member_id   bigint NOT NULL REFERENCES member(id) ON DELETE CASCADE,
  org_id      bigint NOT NULL REFERENCES party_org(id) ON DELETE CASCADE,
  card_no     text NOT NULL,
  issued_by   text NOT NULL,
  issued_on   date NOT NULL,
  expires_on  date NOT NULL,
  returned_on date,
  scope_key   text COLLATE "C" NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CHECK (expires_on > issued_on),
  CONSTRAINT mobile_card_no_uq UNIQUE (issued_by, card_no)
);
CREATE INDEX mobile_card_scope_idx ON mobile_card (scope_key, expires_on);
CREATE UNIQUE INDEX mobile_card_one_current_uq ON mobile_card (member_id) WHERE returned_on IS NULL;

-- ── Instructors at platforms and stations ──────────────────────────────────────────────────
-- Two more targets. instructor_reach (0011) is unchanged: an assignment to a platform or a
-- station reaches no market entity, so entity work coverage is computed exactly as before; the
-- sector coverage below reads these assignments.
ALTER TABLE instructor_assignment ADD COLUMN platform_id bigint REFERENCES platform(id) ON DELETE CASCADE;
ALTER TABLE instructor_assignment ADD COLUMN delivery_station_id bigint REFERENCES delivery_station(id) ON DELETE CASCADE;
DO $$
DECLARE
  c text;
BEGIN
  FOR c IN SELECT conname FROM pg_constraint WHERE conrelid = 'instructor_assignment'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%target%' LOOP
    EXECUTE format('ALTER TABLE instructor_assignment DROP CONSTRAINT %I', c);
  END LOOP;
END $$;
ALTER TABLE instructor_assignment ADD CONSTRAINT instructor_assignment_target_check CHECK (target IN ('entity','zone','org','platform','delivery_station'));
ALTER TABLE instructor_assignment ADD CONSTRAINT instructor_assignment_target_id_check CHECK (
  (target = 'entity') = (entity_id IS NOT NULL) AND (target = 'zone') = (zone_id IS NOT NULL) AND (target = 'org') = (org_id IS NOT NULL)
  AND (target = 'platform') = (platform_id IS NOT NULL) AND (target = 'delivery_station') = (delivery_station_id IS NOT NULL));
DROP INDEX instructor_assignment_open_uq;
CREATE UNIQUE INDEX instructor_assignment_open_uq ON instructor_assignment (instructor_id, target, coalesce(entity_id, zone_id, org_id, platform_id, delivery_station_id)) WHERE end_on IS NULL;
CREATE INDEX instructor_assignment_platform_idx ON instructor_assignment (platform_id) WHERE end_on IS NULL AND platform_id IS NOT NULL;
CREATE INDEX instructor_assignment_station_idx ON instructor_assignment (delivery_station_id) WHERE end_on IS NULL AND delivery_station_id IS NOT NULL;

-- ── Platform contact points (外卖平台党建联系点): the points of 0013, one more subject ─────────
ALTER TABLE recognition_point ADD COLUMN platform_id bigint REFERENCES platform(id) ON DELETE CASCADE;
DO $$
DECLARE
  c text;
BEGIN
  FOR c IN SELECT conname FROM pg_constraint WHERE conrelid = 'recognition_point'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%subject_type%' LOOP
    EXECUTE format('ALTER TABLE recognition_point DROP CONSTRAINT %I', c);
  END LOOP;
END $$;
ALTER TABLE recognition_point ADD CONSTRAINT recognition_point_subject_type_check CHECK (subject_type IN ('entity','org','zone','platform'));
ALTER TABLE recognition_point ADD CONSTRAINT recognition_point_subject_check CHECK (
  (subject_type = 'entity') = (entity_id IS NOT NULL) AND (subject_type = 'org') = (org_id IS NOT NULL) AND (subject_type = 'zone') = (zone_id IS NOT NULL)
  AND (subject_type = 'platform') = (platform_id IS NOT NULL));
DROP INDEX recognition_point_active_uq;
CREATE UNIQUE INDEX recognition_point_active_uq ON recognition_point (kind, level, subject_type, coalesce(entity_id, org_id, zone_id, platform_id)) WHERE status = 'active';

-- ── Coverage of the sector ─────────────────────────────────────────────────────────────────
-- The definitions of src/domain/platforms/coverage.ts (the two coverages applied to platforms
-- and stations): operating = an active platform / an open station; organization = an established
-- party organization linked to it, or covering the market entity it is registered as; work =
-- that, or an instructor assigned to it in force, or the work coverage of its market entity.
-- Owned by the migration's role, it reads organizations of any scope (a city's mobile branch may
-- serve a county's station): callers filter by a node of their own subtree.
CREATE VIEW new_employment_coverage_facts AS
SELECT 'platform'::text AS unit_type, p.id AS unit_id, p.id AS platform_id, p.scope_key, p.status = 'active' AS operating,
  (o.unit_id IS NOT NULL OR coalesce(ec.any_org, false)) AS any_org,
  (o.unit_id IS NOT NULL OR coalesce(ec.work, false) OR EXISTS (SELECT 1 FROM instructor_assignment a WHERE a.platform_id = p.id AND a.end_on IS NULL)) AS work
FROM platform p
LEFT JOIN entity_coverage ec ON ec.entity_id = p.entity_id
LEFT JOIN (SELECT DISTINCT u.platform_id AS unit_id FROM party_org_unit u JOIN party_org po ON po.id = u.org_id
           WHERE po.body = 'party' AND po.status = 'established' AND u.platform_id IS NOT NULL) o ON o.unit_id = p.id
UNION ALL
SELECT 'delivery_station', s.id, s.platform_id, s.scope_key, s.status = 'open',
  (o.unit_id IS NOT NULL OR coalesce(ec.any_org, false)),
  (o.unit_id IS NOT NULL OR coalesce(ec.work, false) OR EXISTS (SELECT 1 FROM instructor_assignment a WHERE a.delivery_station_id = s.id AND a.end_on IS NULL))
FROM delivery_station s
LEFT JOIN entity_coverage ec ON ec.entity_id = s.entity_id
LEFT JOIN (SELECT DISTINCT u.delivery_station_id AS unit_id FROM party_org_unit u JOIN party_org po ON po.id = u.org_id
           WHERE po.body = 'party' AND po.status = 'established' AND u.delivery_station_id IS NOT NULL) o ON o.unit_id = s.id;

-- ── Assistance programs (帮扶) ───────────────────────────────────────────────────────────────
-- A program hangs on the node that runs it (those below read it, to take part); each
-- participating entity's line (what was done, the outcome) carries the entity's scope key.
CREATE TABLE assistance_program (
  id                 bigserial PRIMARY KEY,
  name               text NOT NULL,
  business_line      text NOT NULL,
  starts_on          date NOT NULL,
  ends_on            date NOT NULL,
  description        text,
  jurisdiction_code  text NOT NULL REFERENCES jurisdiction(code),
  scope_key          text COLLATE "C" NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_on >= starts_on),
  CONSTRAINT assistance_program_name_uq UNIQUE (jurisdiction_code, name)
);
CREATE INDEX assistance_program_scope_idx ON assistance_program (scope_key);

CREATE TABLE assistance_entity (
  id           bigserial PRIMARY KEY,
  program_id   bigint NOT NULL REFERENCES assistance_program(id) ON DELETE CASCADE,
  entity_id    bigint NOT NULL REFERENCES entity(id) ON DELETE CASCADE,
  joined_on    date NOT NULL,
  problem      text,
  actions      text,
  outcome      text NOT NULL DEFAULT 'ongoing' CHECK (outcome IN ('ongoing','resolved','improved','unresolved')),
  outcome_note text,
  scope_key    text COLLATE "C" NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT assistance_entity_uq UNIQUE (program_id, entity_id)
);
CREATE INDEX assistance_entity_scope_idx ON assistance_entity (scope_key);

-- Business lines (业务条线), a configurable code list; the case engine routes by the same list.
INSERT INTO dictionary (kind, code, label, sort_order) VALUES
  ('business_line','quality','质量',1), ('business_line','metrology','计量',2), ('business_line','registration','登记注册',3),
  ('business_line','credit','信用',4), ('business_line','online','网络监管',5), ('business_line','food','食品',6),
  ('business_line','standards','标准',7), ('business_line','certification','认证认可',8), ('business_line','special_equipment','特种设备',9),
  ('business_line','other','其他',10)
ON CONFLICT (kind, code) DO NOTHING;

-- ── History, privileges, row-level security ────────────────────────────────────────────────
CREATE TRIGGER platform_history AFTER INSERT OR UPDATE OR DELETE ON platform FOR EACH ROW EXECUTE FUNCTION xgz_history();
CREATE TRIGGER platform_partner_history AFTER INSERT OR UPDATE OR DELETE ON platform_partner FOR EACH ROW EXECUTE FUNCTION xgz_history();
CREATE TRIGGER delivery_station_history AFTER INSERT OR UPDATE OR DELETE ON delivery_station FOR EACH ROW EXECUTE FUNCTION xgz_history();
CREATE TRIGGER rider_person_history AFTER INSERT OR UPDATE OR DELETE ON rider_person FOR EACH ROW EXECUTE FUNCTION xgz_history();
CREATE TRIGGER party_org_unit_history AFTER INSERT OR DELETE ON party_org_unit FOR EACH ROW EXECUTE FUNCTION xgz_history();
CREATE TRIGGER mobile_card_history AFTER INSERT OR UPDATE OR DELETE ON mobile_card FOR EACH ROW EXECUTE FUNCTION xgz_history();
CREATE TRIGGER assistance_entity_history AFTER INSERT OR UPDATE OR DELETE ON assistance_entity FOR EACH ROW EXECUTE FUNCTION xgz_history();

-- Riders on record are visible where their station is.
CREATE OR REPLACE FUNCTION xgz_person_visible(pid bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM entity_person ep WHERE ep.person_id = pid AND xgz_in_scope(ep.scope_key))
      OR EXISTS (SELECT 1 FROM member m WHERE m.person_id = pid AND xgz_member_visible(m.id, m.scope_key))
      OR EXISTS (SELECT 1 FROM party_org_member om WHERE om.person_id = pid AND xgz_in_scope(om.scope_key))
      OR EXISTS (SELECT 1 FROM instructor i WHERE i.person_id = pid AND xgz_in_scope(i.scope_key))
      OR EXISTS (SELECT 1 FROM rider_person r WHERE r.person_id = pid AND xgz_in_scope(r.scope_key))
$$;

GRANT SELECT, INSERT, UPDATE, DELETE ON platform, platform_partner, delivery_station, rider_count, rider_person, party_org_unit, mobile_card, assistance_program, assistance_entity TO xgz_app;
GRANT SELECT ON new_employment_coverage_facts TO xgz_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO xgz_app;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['platform_partner','delivery_station','rider_count','rider_person','party_org_unit','mobile_card','assistance_entity'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %1$s_scope ON %1$I USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key))', t);
  END LOOP;
  -- Programs: read below the organizer too (to take part); written by the organizer's subtree.
  EXECUTE 'ALTER TABLE assistance_program ENABLE ROW LEVEL SECURITY';
  EXECUTE 'CREATE POLICY assistance_program_read ON assistance_program FOR SELECT USING (xgz_in_scope(scope_key) OR starts_with(xgz_scope(), scope_key))';
  EXECUTE 'CREATE POLICY assistance_program_insert ON assistance_program FOR INSERT WITH CHECK (xgz_in_scope(scope_key))';
  EXECUTE 'CREATE POLICY assistance_program_update ON assistance_program FOR UPDATE USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key))';
  EXECUTE 'CREATE POLICY assistance_program_delete ON assistance_program FOR DELETE USING (xgz_in_scope(scope_key))';
END $$;

-- Platforms: see the header. The stations and partner firms consulted are those the caller reads.
ALTER TABLE platform ENABLE ROW LEVEL SECURITY;
CREATE POLICY platform_read ON platform FOR SELECT USING (
  xgz_in_scope(scope_key) OR starts_with(xgz_scope(), scope_key)
  OR EXISTS (SELECT 1 FROM delivery_station s WHERE s.platform_id = platform.id)
  OR EXISTS (SELECT 1 FROM platform_partner pp WHERE pp.platform_id = platform.id));
CREATE POLICY platform_insert ON platform FOR INSERT WITH CHECK (xgz_in_scope(scope_key));
CREATE POLICY platform_update ON platform FOR UPDATE USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key));
CREATE POLICY platform_delete ON platform FOR DELETE USING (xgz_in_scope(scope_key));
