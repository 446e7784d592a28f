-- A phone recorded above the reader (a city's registry import) was shown to every station below
-- it, even for a person held only by a sibling county: a station that added such a person to one of
-- its entities by ID number and name (实名核验 passes) read the phone the city's extract gave for
-- another county's representative (round-4 probe). A phone recorded outside the reader's subtree is
-- now shown only while every holder of the person is on the reader's line: within its subtree or
-- above it (a county's roster member linked to the station's entity). Within the subtree, as before.
CREATE FUNCTION xgz_on_line(key text) RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT xgz_in_scope(key) OR left(xgz_scope(), length(key)) = key $$;

CREATE FUNCTION xgz_person_held_off_line(pid bigint) RETURNS boolean LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM entity_person ep WHERE ep.person_id = pid AND NOT xgz_on_line(ep.scope_key)) THEN RETURN true; END IF;
  IF EXISTS (SELECT 1 FROM member m WHERE m.person_id = pid AND NOT xgz_on_line(m.scope_key)) THEN RETURN true; END IF;
  IF EXISTS (SELECT 1 FROM party_org_member om WHERE om.person_id = pid AND NOT xgz_on_line(om.scope_key)) THEN RETURN true; END IF;
  IF EXISTS (SELECT 1 FROM party_org_officer o WHERE o.person_id = pid AND NOT xgz_on_line(o.scope_key)) THEN RETURN true; END IF;
  IF EXISTS (SELECT 1 FROM instructor i WHERE i.person_id = pid AND NOT xgz_on_line(i.scope_key)) THEN RETURN true; END IF;
  RETURN EXISTS (SELECT 1 FROM rider_person r WHERE r.person_id = pid AND NOT xgz_on_line(r.scope_key));
END $$;
REVOKE ALL ON FUNCTION xgz_person_held_off_line FROM PUBLIC;
GRANT EXECUTE ON FUNCTION xgz_person_held_off_line TO xgz_app;

CREATE OR REPLACE FUNCTION xgz_person_phone(pid bigint) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT p.phone_enc FROM person p
  WHERE p.id = pid AND (p.phone_scope IS NULL OR xgz_in_scope(p.phone_scope) OR NOT xgz_person_held_off_line(p.id))
$$;
