-- Issue 18: the open-case tally (0045, staged by 0111) is kept per county as well as per scope key
-- and state, so that on Citus it lives on the shard of the cases it counts: a statement trigger of
-- a distributed table runs on the shard and may write co-located shards of that worker, not the
-- coordinator's tables (bench/citus/ledger-probe.sql, facts 1 and 2). Its county is the case's
-- county_code (0245), not its scope's: a case that followed its entity to another county keeps
-- its shard, and so does its count. Readers already sum n per scope (indicators/sources/members.ts),
-- so a scope whose cases came from two counties (rare: a moved case) reads the same total.

ALTER TABLE discovery_case_tally ADD COLUMN county_code text;
DELETE FROM discovery_case_tally;
INSERT INTO discovery_case_tally (scope_key, state, county_code, n)
  SELECT scope_key, state, county_code, count(*) FROM discovery_case GROUP BY 1, 2, 3;
ALTER TABLE discovery_case_tally ALTER COLUMN county_code SET NOT NULL;
ALTER TABLE discovery_case_tally DROP CONSTRAINT discovery_case_tally_pkey;
ALTER TABLE discovery_case_tally ADD CONSTRAINT discovery_case_tally_pkey PRIMARY KEY (scope_key, state, county_code);

CREATE OR REPLACE FUNCTION xgz_discovery_case_tally_ins() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path TO 'public' AS $$
DECLARE news discovery_case[] := ARRAY(SELECT r::discovery_case FROM new_rows r);
BEGIN
  INSERT INTO discovery_case_tally AS t (scope_key, state, county_code, n)
  SELECT x.scope_key, x.state, x.county_code, sum(x.s) FROM (SELECT 1 AS s, scope_key, state, county_code FROM unnest(news)) x
  GROUP BY 1, 2, 3 HAVING sum(x.s) <> 0
  ORDER BY 1, 2, 3
  ON CONFLICT (scope_key, state, county_code) DO UPDATE SET n = t.n + excluded.n;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION xgz_discovery_case_tally_del() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path TO 'public' AS $$
DECLARE olds discovery_case[] := ARRAY(SELECT r::discovery_case FROM old_rows r);
BEGIN
  INSERT INTO discovery_case_tally AS t (scope_key, state, county_code, n)
  SELECT x.scope_key, x.state, x.county_code, sum(x.s) FROM (SELECT -1 AS s, scope_key, state, county_code FROM unnest(olds)) x
  GROUP BY 1, 2, 3 HAVING sum(x.s) <> 0
  ORDER BY 1, 2, 3
  ON CONFLICT (scope_key, state, county_code) DO UPDATE SET n = t.n + excluded.n;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION xgz_discovery_case_tally_upd() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path TO 'public' AS $$
DECLARE
  news discovery_case[] := ARRAY(SELECT r::discovery_case FROM new_rows r);
  olds discovery_case[] := ARRAY(SELECT r::discovery_case FROM old_rows r);
BEGIN
  INSERT INTO discovery_case_tally AS t (scope_key, state, county_code, n)
  SELECT x.scope_key, x.state, x.county_code, sum(x.s)
  FROM (SELECT -1 AS s, scope_key, state, county_code FROM unnest(olds) UNION ALL SELECT 1, scope_key, state, county_code FROM unnest(news)) x
  GROUP BY 1, 2, 3 HAVING sum(x.s) <> 0
  ORDER BY 1, 2, 3
  ON CONFLICT (scope_key, state, county_code) DO UPDATE SET n = t.n + excluded.n;
  RETURN NULL;
END $$;

-- The rebuild of every state tally (0045, 0050), with the case tally's county.
CREATE OR REPLACE FUNCTION xgz_state_tally_rebuild() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path TO 'public' AS $$
BEGIN
  DELETE FROM discovery_case_tally;
  INSERT INTO discovery_case_tally (scope_key, state, county_code, n)
  SELECT scope_key, state, county_code, count(*) FROM discovery_case GROUP BY 1, 2, 3;
  DELETE FROM sanliang_plaque_tally;
  INSERT INTO sanliang_plaque_tally (scope_key, state, n) SELECT scope_key, state, count(*) FROM sanliang_plaque GROUP BY 1, 2;
  DELETE FROM honour_tally;
  INSERT INTO honour_tally (scope_key, state, n) SELECT scope_key, state, count(*) FROM honour GROUP BY 1, 2;
  DELETE FROM instructor_assignment_tally;
  INSERT INTO instructor_assignment_tally (scope_key, state, n)
  SELECT scope_key, CASE WHEN end_on IS NULL THEN 'in_force' ELSE 'ended' END, count(*) FROM instructor_assignment GROUP BY 1, 2;
  DELETE FROM sanliang_tally;
  DELETE FROM sanliang_member;
  INSERT INTO sanliang_member (member_id, scope_keys)
  SELECT s.member_id, array_agg(DISTINCT s.scope_key::text ORDER BY s.scope_key::text) FROM sanliang s WHERE s.status = 'active' GROUP BY s.member_id;
  INSERT INTO sanliang_tally (scope_key, participants)
  SELECT k, count(*) FROM sanliang_member f CROSS JOIN LATERAL unnest(f.scope_keys) k GROUP BY k;
END $$;
