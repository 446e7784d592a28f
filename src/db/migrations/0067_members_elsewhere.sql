-- The persons among these ID numbers (blind indexes) who are members on a roster held outside the
-- caller's scope (another county's, or above). A roster import may not rewrite such a record: it
-- overwrote another county's member once their entity role was linked into the importer's scope, and
-- otherwise failed the whole batch with the row-security error, which told the importer the number
-- was a member elsewhere. The row is refused instead, saying why (round-5 probe).
CREATE FUNCTION xgz_members_elsewhere(p_bi text[]) RETURNS SETOF text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT p.id_bi FROM person p JOIN member m ON m.person_id = p.id
  WHERE p.id_bi = ANY(p_bi) AND NOT xgz_in_scope(m.scope_key)
$$;
REVOKE ALL ON FUNCTION xgz_members_elsewhere FROM PUBLIC;
GRANT EXECUTE ON FUNCTION xgz_members_elsewhere TO xgz_app;
