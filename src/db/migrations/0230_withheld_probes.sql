-- Round 11 (SECURITY.md, 第十一轮探测), left open by round 10: a narrowed account's probe inside its
-- own node. An instructor account sees only what it is assigned to (0140), a unit account only the
-- appeals forwarded to it (0031); a read by number of another record of its own station or county
-- answers 404 as one that does not exist, but xgz_record_outside (0190) looks at the jurisdiction
-- only, so such a probe was never counted.
--
-- xgz_record_withheld(kind, ref): for a narrowed caller (xgz.bound set), whether the record exists
-- yet is not visible to the caller. Existence is asked of a narrow SECURITY DEFINER function (yes
-- or no, for the kinds row-level security narrows for such accounts); visibility is read as the
-- caller, under its own policies. For a caller not narrowed it is false (the scope is 0190's).
CREATE FUNCTION xgz_record_exists(kind text, ref text) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
DECLARE
  found boolean;
BEGIN
  IF kind NOT IN ('entity', 'party_org', 'attachment', 'guidance_record', 'appeal_case') THEN
    RAISE EXCEPTION 'xgz_record_exists: unknown kind %', kind;
  END IF;
  IF ref !~ '^[0-9]{1,18}$' THEN RETURN false; END IF;
  EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE id = $1)', kind) INTO found USING ref::bigint;
  RETURN found;
END $$;
REVOKE ALL ON FUNCTION xgz_record_exists(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION xgz_record_exists(text, text) TO xgz_app;

CREATE FUNCTION xgz_record_withheld(kind text, ref text) RETURNS boolean
LANGUAGE plpgsql STABLE SET search_path = public AS $$
DECLARE
  seen boolean;
BEGIN
  IF xgz_bound() = '' OR kind NOT IN ('entity', 'party_org', 'attachment', 'guidance_record', 'appeal_case') THEN
    RETURN false;
  END IF;
  IF NOT xgz_record_exists(kind, ref) THEN RETURN false; END IF;
  EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE id = $1)', kind) INTO seen USING ref::bigint;
  RETURN NOT seen;
END $$;
REVOKE ALL ON FUNCTION xgz_record_withheld(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION xgz_record_withheld(text, text) TO xgz_app;
