-- Deployed work already kept in a ledger reaches the nodes it names as a task (issue 13): a visit
-- plan, an assistance program, a campaign, a report period or an assessment year is the task's
-- body, not a second entry. The deployment names its ledger record (source_type, source_key);
-- one deployment per issuer and record, so publishing again updates it. Cancelling the record
-- closes the task (closed_at, closed_reason): it leaves the 待办 lists and takes no more replies.
ALTER TABLE deployment ADD COLUMN source_type text CHECK (source_type IN ('visit_plan','assistance_program','campaign','report_period','assessment_year'));
ALTER TABLE deployment ADD COLUMN source_key text;
ALTER TABLE deployment ADD COLUMN source_path text;
ALTER TABLE deployment ADD COLUMN closed_at timestamptz;
ALTER TABLE deployment ADD COLUMN closed_reason text;
ALTER TABLE deployment ADD CONSTRAINT deployment_source_check CHECK ((source_type IS NULL) = (source_key IS NULL));
CREATE UNIQUE INDEX deployment_source_uq ON deployment (issuer_code, source_type, source_key) WHERE source_type IS NOT NULL;

-- A node the record no longer names leaves the task while it has not acted on it.
ALTER TABLE deployment_event DROP CONSTRAINT deployment_event_action_check;
ALTER TABLE deployment_event ADD CONSTRAINT deployment_event_action_check CHECK (action IN ('receive','reply','return','remind','overdue','pass_down','update','close'));
GRANT DELETE ON deployment_target, deployment_event TO xgz_app;

-- Notifications raised from what other features record (cases routed or escalated, new discovery
-- cases, honours flagged, imports needing attention): the sweep's position in each source, so each
-- event is told once.
CREATE TABLE notification_cursor (
  source   text PRIMARY KEY,
  last_id  bigint NOT NULL DEFAULT 0,
  last_at  timestamptz NOT NULL DEFAULT now()
);
-- System work (the sweep runs as the system, scope ''); no account reads it.
GRANT SELECT, INSERT, UPDATE ON notification_cursor TO xgz_app;
ALTER TABLE notification_cursor ENABLE ROW LEVEL SECURITY;
CREATE POLICY notification_cursor_system ON notification_cursor USING (xgz_scope() = '') WITH CHECK (xgz_scope() = '');
CREATE INDEX honour_flagged_idx ON honour (flagged_at) WHERE flagged_at IS NOT NULL;
CREATE INDEX import_job_finished_idx ON import_job (finished_at) WHERE finished_at IS NOT NULL;

-- A visit plan, an assistance program or a campaign may be cancelled (with a reason): the record
-- stays, marked; its task is closed.
ALTER TABLE visit_plan ADD COLUMN cancelled_at timestamptz;
ALTER TABLE visit_plan ADD COLUMN cancel_reason text;
ALTER TABLE assistance_program ADD COLUMN cancelled_at timestamptz;
ALTER TABLE assistance_program ADD COLUMN cancel_reason text;
ALTER TABLE campaign ADD COLUMN cancelled_at timestamptz;
ALTER TABLE campaign ADD COLUMN cancel_reason text;

-- A visit plan is read by the nodes its task reaches (the stations that carry it out record their
-- visits against it), besides its own subtree.
CREATE POLICY visit_plan_reached ON visit_plan FOR SELECT USING (EXISTS (
  SELECT 1 FROM deployment d JOIN deployment_target t ON t.deployment_id = d.id
  WHERE d.source_type = 'visit_plan' AND d.source_key = visit_plan.id::text AND d.issuer_code = visit_plan.jurisdiction_code AND xgz_in_scope(t.scope_key)));

-- The accounts to tell about something at these nodes: nodes in the caller's subtree or up its own
-- line (a submission tells the level above, which the caller cannot read), never a sibling's. Only
-- the account and its scope key leave (the notification row hangs there).
CREATE FUNCTION xgz_notify_accounts(p_codes text[]) RETURNS TABLE (id bigint, scope_key text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT u.id, u.scope_key::text FROM app_user u JOIN jurisdiction j ON j.code = u.jurisdiction_code
  WHERE u.jurisdiction_code = ANY (p_codes) AND NOT u.disabled
    AND u.roles && ARRAY['editor','viewer','station_staff','instructor']::text[]
    AND (xgz_in_scope(j.scope_key) OR starts_with(xgz_scope(), j.scope_key))
$$;
REVOKE ALL ON FUNCTION xgz_notify_accounts(text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION xgz_notify_accounts(text[]) TO xgz_app;
INSERT INTO notification_cursor (source, last_id) SELECT 'appeal_event', coalesce(max(id), 0) FROM appeal_event;
INSERT INTO notification_cursor (source, last_id) SELECT 'discovery_case', coalesce(max(id), 0) FROM discovery_case;
INSERT INTO notification_cursor (source) VALUES ('honour_flag'), ('import_job');

-- The workbench's appeal counts read only these indexes again (index-only scans): since 0031 the
-- unit-binding policy also reads unit_platform_id and unit_org_id, and the new-case count reads the
-- state, so each open case cost a heap visit (1M-case bench: a county with 17k escalated cases
-- took ~80 ms on this one count).
DROP INDEX appeal_case_open_scope_due_idx;
CREATE INDEX appeal_case_open_scope_due_idx ON appeal_case (scope_key, due_at) INCLUDE (raised_key, state, unit_platform_id, unit_org_id) WHERE state IN ('intake','routed','accepted','handling');
CREATE INDEX appeal_case_escalated_open_idx ON appeal_case (escalated_key) INCLUDE (scope_key, raised_key, state, unit_platform_id, unit_org_id)
  WHERE escalated_key IS NOT NULL AND state IN ('intake','routed','accepted','handling');
