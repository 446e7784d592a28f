-- 0062 compared names with spaces and four ways of writing a minority name's dot set aside; a
-- name written with another dot (‧ ∙ ･), a hyphen or no dot at all (阿卜杜热合曼) was refused though
-- it is the same name. Spaces and every such mark are now set aside.
CREATE OR REPLACE FUNCTION xgz_person_name_conflicts(p_bi text[], p_name text[]) RETURNS SETOF text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT p.id_bi FROM unnest(p_bi, p_name) AS t(bi, name)
  JOIN person p ON p.id_bi = t.bi
  WHERE regexp_replace(p.name, '[[:space:]·•・．.‧∙･-]', '', 'g')
        IS DISTINCT FROM regexp_replace(t.name, '[[:space:]·•・．.‧∙･-]', '', 'g')
    AND xgz_person_held_elsewhere(p.id)
$$;
