-- What Citus 13.2 allows a ledger distributed by county_code (issue 18): the four facts the
-- design of the county-sharded ledger rests on, on throwaway tables (cx_*), dropped at the end.
--   psql "$CITUS_URL" -f bench/citus/ledger-probe.sql
-- Expected (2026-12-06, local coordinator + two workers): step 1 writes 4,286 history rows and a
-- tally of 4,286 (2,000 inserts, 286 and 2,000 updates); step 2 fails "cannot execute a distributed query from a query on a shard";
-- step 3 fails "modifying the partition value of rows is not allowed"; step 4 shows 100 and 301
-- rows where 33 are the caller's (a restrictive policy is permissive on the shards), then 33 and 33.
\set ON_ERROR_STOP 0
SET citus.enable_unsafe_triggers = on;
CREATE TABLE cx_entity (id bigint, county_code text NOT NULL, uscc text, name text,
  PRIMARY KEY (id, county_code), UNIQUE (uscc, county_code));
CREATE TABLE cx_hist (id bigserial, county_code text NOT NULL, entity_id bigint, what text, PRIMARY KEY (id, county_code));
CREATE TABLE cx_tally (county_code text PRIMARY KEY, n int NOT NULL DEFAULT 0);
CREATE TABLE cx_key (uscc text PRIMARY KEY, county_code text NOT NULL);
SELECT create_distributed_table('cx_entity', 'county_code');
SELECT create_distributed_table('cx_hist', 'county_code', colocate_with => 'cx_entity');
SELECT create_distributed_table('cx_tally', 'county_code', colocate_with => 'cx_entity');
SELECT create_reference_table('cx_key');

-- 1. A row trigger on a distributed table (created after distributing: Citus refuses to distribute
--    a table that has one) runs on the shard, and may write co-located tables for the same county:
--    history and the county's tally stay per-shard statements.
CREATE FUNCTION cx_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO cx_hist (county_code, entity_id, what) VALUES (NEW.county_code, NEW.id, TG_OP || ' ' || NEW.name);
  INSERT INTO cx_tally (county_code, n) VALUES (NEW.county_code, 1)
    ON CONFLICT (county_code) DO UPDATE SET n = cx_tally.n + 1;
  RETURN NEW;
END $$;
CREATE TRIGGER cx_history AFTER INSERT OR UPDATE ON cx_entity FOR EACH ROW EXECUTE FUNCTION cx_history();
INSERT INTO cx_entity SELECT g, (320100 + g % 7)::text, 'U' || g, 'n' || g FROM generate_series(1, 2000) g;
UPDATE cx_entity SET name = 'b' WHERE county_code = '320102';
UPDATE cx_entity SET name = 'c';
SELECT count(*) AS history_rows FROM cx_hist;
SELECT sum(n) AS tally FROM cx_tally;

-- 2. The same trigger may not write a reference table (a national key such as uscc → county):
--    that is a distributed query from a shard. National keys are the writer's, on the coordinator.
CREATE FUNCTION cx_key_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO cx_key VALUES (NEW.uscc, NEW.county_code);
  RETURN NEW;
END $$;
CREATE TRIGGER cx_key AFTER INSERT ON cx_entity FOR EACH ROW EXECUTE FUNCTION cx_key_trg();
INSERT INTO cx_entity VALUES (5001, '320102', 'U5001', 'x');
DROP TRIGGER cx_key ON cx_entity;

-- 3. A row cannot change county: an entity that moves is deleted and inserted (with its children).
UPDATE cx_entity SET county_code = '320104' WHERE id = 1;

-- 4. Row-level security on the shards: the scope set with SET LOCAL reaches them, but Citus copies a
--    policy to the shards without AS RESTRICTIVE, so a narrowing (a unit account's) is OR-ed in and
--    widens what is seen. Folded into the one permissive policy, it holds on router and multi-shard reads.
DO $$ BEGIN CREATE ROLE cx_app LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
SET citus.propagate_set_commands = 'local';
CREATE TABLE cx_rls (id bigint, county_code text NOT NULL, unit text, PRIMARY KEY (id, county_code));
SELECT create_distributed_table('cx_rls', 'county_code');
INSERT INTO cx_rls SELECT g, (320100 + g % 7)::text, 'u' || (g % 3) FROM generate_series(1, 700) g;
GRANT SELECT ON cx_rls TO cx_app;
ALTER TABLE cx_rls ENABLE ROW LEVEL SECURITY;
CREATE POLICY cx_scope ON cx_rls USING (county_code = current_setting('cx.scope', true));
CREATE POLICY cx_unit ON cx_rls AS RESTRICTIVE
  USING (coalesce(current_setting('cx.unit', true), '') = '' OR unit = current_setting('cx.unit', true));
BEGIN; SET LOCAL cx.scope = '320102'; SET LOCAL cx.unit = 'u1'; SET LOCAL ROLE cx_app;
SELECT count(*) AS restrictive_one_county FROM cx_rls WHERE county_code = '320102';
SELECT count(*) AS restrictive_all_shards FROM cx_rls;
ROLLBACK;
DROP POLICY cx_unit ON cx_rls;
DROP POLICY cx_scope ON cx_rls;
CREATE POLICY cx_scope ON cx_rls USING (county_code = current_setting('cx.scope', true)
  AND (coalesce(current_setting('cx.unit', true), '') = '' OR unit = current_setting('cx.unit', true)));
BEGIN; SET LOCAL cx.scope = '320102'; SET LOCAL cx.unit = 'u1'; SET LOCAL ROLE cx_app;
SELECT count(*) AS folded_one_county FROM cx_rls WHERE county_code = '320102';
SELECT count(*) AS folded_all_shards FROM cx_rls;
ROLLBACK;

DROP TABLE cx_hist, cx_tally, cx_key, cx_entity, cx_rls;
DROP FUNCTION cx_history(), cx_key_trg();
DROP ROLE cx_app;
