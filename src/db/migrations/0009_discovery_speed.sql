-- Discovery reads hundreds of thousands of members, persons and roles at once. Under row-level
-- security the policies of person and member (EXISTS probes, per row) ran for every row a join
-- scanned, and most of a run's time went there. These functions run as their owner and apply the
-- caller's scope themselves, set-based and exactly as restrictive as the policies:
--   * a member is seen when its own scope key is in scope, or a link in scope names it
--     (member_read: xgz_member_visible);
--   * a role, an entity, and the person in that role, only through a role of an entity in scope
--     (entity_person_scope, entity_scope, person_visible);
--   * a member's own person is seen with the member (person_visible's second branch).
-- The scope is read from xgz_scope() (the setting of the caller's transaction, SET LOCAL by
-- runScoped), never from an argument: no caller can widen it. Without a scope set they return nothing.

-- The scope is read once per call into lo/hi (the bounds xgz_in_scope tests), so the planner
-- sees constants rather than a setting read again for every row.

-- Members the caller sees, with their person's comparison fields.
CREATE FUNCTION xgz_discovery_members()
RETURNS TABLE (id bigint, person_id bigint, org_relation text, member_status text, scope_key text, sources text[], name text, birth_date date, phone_bi text, has_id boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public SET jit = off SET enable_mergejoin = off AS $$
DECLARE
  lo text := xgz_scope();
  hi text := xgz_scope() || '~';
BEGIN
  IF lo IS NULL THEN RETURN; END IF;
  RETURN QUERY
    SELECT m.id, m.person_id, m.org_relation, m.member_status, m.scope_key::text, m.sources, p.name, p.birth_date, p.phone_bi, p.id_bi IS NOT NULL
    FROM member m JOIN person p ON p.id = m.person_id
    WHERE (m.scope_key >= lo COLLATE "C" AND m.scope_key < hi COLLATE "C")
       OR m.id IN (SELECT l.member_id FROM member_link l WHERE l.scope_key >= lo COLLATE "C" AND l.scope_key < hi COLLATE "C");
END $$;

-- Exact links: a member the caller sees whose person (one row per ID number's blind index) holds
-- a role in an operating entity in scope.
CREATE FUNCTION xgz_discovery_exact()
RETURNS TABLE (member_id bigint, entity_person_id bigint, entity_id bigint, scope_key text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public SET jit = off AS $$
DECLARE
  lo text := xgz_scope();
  hi text := xgz_scope() || '~';
BEGIN
  IF lo IS NULL THEN RETURN; END IF;
  RETURN QUERY
    SELECT m.id, ep.id, ep.entity_id, ep.scope_key::text
    FROM member m
    JOIN entity_person ep ON ep.person_id = m.person_id
    JOIN entity e ON e.id = ep.entity_id
    WHERE e.status = 'active' AND ep.scope_key >= lo COLLATE "C" AND ep.scope_key < hi COLLATE "C" AND e.scope_key >= lo COLLATE "C" AND e.scope_key < hi COLLATE "C"
      AND ((m.scope_key >= lo COLLATE "C" AND m.scope_key < hi COLLATE "C")
        OR m.id IN (SELECT l.member_id FROM member_link l WHERE l.scope_key >= lo COLLATE "C" AND l.scope_key < hi COLLATE "C"));
END $$;

-- Candidate roles for the members the caller sees that are vouched for (not only declared) and
-- not linked by ID number (found_by_id: the members the caller's exact step just linked; the
-- argument can only leave members out) or by staff: people in roles of operating entities in
-- scope who share with the member
--   * the birth date or the phone (blind index), with a name of the same length whose first
--     character sounds the same: shares a reading (sound_char/sound_reading: each character's
--     pinyin readings, all of a polyphone's, computed by the caller; a character without one is
--     its own), or
--   * the name, with a birth date that differs by a typo: digits of the year, of the month or of
--     the day only, or two adjacent digits swapped across year and month or month and day.
-- Other pairs can never be linked (compareNames, compareDates and decide in domain/matching), so
-- leaving them out changes no result; the arguments can only narrow the pairs, never reach beyond
-- scope. The unlinked members are staged in temporary tables, so that the planner knows how few
-- they are and hashes them against one scan of the persons per block.
CREATE FUNCTION xgz_discovery_candidates(sound_char text[], sound_reading text[], found_by_id bigint[])
RETURNS TABLE (member_id bigint, role_id bigint, entity_id bigint, person_id bigint, scope_key text, name text, birth_date date, phone_bi text, has_id boolean, county_code text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public SET work_mem = '256MB' SET jit = off AS $$
DECLARE
  lo text := xgz_scope();
  hi text := xgz_scope() || '~';
  nestloop text := current_setting('enable_nestloop');
BEGIN
  IF lo IS NULL THEN RETURN; END IF;
  DROP TABLE IF EXISTS pg_temp.xgz_um, pg_temp.xgz_sound, pg_temp.xgz_keyed, pg_temp.xgz_pairs;
  CREATE TEMP TABLE xgz_um ON COMMIT DROP AS
    SELECT m.id, p.name, p.birth_date, p.phone_bi, length(p.name) AS len, left(p.name, 1) AS c1,
      extract(year FROM p.birth_date)::int AS y, extract(month FROM p.birth_date)::int AS mo, extract(day FROM p.birth_date)::int AS d
    FROM member m JOIN person p ON p.id = m.person_id
    WHERE ((m.scope_key >= lo COLLATE "C" AND m.scope_key < hi COLLATE "C")
        OR m.id IN (SELECT l.member_id FROM member_link l WHERE l.scope_key >= lo COLLATE "C" AND l.scope_key < hi COLLATE "C"))
      AND NOT (m.sources <@ ARRAY['declared'])
      AND m.id NOT IN (SELECT unnest(found_by_id))
      AND m.id NOT IN (SELECT l.member_id FROM member_link l WHERE l.method = 'staff' AND l.scope_key >= lo COLLATE "C" AND l.scope_key < hi COLLATE "C");
  CREATE TEMP TABLE xgz_sound ON COMMIT DROP AS SELECT DISTINCT ch, r FROM unnest(sound_char, sound_reading) AS s(ch, r);
  CREATE TEMP TABLE xgz_keyed ON COMMIT DROP AS
    SELECT DISTINCT um.id, um.birth_date, um.phone_bi, um.len, coalesce(s.r, '#' || um.c1) AS r FROM xgz_um um LEFT JOIN xgz_sound s ON s.ch = um.c1;
  ANALYZE pg_temp.xgz_um;
  ANALYZE pg_temp.xgz_sound;
  ANALYZE pg_temp.xgz_keyed;
  -- One hash join per block over all persons (an index probe per member would fetch more).
  PERFORM set_config('enable_nestloop', 'off', true);
  -- Persons with the sound of their first character, joined on all three keys at once (OFFSET 0
  -- keeps the sound lookup below the join), and the compared fields kept for the result.
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

REVOKE ALL ON FUNCTION xgz_discovery_members(), xgz_discovery_exact(), xgz_discovery_candidates(text[], text[], bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION xgz_discovery_members(), xgz_discovery_exact(), xgz_discovery_candidates(text[], text[], bigint[]) TO xgz_app;
