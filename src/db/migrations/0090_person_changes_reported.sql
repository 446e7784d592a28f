-- An import that changed only a person's phone (or name) changed the ledger without saying so: the
-- upsert reported ids only, so the row was not counted as 变更 and the entity's history had no line
-- (round-7 leftover). The upsert now also reports, for a person already on file, the name it
-- replaced and whether the phone changed (read from the statement's snapshot, taken before the
-- update), and xgz_person_change_history writes the line into the history of the given entities
-- where the person holds a role (history is written on the writer's behalf, as the triggers do).
DROP FUNCTION xgz_person_upsert(text[], text[], text[], date[], text[], text[], text[]);
CREATE FUNCTION xgz_person_upsert(p_bi text[], p_id_enc text[], p_name text[], p_birth date[], p_sex text[], p_phone_enc text[], p_phone_bi text[])
RETURNS TABLE (bi text, person_id bigint, old_name text, phone_changed boolean) LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
  WITH incoming AS (
    SELECT DISTINCT ON (t.bi) t.* FROM unnest(p_bi, p_id_enc, p_name, p_birth, p_sex, p_phone_enc, p_phone_bi)
      AS t(bi, id_enc, name, birth, sex, phone_enc, phone_bi) ORDER BY t.bi
  ), before AS (
    SELECT p.id_bi, p.name, p.phone_bi FROM person p JOIN incoming i ON i.bi = p.id_bi
  ), up AS (
    INSERT INTO person AS p (id_bi, id_enc, name, birth_date, sex, phone_enc, phone_bi, phone_scope)
    SELECT bi, id_enc, name, birth, sex, phone_enc, phone_bi, CASE WHEN phone_enc IS NOT NULL THEN xgz_scope() END FROM incoming
    ON CONFLICT (id_bi) DO UPDATE SET
      name = EXCLUDED.name,
      phone_enc = COALESCE(EXCLUDED.phone_enc, p.phone_enc),
      phone_bi = COALESCE(EXCLUDED.phone_bi, p.phone_bi),
      phone_scope = CASE WHEN EXCLUDED.phone_bi IS NOT NULL AND p.phone_bi IS DISTINCT FROM EXCLUDED.phone_bi THEN EXCLUDED.phone_scope ELSE p.phone_scope END,
      updated_at = now()
    WHERE (p.name IS DISTINCT FROM EXCLUDED.name OR (EXCLUDED.phone_bi IS NOT NULL AND p.phone_bi IS DISTINCT FROM EXCLUDED.phone_bi))
      AND NOT xgz_person_held_elsewhere(p.id)
    RETURNING p.id_bi, p.id, p.name, p.phone_bi
  )
  SELECT up.id_bi, up.id, CASE WHEN b.name <> up.name THEN b.name END, b.id_bi IS NOT NULL AND b.phone_bi IS DISTINCT FROM up.phone_bi
  FROM up LEFT JOIN before b ON b.id_bi = up.id_bi
  UNION ALL
  SELECT p.id_bi, p.id, NULL, false FROM person p JOIN incoming i ON i.bi = p.id_bi WHERE NOT EXISTS (SELECT 1 FROM up WHERE up.id_bi = p.id_bi)
$$;
REVOKE ALL ON FUNCTION xgz_person_upsert FROM PUBLIC;
GRANT EXECUTE ON FUNCTION xgz_person_upsert TO xgz_app;

-- One history line per role the person holds in the given entities (those in the writer's scope);
-- returns the entities written to. before/after name what changed, never a number.
CREATE FUNCTION xgz_person_change_history(p_person bigint[], p_before jsonb[], p_after jsonb[], p_entity bigint[])
RETURNS TABLE (entity_id bigint) LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
  INSERT INTO ledger_history AS h (object_type, object_id, entity_id, scope_key, actor_id, op, before, after)
  SELECT 'entity_person', ep.id, ep.entity_id, ep.scope_key, NULLIF(current_setting('xgz.user_id', true), '')::bigint, 'U',
    t.b || jsonb_build_object('person_id', ep.person_id, 'role', ep.role), t.a || jsonb_build_object('person_id', ep.person_id, 'role', ep.role)
  FROM unnest(p_person, p_before, p_after) AS t(pid, b, a)
  JOIN entity_person ep ON ep.person_id = t.pid
  WHERE ep.entity_id = ANY(p_entity) AND xgz_in_scope(ep.scope_key)
  RETURNING h.entity_id
$$;
REVOKE ALL ON FUNCTION xgz_person_change_history FROM PUBLIC;
GRANT EXECUTE ON FUNCTION xgz_person_change_history TO xgz_app;
