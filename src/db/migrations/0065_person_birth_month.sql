-- A birth date known to the month only (a hand-kept roster's 出生年月 "1980.03", no ID number):
-- stored as person.birth_month ('1980-03') instead of dropped, shown where the birth date is, and
-- used by discovery: the people of the member's name born in that month are candidates (the typo
-- part), and the month agreeing is a level of its own in the model (domain/matching). A whole date,
-- once known, replaces it.
ALTER TABLE person ADD COLUMN birth_month text
  CONSTRAINT person_birth_month_check CHECK (birth_month IS NULL OR (birth_month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$' AND birth_date IS NULL));
GRANT UPDATE (birth_month) ON person TO xgz_app;

DROP FUNCTION xgz_discovery_members();
CREATE FUNCTION xgz_discovery_members()
RETURNS TABLE (id bigint, person_id bigint, org_relation text, member_status text, scope_key text, sources text[], name text, birth_date date, phone_bi text, has_id boolean, birth_month text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public SET jit = off SET enable_mergejoin = off AS $$
DECLARE
  lo text := xgz_scope();
  hi text := xgz_scope() || '~';
  up text[] := xgz_scope_ancestors(xgz_scope());
BEGIN
  IF lo IS NULL THEN RETURN; END IF;
  RETURN QUERY
    SELECT m.id, m.person_id, m.org_relation, m.member_status, m.scope_key::text, m.sources, p.name, p.birth_date, p.phone_bi, p.id_bi IS NOT NULL, p.birth_month
    FROM member m CROSS JOIN LATERAL (SELECT * FROM person p WHERE p.id = m.person_id OFFSET 0) p
    WHERE (m.scope_key >= lo COLLATE "C" AND m.scope_key < hi COLLATE "C")
       OR m.scope_key = ANY(up)
       OR EXISTS (SELECT 1 FROM member_link l WHERE l.member_id = m.id AND l.scope_key >= lo COLLATE "C" AND l.scope_key < hi COLLATE "C");
END $$;
REVOKE ALL ON FUNCTION xgz_discovery_members() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION xgz_discovery_members() TO xgz_app;

CREATE OR REPLACE FUNCTION xgz_discovery_candidates(sound_char text[], sound_reading text[], found_by_id bigint[], blocks text[] DEFAULT ARRAY['date', 'phone', 'typo'])
RETURNS TABLE (member_id bigint, role_id bigint, entity_id bigint, person_id bigint, scope_key text, name text, birth_date date, phone_bi text, has_id boolean, county_code text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public SET work_mem = '256MB' SET jit = off AS $$
DECLARE
  lo text := xgz_scope();
  hi text := xgz_scope() || '~';
  up text[] := xgz_scope_ancestors(xgz_scope());
  nestloop text := current_setting('enable_nestloop');
  mergejoin text := current_setting('enable_mergejoin');
BEGIN
  IF lo IS NULL THEN RETURN; END IF;
  DROP TABLE IF EXISTS pg_temp.xgz_um, pg_temp.xgz_sound, pg_temp.xgz_keyed, pg_temp.xgz_named, pg_temp.xgz_typo, pg_temp.xgz_pairs;
  CREATE TEMP TABLE xgz_um ON COMMIT DROP AS
    SELECT m.id, p.name, p.birth_date, p.birth_month, p.phone_bi, length(p.name) AS len, left(p.name, 1) AS c1,
      extract(year FROM p.birth_date)::int AS y, extract(month FROM p.birth_date)::int AS mo, extract(day FROM p.birth_date)::int AS d
    FROM member m CROSS JOIN LATERAL (SELECT * FROM person p WHERE p.id = m.person_id OFFSET 0) p
    WHERE ((m.scope_key >= lo COLLATE "C" AND m.scope_key < hi COLLATE "C")
        OR m.scope_key = ANY(up)
        OR EXISTS (SELECT 1 FROM member_link l WHERE l.member_id = m.id AND l.scope_key >= lo COLLATE "C" AND l.scope_key < hi COLLATE "C"))
      AND NOT (m.sources <@ ARRAY['declared'])
      AND NOT EXISTS (SELECT 1 FROM unnest(found_by_id) AS f(id) WHERE f.id = m.id)
      AND NOT EXISTS (SELECT 1 FROM member_link l WHERE l.member_id = m.id AND l.method = 'staff' AND l.scope_key >= lo COLLATE "C" AND l.scope_key < hi COLLATE "C");
  CREATE TEMP TABLE xgz_sound ON COMMIT DROP AS SELECT DISTINCT ch, r FROM unnest(sound_char, sound_reading) AS s(ch, r);
  CREATE INDEX ON xgz_sound (ch);
  -- With each member its first three characters and the sounds of its second (for the date block).
  CREATE TEMP TABLE xgz_keyed ON COMMIT DROP AS
    SELECT DISTINCT um.id, um.birth_date, um.phone_bi, um.len, coalesce(s.r, '#' || um.c1) AS r, um.c1,
      substr(um.name, 2, 1) AS c2, substr(um.name, 3, 1) AS c3,
      coalesce((SELECT array_agg(s2.r) FROM xgz_sound s2 WHERE s2.ch = substr(um.name, 2, 1)), ARRAY['#' || substr(um.name, 2, 1)]) AS r2s
    FROM xgz_um um LEFT JOIN xgz_sound s ON s.ch = um.c1
    WHERE blocks && ARRAY['date', 'phone'];
  ANALYZE pg_temp.xgz_um;
  ANALYZE pg_temp.xgz_sound;
  ANALYZE pg_temp.xgz_keyed;
  -- The typo blocks: each member's birth date with its typos (xgz_birth_date_typos), and the people
  -- who share a name with a member with their birth dates as digits, joined on both.
  CREATE TEMP TABLE xgz_typo ON COMMIT DROP AS
    SELECT t.birth_date, unnest(xgz_birth_date_typos(t.birth_date)) AS digits
    FROM (SELECT DISTINCT um.birth_date FROM xgz_um um WHERE 'typo' = ANY(blocks) AND um.birth_date IS NOT NULL) t;
  CREATE TEMP TABLE xgz_named ON COMMIT DROP AS
    SELECT q.id, q.name, q.birth_date, q.phone_bi, q.id_bi IS NOT NULL AS has_id, to_char(q.birth_date, 'YYYYMMDD') AS digits
    FROM person q WHERE 'typo' = ANY(blocks) AND q.name IN (SELECT um.name FROM xgz_um um);
  ANALYZE pg_temp.xgz_typo;
  ANALYZE pg_temp.xgz_named;
  PERFORM set_config('enable_nestloop', 'off', true);
  PERFORM set_config('enable_mergejoin', 'off', true);
  CREATE TEMP TABLE xgz_pairs ON COMMIT DROP AS
    SELECT k.id AS member_id, q.id AS qid, q.name, q.birth_date, q.phone_bi, q.has_id
    FROM (SELECT q.id, q.name, q.birth_date, q.phone_bi, q.id_bi IS NOT NULL AS has_id, length(q.name) AS len, coalesce(s.r, '#' || left(q.name, 1)) AS r
          FROM person q LEFT JOIN xgz_sound s ON s.ch = left(q.name, 1) OFFSET 0) q
    JOIN xgz_keyed k ON k.birth_date = q.birth_date AND k.len = q.len AND k.r = q.r
    WHERE 'date' = ANY(blocks)
      AND (substr(q.name, 2, 1) = k.c2 OR (left(q.name, 1) = k.c1 AND substr(q.name, 3, 1) = k.c3)
        OR EXISTS (SELECT 1 FROM xgz_sound s WHERE s.ch = substr(q.name, 2, 1) AND s.r = ANY(k.r2s)))
    UNION
    SELECT um.id, q.id, q.name, q.birth_date, q.phone_bi, q.has_id FROM xgz_um um
      JOIN xgz_typo t ON t.birth_date = um.birth_date
      JOIN xgz_named q ON q.name = um.name AND q.digits = t.digits
    WHERE NOT coalesce(q.phone_bi = um.phone_bi, false)
    UNION
    -- A member born in a month known only to the month: the people of its name born in it.
    SELECT um.id, q.id, q.name, q.birth_date, q.phone_bi, q.has_id FROM xgz_um um
      JOIN xgz_named q ON q.name = um.name AND left(q.digits, 6) = replace(um.birth_month, '-', '')
    WHERE um.birth_month IS NOT NULL AND NOT coalesce(q.phone_bi = um.phone_bi, false);
  PERFORM set_config('enable_nestloop', nestloop, true);
  PERFORM set_config('enable_mergejoin', mergejoin, true);
  -- The phone block: the members' phones looked up in person's phone index (few), not a pass over
  -- every person; disjoint from the others as before (a pair born the same day is the date block's).
  INSERT INTO xgz_pairs
    SELECT DISTINCT k.id, q.id, q.name, q.birth_date, q.phone_bi, q.id_bi IS NOT NULL
    FROM xgz_keyed k CROSS JOIN LATERAL (SELECT * FROM person q WHERE q.phone_bi = k.phone_bi OFFSET 0) q
    WHERE 'phone' = ANY(blocks) AND length(q.name) = k.len
      AND (k.r = '#' || left(q.name, 1) OR EXISTS (SELECT 1 FROM xgz_sound s WHERE s.ch = left(q.name, 1) AND s.r = k.r))
      AND NOT coalesce(k.birth_date = q.birth_date, false);
  ANALYZE pg_temp.xgz_pairs;
  RETURN QUERY
    SELECT pairs.member_id, ep.id, ep.entity_id, pairs.qid, ep.scope_key::text, pairs.name, pairs.birth_date, pairs.phone_bi, pairs.has_id, e.county_code
    FROM xgz_pairs pairs
    CROSS JOIN LATERAL (SELECT * FROM entity_person ep WHERE ep.person_id = pairs.qid AND ep.scope_key >= lo COLLATE "C" AND ep.scope_key < hi COLLATE "C" OFFSET 0) ep
    CROSS JOIN LATERAL (SELECT * FROM entity e WHERE e.id = ep.entity_id AND e.status = 'active' AND e.scope_key >= lo COLLATE "C" AND e.scope_key < hi COLLATE "C" OFFSET 0) e;
  DROP TABLE pg_temp.xgz_um, pg_temp.xgz_sound, pg_temp.xgz_keyed, pg_temp.xgz_named, pg_temp.xgz_typo, pg_temp.xgz_pairs;
END $$;
