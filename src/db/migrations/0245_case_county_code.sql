-- Issue 18: the case group (discovery_case and its trail, case_event) carries the county it lives
-- in, the column Citus distributes by, and keys that include it — the schema groundwork for moving
-- the group onto the workers (bench/README.md, "## citus"). On PGlite and PostgreSQL nothing a
-- reader sees changes: scope (scope_key, row-level security) still decides who sees a case.
--
-- county_code is the first six digits of the case's scope when it is raised (a station's or a
-- county's scope starts with its county's code) and never changes afterwards: Citus refuses to
-- change a row's distribution column, and a foreign key that includes it may not cascade an
-- update. A case that follows its entity to another county (cases-follow) changes its scope_key
-- and keeps its county_code, i.e. its shard; the scope, not the shard, says who may see it.
-- Its trail lines carry the case's county_code, so a case and its trail stay on one shard.

ALTER TABLE discovery_case ADD COLUMN county_code text;
UPDATE discovery_case SET county_code = left(scope_key, 6);
ALTER TABLE discovery_case ALTER COLUMN county_code SET NOT NULL;

ALTER TABLE case_event ADD COLUMN county_code text;
UPDATE case_event e SET county_code = d.county_code FROM discovery_case d WHERE d.id = e.case_id;
ALTER TABLE case_event ALTER COLUMN county_code SET NOT NULL;

-- Citus wants every primary and unique key of a distributed table to include the distribution
-- column. `id` stays unique nationally by its sequence (the coordinator's, on Citus).
ALTER TABLE case_event DROP CONSTRAINT case_event_case_id_fkey;
ALTER TABLE discovery_case DROP CONSTRAINT discovery_case_pkey;
ALTER TABLE discovery_case ADD CONSTRAINT discovery_case_pkey PRIMARY KEY (id, county_code);
ALTER TABLE case_event DROP CONSTRAINT case_event_pkey;
ALTER TABLE case_event ADD CONSTRAINT case_event_pkey PRIMARY KEY (id, county_code);
-- Within the group a foreign key runs on (id, county_code): co-located, so Citus keeps it per shard.
ALTER TABLE case_event ADD CONSTRAINT case_event_case_id_fkey
  FOREIGN KEY (case_id, county_code) REFERENCES discovery_case (id, county_code) ON DELETE CASCADE;
DROP INDEX case_event_case_idx;
CREATE INDEX case_event_case_idx ON case_event (case_id, county_code, id);

-- One pending case per (kind, entity, member) and one live roster_absent case per member, now
-- per county. An entity that moved keeps its open case (cases-follow finds a case by its entity,
-- whatever its county, and moves it instead of raising a second one), so nothing doubles in practice.
DROP INDEX discovery_case_key_uq;
CREATE UNIQUE INDEX discovery_case_key_uq ON discovery_case (kind, entity_id, (COALESCE(member_id, 0)), county_code)
  WHERE kind <> 'self_report' AND state <> 'resolved';
DROP INDEX discovery_case_absent_uq;
CREATE UNIQUE INDEX discovery_case_absent_uq ON discovery_case (member_id, county_code)
  WHERE kind = 'roster_absent' AND state IN ('open', 'contacted', 'dismissed');
