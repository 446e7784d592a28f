-- A member whose membership has ended (已转出, 停止党籍, 去世: xgz_member_on_roll is false, 0085) is
-- no party member found in an entity: no link is derived for them, so an entity whose only member
-- has ended no longer counts as having one (两个覆盖, the coverage triggers on member_link) nor
-- counts them as found (member_found), and its cases follow (features/discovery/follow.ts). A
-- roster putting them back on the roll derives the links again.

-- As in 0043, with the member on the roll.
CREATE OR REPLACE FUNCTION xgz_discovery_exact_in(entity_ids bigint[])
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
      WHERE e.status = 'active' AND xgz_member_on_roll(m.member_status)
        AND ep.scope_key >= lo COLLATE "C" AND ep.scope_key < hi COLLATE "C" AND e.scope_key >= lo COLLATE "C" AND e.scope_key < hi COLLATE "C";
  ELSE
    RETURN QUERY
      SELECT m.id, ep.id, e.id, ep.scope_key::text
      FROM entity e
      CROSS JOIN LATERAL (SELECT r.id, r.person_id, r.scope_key FROM entity_person r
        WHERE r.entity_id = e.id AND r.scope_key >= lo COLLATE "C" AND r.scope_key < hi COLLATE "C" OFFSET 0) ep
      CROSS JOIN LATERAL (SELECT x.id FROM member x WHERE x.person_id = ep.person_id AND xgz_member_on_roll(x.member_status) OFFSET 0) m
      WHERE e.id = ANY(entity_ids) AND e.status = 'active' AND e.scope_key >= lo COLLATE "C" AND e.scope_key < hi COLLATE "C";
  END IF;
END $$;

-- The links in the caller's scope (of the given entities; NULL: all) whose member has ended, of
-- any method: a link staff recorded goes too (the member is no longer one to find). The member
-- may be held on a roster above the caller, which its row security does not show: read here.
CREATE FUNCTION xgz_discovery_ended_links(entity_ids bigint[])
RETURNS TABLE (id bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public SET jit = off AS $$
DECLARE
  lo text := xgz_scope();
  hi text := xgz_scope() || '~';
BEGIN
  IF lo IS NULL THEN RETURN; END IF;
  IF entity_ids IS NULL THEN
    RETURN QUERY
      SELECT l.id FROM member_link l JOIN member m ON m.id = l.member_id
      WHERE NOT xgz_member_on_roll(m.member_status) AND l.scope_key >= lo COLLATE "C" AND l.scope_key < hi COLLATE "C";
  ELSE
    RETURN QUERY
      SELECT l.id FROM unnest(entity_ids) AS i(id)
      CROSS JOIN LATERAL (SELECT x.id, x.member_id FROM member_link x WHERE x.entity_id = i.id AND x.scope_key >= lo COLLATE "C" AND x.scope_key < hi COLLATE "C" OFFSET 0) l
      WHERE NOT xgz_member_on_roll((SELECT m.member_status FROM member m WHERE m.id = l.member_id));
  END IF;
END $$;
REVOKE ALL ON FUNCTION xgz_discovery_ended_links(bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION xgz_discovery_ended_links(bigint[]) TO xgz_app;
