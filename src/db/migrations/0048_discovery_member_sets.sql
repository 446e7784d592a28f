-- The discovery run's member sets asked "is this member linked in scope?" as `m.id IN (SELECT
-- member_id FROM member_link ...)` under an OR. A subquery under an OR cannot become a join:
-- PostgreSQL runs it as a hashed subplan only while its estimated hash fits in work_mem, and
-- otherwise as a plain subplan that rescans every link in scope for every member not matched by
-- the other branches. On the Citus bench's 200k ledger a county's run went from 125 ms to 14 s
-- when the links outgrew work_mem (shown by lowering work_mem); a province user on a national
-- ledger would wait hours. EXISTS, correlated by member_id, is an index probe per member or a
-- hashed subplan, linear either way; NOT IN becomes NOT EXISTS (an anti-join) for the same
-- reason. Otherwise the functions are as in 0033 (issue 18).

CREATE OR REPLACE FUNCTION xgz_discovery_members()
RETURNS TABLE (id bigint, person_id bigint, org_relation text, member_status text, scope_key text, sources text[], name text, birth_date date, phone_bi text, has_id boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public SET jit = off SET enable_mergejoin = off AS $$
DECLARE
  lo text := xgz_scope();
  hi text := xgz_scope() || '~';
  up text[] := xgz_scope_ancestors(xgz_scope());
BEGIN
  IF lo IS NULL THEN RETURN; END IF;
  RETURN QUERY
    SELECT m.id, m.person_id, m.org_relation, m.member_status, m.scope_key::text, m.sources, p.name, p.birth_date, p.phone_bi, p.id_bi IS NOT NULL
    FROM member m JOIN person p ON p.id = m.person_id
    WHERE (m.scope_key >= lo COLLATE "C" AND m.scope_key < hi COLLATE "C")
       OR m.scope_key = ANY(up)
       OR EXISTS (SELECT 1 FROM member_link l WHERE l.member_id = m.id AND l.scope_key >= lo COLLATE "C" AND l.scope_key < hi COLLATE "C");
END $$;

CREATE OR REPLACE FUNCTION xgz_discovery_candidates(sound_char text[], sound_reading text[], found_by_id bigint[])
RETURNS TABLE (member_id bigint, role_id bigint, entity_id bigint, person_id bigint, scope_key text, name text, birth_date date, phone_bi text, has_id boolean, county_code text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public SET work_mem = '256MB' SET jit = off AS $$
DECLARE
  lo text := xgz_scope();
  hi text := xgz_scope() || '~';
  up text[] := xgz_scope_ancestors(xgz_scope());
  nestloop text := current_setting('enable_nestloop');
BEGIN
  IF lo IS NULL THEN RETURN; END IF;
  DROP TABLE IF EXISTS pg_temp.xgz_um, pg_temp.xgz_sound, pg_temp.xgz_keyed, pg_temp.xgz_pairs;
  CREATE TEMP TABLE xgz_um ON COMMIT DROP AS
    SELECT m.id, p.name, p.birth_date, p.phone_bi, length(p.name) AS len, left(p.name, 1) AS c1,
      extract(year FROM p.birth_date)::int AS y, extract(month FROM p.birth_date)::int AS mo, extract(day FROM p.birth_date)::int AS d
    FROM member m JOIN person p ON p.id = m.person_id
    WHERE ((m.scope_key >= lo COLLATE "C" AND m.scope_key < hi COLLATE "C")
        OR m.scope_key = ANY(up)
        OR EXISTS (SELECT 1 FROM member_link l WHERE l.member_id = m.id AND l.scope_key >= lo COLLATE "C" AND l.scope_key < hi COLLATE "C"))
      AND NOT (m.sources <@ ARRAY['declared'])
      AND NOT EXISTS (SELECT 1 FROM unnest(found_by_id) AS f(id) WHERE f.id = m.id)
      AND NOT EXISTS (SELECT 1 FROM member_link l WHERE l.member_id = m.id AND l.method = 'staff' AND l.scope_key >= lo COLLATE "C" AND l.scope_key < hi COLLATE "C");
  CREATE TEMP TABLE xgz_sound ON COMMIT DROP AS SELECT DISTINCT ch, r FROM unnest(sound_char, sound_reading) AS s(ch, r);
  CREATE TEMP TABLE xgz_keyed ON COMMIT DROP AS
    SELECT DISTINCT um.id, um.birth_date, um.phone_bi, um.len, coalesce(s.r, '#' || um.c1) AS r FROM xgz_um um LEFT JOIN xgz_sound s ON s.ch = um.c1;
  ANALYZE pg_temp.xgz_um;
  ANALYZE pg_temp.xgz_sound;
  ANALYZE pg_temp.xgz_keyed;
  PERFORM set_config('enable_nestloop', 'off', true);
  CREATE TEMP TABLE xgz_pairs ON COMMIT DROP AS
    SELECT k.id AS member_id, q.id AS qid, q.name, q.birth_date, q.phone_bi, q.has_id
    FROM (SELECT q.id, q.name, q.birth_date, q.phone_bi, q.id_bi IS NOT NULL AS has_id, length(q.name) AS len, coalesce(s.r, '#' || left(q.name, 1)) AS r
          FROM person q LEFT JOIN xgz_sound s ON s.ch = left(q.name, 1) OFFSET 0) q
    JOIN xgz_keyed k ON k.birth_date = q.birth_date AND k.len = q.len AND k.r = q.r
    UNION
    SELECT k.id, q.id, q.name, q.birth_date, q.phone_bi, q.has_id
    FROM (SELECT q.id, q.name, q.birth_date, q.phone_bi, q.id_bi IS NOT NULL AS has_id, length(q.name) AS len, coalesce(s.r, '#' || left(q.name, 1)) AS r
          FROM person q LEFT JOIN xgz_sound s ON s.ch = left(q.name, 1) WHERE q.phone_bi IS NOT NULL OFFSET 0) q
    JOIN xgz_keyed k ON k.phone_bi = q.phone_bi AND k.len = q.len AND k.r = q.r
    UNION
    SELECT um.id, q.id, q.name, q.birth_date, q.phone_bi, q.id_bi IS NOT NULL FROM xgz_um um JOIN person q ON q.name = um.name
      WHERE q.birth_date <> um.birth_date AND (
        (date_part('month', q.birth_date) = um.mo AND date_part('day', q.birth_date) = um.d)
        OR (date_part('year', q.birth_date) = um.y AND div(date_part('month', q.birth_date)::int, 10) = div(um.mo, 10))
        OR (date_part('day', q.birth_date) = um.d AND div(date_part('year', q.birth_date)::int, 10) = div(um.y, 10)));
  PERFORM set_config('enable_nestloop', nestloop, true);
  ANALYZE pg_temp.xgz_pairs;
  RETURN QUERY
    SELECT pairs.member_id, ep.id, ep.entity_id, pairs.qid, ep.scope_key::text, pairs.name, pairs.birth_date, pairs.phone_bi, pairs.has_id, e.county_code
    FROM xgz_pairs pairs
    JOIN entity_person ep ON ep.person_id = pairs.qid
    JOIN entity e ON e.id = ep.entity_id
    WHERE e.status = 'active' AND ep.scope_key >= lo COLLATE "C" AND ep.scope_key < hi COLLATE "C" AND e.scope_key >= lo COLLATE "C" AND e.scope_key < hi COLLATE "C";
  DROP TABLE pg_temp.xgz_um, pg_temp.xgz_sound, pg_temp.xgz_keyed, pg_temp.xgz_pairs;
END $$;
