-- A person is one row per ID number, shared by every jurisdiction that holds them (a role in an
-- entity, a roster member, an organization's member or officer, an instructor, a rider). A writer
-- knowing only the number could rename the person, or replace their phone, for every other holder:
-- a county adding "某人" with another county's member's number renamed that member there. The
-- shared row now changes only when every holder is within the writer's scope; what a holder
-- elsewhere recorded stands. And a phone is shown only along the line of the scope that recorded
-- it (that scope, above and below it), or where no one outside the reader's scope holds the person: adding a role with
-- another county's member's number no longer reveals the phone that county recorded.
ALTER TABLE person ADD COLUMN phone_scope text COLLATE "C";
CREATE FUNCTION xgz_person_held_elsewhere(pid bigint) RETURNS boolean LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM entity_person ep WHERE ep.person_id = pid AND NOT xgz_in_scope(ep.scope_key)) THEN RETURN true; END IF;
  IF EXISTS (SELECT 1 FROM member m WHERE m.person_id = pid AND NOT xgz_in_scope(m.scope_key)) THEN RETURN true; END IF;
  IF EXISTS (SELECT 1 FROM party_org_member om WHERE om.person_id = pid AND NOT xgz_in_scope(om.scope_key)) THEN RETURN true; END IF;
  IF EXISTS (SELECT 1 FROM party_org_officer o WHERE o.person_id = pid AND NOT xgz_in_scope(o.scope_key)) THEN RETURN true; END IF;
  IF EXISTS (SELECT 1 FROM instructor i WHERE i.person_id = pid AND NOT xgz_in_scope(i.scope_key)) THEN RETURN true; END IF;
  RETURN EXISTS (SELECT 1 FROM rider_person r WHERE r.person_id = pid AND NOT xgz_in_scope(r.scope_key));
END $$;
REVOKE ALL ON FUNCTION xgz_person_held_elsewhere FROM PUBLIC;
GRANT EXECUTE ON FUNCTION xgz_person_held_elsewhere TO xgz_app;

CREATE OR REPLACE FUNCTION xgz_person_upsert(p_bi text[], p_id_enc text[], p_name text[], p_birth date[], p_sex text[], p_phone_enc text[], p_phone_bi text[])
RETURNS TABLE (bi text, person_id bigint) LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
  WITH incoming AS (
    SELECT DISTINCT ON (t.bi) t.* FROM unnest(p_bi, p_id_enc, p_name, p_birth, p_sex, p_phone_enc, p_phone_bi)
      AS t(bi, id_enc, name, birth, sex, phone_enc, phone_bi) ORDER BY t.bi
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
    RETURNING p.id_bi, p.id
  )
  SELECT id_bi, id FROM up
  UNION ALL
  SELECT p.id_bi, p.id FROM person p JOIN incoming i ON i.bi = p.id_bi WHERE NOT EXISTS (SELECT 1 FROM up WHERE up.id_bi = p.id_bi)
$$;

-- The phone of a person as the reader may see it (encrypted): recorded in the reader's subtree or
-- above it (a county's import, read at its station), or before scopes were recorded, or no one
-- outside the reader's scope holds the person.
CREATE FUNCTION xgz_person_phone(pid bigint) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT p.phone_enc FROM person p
  WHERE p.id = pid AND (p.phone_scope IS NULL OR xgz_in_scope(p.phone_scope)
    OR left(xgz_scope(), length(p.phone_scope)) = p.phone_scope OR NOT xgz_person_held_elsewhere(p.id))
$$;
REVOKE ALL ON FUNCTION xgz_person_phone FROM PUBLIC;
GRANT EXECUTE ON FUNCTION xgz_person_phone TO xgz_app;
