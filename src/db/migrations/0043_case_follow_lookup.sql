-- The cases-follow hook (features/discovery/follow.ts) reads the unresolved cases of an import
-- batch's entities one entity at a time. With the entity alone in the index, the planner ANDed
-- discovery_case_scope_idx (the row-security scope range, which it cannot estimate and takes for
-- selective) into every lookup: a scan of the whole scope's cases per entity. With the scope key
-- in the same index, each lookup is one index range (bench/README.md, import).
CREATE INDEX discovery_case_entity_scope_idx ON discovery_case (entity_id, scope_key) WHERE state <> 'resolved';
DROP INDEX discovery_case_entity_idx;

-- The same hook's link refresh and member read, for a batch's entities, entity by entity. Written
-- as joins filtered by `= ANY(entity_ids)`, a ledger without fresh statistics (one filled since
-- its last ANALYZE, as by a large import) made the planner take the list for the whole table: a
-- scan of all of entity_person and member (or member_link) on every batch. Here each step is a
-- LATERAL subquery (OFFSET 0 keeps it one) looked up through its index: the entity by its key,
-- its roles by entity_person's (entity_id, …) key, the member by its unique person_id. The
-- full run (entity_ids NULL) keeps the set-based join. Rows returned are the same as in 0033.
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
      WHERE e.status = 'active' AND ep.scope_key >= lo COLLATE "C" AND ep.scope_key < hi COLLATE "C" AND e.scope_key >= lo COLLATE "C" AND e.scope_key < hi COLLATE "C";
  ELSE
    RETURN QUERY
      SELECT m.id, ep.id, e.id, ep.scope_key::text
      FROM entity e
      CROSS JOIN LATERAL (SELECT r.id, r.person_id, r.scope_key FROM entity_person r
        WHERE r.entity_id = e.id AND r.scope_key >= lo COLLATE "C" AND r.scope_key < hi COLLATE "C" OFFSET 0) ep
      CROSS JOIN LATERAL (SELECT x.id FROM member x WHERE x.person_id = ep.person_id OFFSET 0) m
      WHERE e.id = ANY(entity_ids) AND e.status = 'active' AND e.scope_key >= lo COLLATE "C" AND e.scope_key < hi COLLATE "C";
  END IF;
END $$;

CREATE OR REPLACE FUNCTION xgz_discovery_linked_members(entity_ids bigint[])
RETURNS TABLE (id bigint, org_relation text, member_status text, sources text[])
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public SET jit = off AS $$
DECLARE
  lo text := xgz_scope();
  hi text := xgz_scope() || '~';
BEGIN
  IF lo IS NULL THEN RETURN; END IF;
  RETURN QUERY
    SELECT m.id, m.org_relation, m.member_status, m.sources FROM member m
    WHERE m.id = ANY(ARRAY(
      SELECT DISTINCT l.member_id FROM unnest(entity_ids) AS i(id)
      CROSS JOIN LATERAL (SELECT x.member_id FROM member_link x WHERE x.entity_id = i.id AND x.scope_key >= lo COLLATE "C" AND x.scope_key < hi COLLATE "C" OFFSET 0) l));
END $$;
