-- Round 10 (SECURITY.md, 第十轮探测), the two items round 9 left open.
--
-- 1. Per-account counts in fixed windows, kept in the database so that they hold across server
--    processes and restarts: the reveal budget (30 reveals of full personal data per 10 minutes,
--    domain/auth/reveal-limit.ts) was a Map in each process, so two processes, or a restart,
--    gave an account its budget again. One row per account and kind; a spend is one upsert,
--    which takes the row's lock, so concurrent spends by one account count one after another.
--    Written only on the system connection (src/db/account-window.ts): xgz_app has no right on it.
CREATE TABLE account_window (
  user_id       bigint NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
  kind          text NOT NULL CHECK (kind IN ('reveal', 'probe')),
  window_start  timestamptz NOT NULL,
  used          integer NOT NULL,
  PRIMARY KEY (user_id, kind)
);
REVOKE ALL ON account_window FROM PUBLIC;

-- 2. Whether a record a route was asked for by number exists outside the caller's reach: neither
--    in its subtree (xgz_in_scope) nor on the path above it (a station reads some of its
--    county's). Runs as its owner, so it sees every row; it answers only yes or no, and only for
--    the kinds listed (another is an error), about the one record named. Called after a 404 has been sent
--    (src/http/scope-probe.ts), so that a probe of another county's records leaves a trace in
--    the audit trail (scope.denied) while the answer stays that of a record that does not exist.
CREATE FUNCTION xgz_record_outside(kind text, ref text) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
DECLARE
  k text;
BEGIN
  IF kind = 'jurisdiction' THEN
    SELECT j.scope_key INTO k FROM jurisdiction j WHERE j.code = ref;
  ELSIF kind IN ('entity', 'party_org', 'member', 'discovery_case', 'discovery_run', 'appeal_case', 'attachment',
      'campaign', 'deployment', 'deployment_target', 'honour', 'import_job', 'instructor', 'platform',
      'delivery_station', 'mobile_card', 'sanliang', 'sanliang_plaque', 'plaque_feedback', 'point_recommendation',
      'recognition_point', 'report', 'training_class', 'visit_record', 'visit_plan', 'guidance_record',
      'exit_review', 'org_proposal', 'service_post', 'bureau_unit', 'zone', 'import_profile', 'station_rule',
      'app_user', 'assistance_program') THEN
    IF ref !~ '^[0-9]{1,18}$' THEN RETURN false; END IF;
    EXECUTE format('SELECT scope_key::text FROM %I WHERE id = $1', kind) INTO k USING ref::bigint;
  ELSE
    RAISE EXCEPTION 'xgz_record_outside: unknown kind %', kind;
  END IF;
  RETURN k IS NOT NULL AND NOT xgz_in_scope(k) AND NOT starts_with(xgz_scope(), k);
END $$;
REVOKE ALL ON FUNCTION xgz_record_outside(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION xgz_record_outside(text, text) TO xgz_app;
