-- Cases that follow the facts (issue 15).
--
-- A discovery case is raised while its condition holds (domain/cases/conditions.ts). When a later
-- change makes the condition false, an open case closes itself: state 'resolved', with the reason
-- and the change in its trail (case_event 'auto_closed'). When the condition returns, a new case is
-- raised: the key (kind, entity, member) is unique among the cases not resolved only, so a resolved
-- case stays in the ledger beside its successor and an open one is never duplicated.
ALTER TABLE discovery_case DROP CONSTRAINT discovery_case_state_check;
ALTER TABLE discovery_case ADD CONSTRAINT discovery_case_state_check CHECK (state IN ('open','contacted','confirmed','dismissed','transferred','resolved'));
ALTER TABLE discovery_case ADD COLUMN resolved_at timestamptz;
DROP INDEX discovery_case_key_uq;
CREATE UNIQUE INDEX discovery_case_key_uq ON discovery_case (kind, entity_id, (coalesce(member_id, 0))) WHERE kind <> 'self_report' AND state <> 'resolved';
-- The incremental path looks the cases of a batch's entities up.
CREATE INDEX discovery_case_entity_idx ON discovery_case (entity_id) WHERE state <> 'resolved';
CREATE INDEX member_link_member_idx ON member_link (member_id);

INSERT INTO dictionary (kind, code, label, sort_order) VALUES ('case_state','resolved','情况已变化，自动关闭',6) ON CONFLICT DO NOTHING;

-- The scope keys of the caller's node and of every node above it: where a roster that concerns
-- the caller's subtree may be held (a county-held roster serves its stations).
CREATE FUNCTION xgz_scope_ancestors(lo text) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  SELECT array_agg(left(lo, n)) FROM generate_series(0, length(lo)) AS n
$$;

-- Exact links (same person by ID number's blind index) between members, wherever their roster row
-- is held, and roles of operating entities in the caller's scope; entity_ids (NULL: all) narrows
-- to some entities. The caller learns of a member held elsewhere only through a role in its own
-- subtree, and the link it writes (scope: the role's) is what makes that member row visible to it
-- (member_read): a station sees the member rows linked to its entities, not the county's roster.
CREATE FUNCTION xgz_discovery_exact_in(entity_ids bigint[])
RETURNS TABLE (member_id bigint, entity_person_id bigint, entity_id bigint, scope_key text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public SET jit = off AS $$
DECLARE
  lo text := xgz_scope();
  hi text := xgz_scope() || '~';
BEGIN
  IF lo IS NULL THEN RETURN; END IF;
  IF entity_ids IS NULL THEN
    RETURN QUERY
      SELECT m.id, ep.id, ep.entity_id, ep.scope_key::text
      FROM entity_person ep
      JOIN entity e ON e.id = ep.entity_id
      JOIN member m ON m.person_id = ep.person_id
      WHERE e.status = 'active' AND ep.scope_key >= lo COLLATE "C" AND ep.scope_key < hi COLLATE "C" AND e.scope_key >= lo COLLATE "C" AND e.scope_key < hi COLLATE "C";
  ELSE
    RETURN QUERY
      SELECT m.id, ep.id, ep.entity_id, ep.scope_key::text
      FROM entity_person ep
      JOIN entity e ON e.id = ep.entity_id
      JOIN member m ON m.person_id = ep.person_id
      WHERE ep.entity_id = ANY(entity_ids) AND e.status = 'active'
        AND ep.scope_key >= lo COLLATE "C" AND ep.scope_key < hi COLLATE "C" AND e.scope_key >= lo COLLATE "C" AND e.scope_key < hi COLLATE "C";
  END IF;
END $$;

CREATE OR REPLACE FUNCTION xgz_discovery_exact()
RETURNS TABLE (member_id bigint, entity_person_id bigint, entity_id bigint, scope_key text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$ SELECT * FROM xgz_discovery_exact_in(NULL) $$;

-- Members the caller sees, and those of rosters held at the nodes above it (the members its run
-- scores its entities' people against; what it learns of them is only the links it writes).
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
       OR m.id IN (SELECT l.member_id FROM member_link l WHERE l.scope_key >= lo COLLATE "C" AND l.scope_key < hi COLLATE "C");
END $$;

-- As in 0009, with the members of rosters held above the caller among those not yet found.
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

-- What the cases' conditions read about members linked to the given entities: the member rows
-- the caller sees through those links (member_read), without a policy probe per row.
CREATE FUNCTION xgz_discovery_linked_members(entity_ids bigint[])
RETURNS TABLE (id bigint, org_relation text, member_status text, sources text[])
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public SET jit = off AS $$
DECLARE
  lo text := xgz_scope();
  hi text := xgz_scope() || '~';
BEGIN
  IF lo IS NULL THEN RETURN; END IF;
  RETURN QUERY
    SELECT m.id, m.org_relation, m.member_status, m.sources FROM member m
    WHERE m.id IN (SELECT l.member_id FROM member_link l WHERE l.entity_id = ANY(entity_ids) AND l.scope_key >= lo COLLATE "C" AND l.scope_key < hi COLLATE "C");
END $$;

REVOKE ALL ON FUNCTION xgz_discovery_exact_in(bigint[]), xgz_discovery_linked_members(bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION xgz_discovery_exact_in(bigint[]), xgz_discovery_linked_members(bigint[]) TO xgz_app;
GRANT EXECUTE ON FUNCTION xgz_scope_ancestors(text) TO xgz_app;
