-- A person held by another jurisdiction answered to their ID number alone: a station adding
-- "探测" with a number it had got hold of saw the name on file (the shared row keeps it, 0059) and,
-- through the exact link to the roster, the person's party membership. Hand entry now states the
-- name as well, as 实名核验 does: the incoming persons whose number is on file, held outside the
-- writer's scope, under another name (spaces and the dot of minority names aside) are named here,
-- and the writer refuses them without saying whose the number is.
CREATE FUNCTION xgz_person_name_conflicts(p_bi text[], p_name text[]) RETURNS SETOF text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT p.id_bi FROM unnest(p_bi, p_name) AS t(bi, name)
  JOIN person p ON p.id_bi = t.bi
  WHERE translate(regexp_replace(p.name, '\s', '', 'g'), '•・．.', '····')
        IS DISTINCT FROM translate(regexp_replace(t.name, '\s', '', 'g'), '•・．.', '····')
    AND xgz_person_held_elsewhere(p.id)
$$;
REVOKE ALL ON FUNCTION xgz_person_name_conflicts FROM PUBLIC;
GRANT EXECUTE ON FUNCTION xgz_person_name_conflicts TO xgz_app;
