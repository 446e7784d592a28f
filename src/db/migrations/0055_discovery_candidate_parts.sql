-- Discovery's candidate pairs at a province (issue 18). At 5M entities loading the candidates took
-- 125 of discovery's 415 s: 3.3M pairs (0.15M at 1M: the blocks grow with members × people born the
-- same day), each joined to its roles, sent to the app and scored there, and every block a pass
-- over every person. Four changes, each giving the same links (the 1M province bench: 134,348 links,
-- precision 0.995, recall 0.989, before and after):
--  1. Parts. The function computes the blocks it is asked for (`blocks`: date, phone, typo; all by
--     default), so that a run asks for the date and phone blocks on one connection and the typo
--     blocks on another (run.ts). The blocks are disjoint, so the parts' pairs are simply put
--     together: the phone block leaves out a pair born the same day (the date block's), the typo
--     blocks one sharing the phone (the phone block's). Splitting the members instead (tried) made
--     every part scan every person again.
--  2. The date block keeps a pair only if the names can be close as decide() judges them (the same,
--     the same sounds, or one character after the first replaced): the second characters are the
--     same or sound the same, or the first and third are the same (a two-character name has no
--     third). Filtered on the pairs: another pass over every person with a second sound lookup cost
--     more than the pairs it saved.
--  3. The typo blocks (namesakes whose dates share parts) keep a pair only if the dates differ by a
--     typo as compareDates judges it: with the same name a link needs that or the same phone, and a
--     pair with the same phone is the phone block's.
--  4. The phone block, the members' persons and the pairs' roles and entities are looked up by
--     index, not by hashing every person, role and entity of the province (the planner chose the
--     hashes for tens of thousands of lookups).
-- At 1M: 154,771 -> 47,165 candidate pairs.

-- Two birth dates that differ by a typo as domain/matching's compareDates judges it ('transposed'):
-- one digit of YYYYMMDD wrong, or two neighbouring digits swapped. Written out digit by digit
-- (no loop) because it is asked of every pair of namesakes the typo blocks find.
CREATE FUNCTION xgz_digits_typo(a text, b text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE (substr(a, 1, 1) <> substr(b, 1, 1))::int + (substr(a, 2, 1) <> substr(b, 2, 1))::int + (substr(a, 3, 1) <> substr(b, 3, 1))::int + (substr(a, 4, 1) <> substr(b, 4, 1))::int + (substr(a, 5, 1) <> substr(b, 5, 1))::int + (substr(a, 6, 1) <> substr(b, 6, 1))::int + (substr(a, 7, 1) <> substr(b, 7, 1))::int + (substr(a, 8, 1) <> substr(b, 8, 1))::int
    WHEN 1 THEN true
    WHEN 2 THEN (substr(a, 1, 2) = reverse(substr(b, 1, 2)) AND substr(a, 1, 1) <> substr(a, 2, 1)) OR (substr(a, 2, 2) = reverse(substr(b, 2, 2)) AND substr(a, 2, 1) <> substr(a, 3, 1)) OR (substr(a, 3, 2) = reverse(substr(b, 3, 2)) AND substr(a, 3, 1) <> substr(a, 4, 1)) OR (substr(a, 4, 2) = reverse(substr(b, 4, 2)) AND substr(a, 4, 1) <> substr(a, 5, 1)) OR (substr(a, 5, 2) = reverse(substr(b, 5, 2)) AND substr(a, 5, 1) <> substr(a, 6, 1)) OR (substr(a, 6, 2) = reverse(substr(b, 6, 2)) AND substr(a, 6, 1) <> substr(a, 7, 1)) OR (substr(a, 7, 2) = reverse(substr(b, 7, 2)) AND substr(a, 7, 1) <> substr(a, 8, 1))
    ELSE false END
$$;

CREATE FUNCTION xgz_birth_date_typo(a date, b date) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT xgz_digits_typo(to_char(a, 'YYYYMMDD'), to_char(b, 'YYYYMMDD'))
$$;

DROP FUNCTION xgz_discovery_candidates(text[], text[], bigint[]);

CREATE FUNCTION xgz_discovery_candidates(sound_char text[], sound_reading text[], found_by_id bigint[], blocks text[] DEFAULT ARRAY['date', 'phone', 'typo'])
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
  DROP TABLE IF EXISTS pg_temp.xgz_um, pg_temp.xgz_sound, pg_temp.xgz_keyed, pg_temp.xgz_named, pg_temp.xgz_pairs;
  CREATE TEMP TABLE xgz_um ON COMMIT DROP AS
    SELECT m.id, p.name, p.birth_date, p.phone_bi, length(p.name) AS len, left(p.name, 1) AS c1,
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
    FROM xgz_um um LEFT JOIN xgz_sound s ON s.ch = um.c1;
  ANALYZE pg_temp.xgz_um;
  ANALYZE pg_temp.xgz_sound;
  ANALYZE pg_temp.xgz_keyed;
  -- The people who share a name with a member, their birth dates in parts (for the typo blocks below).
  CREATE TEMP TABLE xgz_named ON COMMIT DROP AS
    SELECT q.id, q.name, q.birth_date, q.phone_bi, q.id_bi IS NOT NULL AS has_id,
      extract(year FROM q.birth_date)::int AS y, extract(month FROM q.birth_date)::int AS mo, extract(day FROM q.birth_date)::int AS d
    FROM person q WHERE 'typo' = ANY(blocks) AND q.name IN (SELECT um.name FROM xgz_um um);
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
      JOIN xgz_named q ON q.name = um.name AND q.mo = um.mo AND q.d = um.d WHERE xgz_birth_date_typo(q.birth_date, um.birth_date) AND NOT coalesce(q.phone_bi = um.phone_bi, false)
    UNION
    SELECT um.id, q.id, q.name, q.birth_date, q.phone_bi, q.has_id FROM xgz_um um
      JOIN xgz_named q ON q.name = um.name AND q.y = um.y AND div(q.mo, 10) = div(um.mo, 10) WHERE xgz_birth_date_typo(q.birth_date, um.birth_date) AND NOT coalesce(q.phone_bi = um.phone_bi, false)
    UNION
    SELECT um.id, q.id, q.name, q.birth_date, q.phone_bi, q.has_id FROM xgz_um um
      JOIN xgz_named q ON q.name = um.name AND q.d = um.d AND div(q.y, 10) = div(um.y, 10) WHERE xgz_birth_date_typo(q.birth_date, um.birth_date) AND NOT coalesce(q.phone_bi = um.phone_bi, false);
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
  DROP TABLE pg_temp.xgz_um, pg_temp.xgz_sound, pg_temp.xgz_keyed, pg_temp.xgz_named, pg_temp.xgz_pairs;
END $$;
