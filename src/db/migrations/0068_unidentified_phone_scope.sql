-- A person known only by name had no phone_scope, so xgz_person_phone (0066) showed their phone to
-- anyone who could see the person, however it came into their scope (a station linked another
-- county's roster member by name and birth date, round-5 probe). The scope of the writer is now
-- recorded for them too, as for people with an ID number, and the rows already there take the
-- scope of a holder (the roster's first, else a role's).
CREATE OR REPLACE FUNCTION xgz_person_insert_unidentified(p_name text[], p_phone_enc text[], p_phone_bi text[])
RETURNS TABLE (ord bigint, person_id bigint) LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
  WITH ins AS (
    INSERT INTO person (name, phone_enc, phone_bi, phone_scope)
    SELECT name, phone_enc, phone_bi, CASE WHEN phone_enc IS NOT NULL THEN xgz_scope() END
    FROM unnest(p_name, p_phone_enc, p_phone_bi) WITH ORDINALITY AS t(name, phone_enc, phone_bi, ord) ORDER BY ord
    RETURNING id
  )
  SELECT row_number() OVER (ORDER BY id), id FROM ins
$$;
GRANT UPDATE (phone_scope) ON person TO xgz_app;

UPDATE person p SET phone_scope = coalesce(
    (SELECT m.scope_key FROM member m WHERE m.person_id = p.id LIMIT 1),
    (SELECT ep.scope_key FROM entity_person ep WHERE ep.person_id = p.id ORDER BY ep.id LIMIT 1),
    (SELECT r.scope_key FROM rider_person r WHERE r.person_id = p.id LIMIT 1),
    (SELECT i.scope_key FROM instructor i WHERE i.person_id = p.id LIMIT 1))
  WHERE p.id_bi IS NULL AND p.phone_enc IS NOT NULL AND p.phone_scope IS NULL;
