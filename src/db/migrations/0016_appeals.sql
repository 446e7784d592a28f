-- One case engine, several front doors (诉求直通 for riders, problems found on visits 大走访大调研,
-- reports from the public plaque page). A case hangs on its responsible unit (scope_key: a
-- station, or a bureau and one of its business lines); the unit that raised it (a station that
-- recorded a visit problem for the county's line) keeps reading it through raised_key.
-- Riders' service posts (驿站) are listed on the public appeal page.

CREATE TABLE service_post (
  id              bigserial PRIMARY KEY,
  name            text NOT NULL,
  jurisdiction_code text NOT NULL REFERENCES jurisdiction(code),  -- the station (or county) it lies in
  county_code     text NOT NULL REFERENCES jurisdiction(code),
  scope_key       text COLLATE "C" NOT NULL,
  address         text NOT NULL,
  longitude       numeric(9,6),
  latitude        numeric(9,6),
  opening_hours   text NOT NULL,
  offers          text[] NOT NULL DEFAULT '{}',
  phone           text,                                            -- the post's own public number, not a person's
  active          boolean NOT NULL DEFAULT true,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT service_post_name_uq UNIQUE (county_code, name)
);
CREATE INDEX service_post_scope_idx ON service_post (scope_key, id);

-- 大走访大调研: who visits which entities in a period, and what each visit learned. No photos,
-- no check-ins: a visit is a date, an entity and what was learned.
CREATE TABLE visit_plan (
  id              bigserial PRIMARY KEY,
  title           text NOT NULL,
  jurisdiction_code text NOT NULL REFERENCES jurisdiction(code),
  scope_key       text COLLATE "C" NOT NULL,
  visitor_name    text NOT NULL,
  visitor_id      bigint REFERENCES app_user(id),
  starts_on       date NOT NULL,
  ends_on         date NOT NULL,
  entity_ids      bigint[] NOT NULL DEFAULT '{}',
  created_by      bigint REFERENCES app_user(id),
  created_at      timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_on >= starts_on)
);
CREATE INDEX visit_plan_scope_idx ON visit_plan (scope_key, id);

CREATE TABLE visit_record (
  id              bigserial PRIMARY KEY,
  plan_id         bigint REFERENCES visit_plan(id),
  entity_id       bigint NOT NULL REFERENCES entity(id),
  county_code     text NOT NULL REFERENCES jurisdiction(code),
  scope_key       text COLLATE "C" NOT NULL,
  visited_on      date NOT NULL,
  visitor_name    text NOT NULL,
  learned         text NOT NULL,
  created_by      bigint REFERENCES app_user(id),
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX visit_record_scope_idx ON visit_record (scope_key, visited_on);
CREATE INDEX visit_record_entity_idx ON visit_record (entity_id);

CREATE TABLE appeal_case (
  id                bigserial PRIMARY KEY,
  door              text NOT NULL CHECK (door IN ('rider','visit','plaque')),
  category          text NOT NULL,
  content           text NOT NULL,
  contact_enc       text,                                  -- SM4, optional; never shown in full without the reveal permission
  area_code         text REFERENCES jurisdiction(code),    -- the place the person chose (county or station)
  service_post_id   bigint REFERENCES service_post(id),
  entity_id         bigint REFERENCES entity(id),
  visit_id          bigint REFERENCES visit_record(id),
  plaque_feedback_id bigint REFERENCES plaque_feedback(id),
  county_code       text NOT NULL REFERENCES jurisdiction(code),
  unit_kind         text NOT NULL CHECK (unit_kind IN ('station','bureau','platform','committee')),
  unit_code         text NOT NULL REFERENCES jurisdiction(code),
  unit_line         text,                                  -- the bureau's business line, when routed to one
  scope_key         text COLLATE "C" NOT NULL,             -- the responsible unit's
  raised_key        text COLLATE "C" NOT NULL,             -- the unit (or, for the public, the first unit) that raised it
  state             text NOT NULL CHECK (state IN ('intake','routed','accepted','handling','resolved','closed')),
  step_started_at   timestamptz NOT NULL,
  due_at            timestamptz,                           -- of the current step; set by the engine's pure deadline function on each move
  escalation_level  integer NOT NULL DEFAULT 0,
  escalated_key     text COLLATE "C",                      -- the node it is escalated to (the level above sees it in its list)
  public_reply      text,
  resolved_at       timestamptz,
  closed_at         timestamptz,
  satisfaction      smallint CHECK (satisfaction BETWEEN 1 AND 5),
  feedback_comment  text,
  reopen_count      integer NOT NULL DEFAULT 0,
  -- Time taken by each step, summed over reopenings (ms), kept on the case so the figures need not read events.
  route_ms          bigint,
  accept_ms         bigint,
  resolve_ms        bigint,
  feedback_ms       bigint,
  tracking_hash     text,                                  -- SM3 of the code shown once to the person; the code itself is not kept
  raised_by         bigint,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  CHECK (state <> 'resolved' OR (public_reply IS NOT NULL AND resolved_at IS NOT NULL))
);
CREATE UNIQUE INDEX appeal_case_tracking_uq ON appeal_case (tracking_hash) WHERE tracking_hash IS NOT NULL;
-- The work list: a unit's cases, newest first, with state and door filters; and the open ones by due date.
CREATE INDEX appeal_case_scope_idx ON appeal_case (scope_key, id DESC);
CREATE INDEX appeal_case_open_due_idx ON appeal_case (due_at) WHERE state IN ('intake','routed','accepted','handling');
-- Both keys are ranges the read policy tests (OR), so both are indexed whole: the planner ORs two index scans.
CREATE INDEX appeal_case_raised_idx ON appeal_case (raised_key);
CREATE INDEX appeal_case_escalated_idx ON appeal_case (escalated_key) WHERE escalated_key IS NOT NULL;
CREATE INDEX appeal_case_visit_idx ON appeal_case (visit_id) WHERE visit_id IS NOT NULL;
CREATE INDEX appeal_case_feedback_idx ON appeal_case (plaque_feedback_id) WHERE plaque_feedback_id IS NOT NULL;

CREATE TABLE appeal_event (
  id          bigserial PRIMARY KEY,
  case_id     bigint NOT NULL REFERENCES appeal_case(id) ON DELETE CASCADE,
  at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor       text NOT NULL CHECK (actor IN ('staff','public','system')),
  actor_id    bigint,
  action      text NOT NULL,
  from_state  text,
  to_state    text NOT NULL,
  note        text,                                        -- staff notes stay internal; the public sees only the case's public reply
  detail      jsonb,
  scope_key   text COLLATE "C" NOT NULL,
  raised_key  text COLLATE "C" NOT NULL
);
CREATE INDEX appeal_event_case_idx ON appeal_event (case_id, id);

-- The public tracking page finds a case by the hash of its code, and nothing else: this returns
-- the case's id and scope key, under which the page then reads it with the policies in force.
CREATE FUNCTION xgz_appeal_locate(h text) RETURNS TABLE (id bigint, scope_key text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT c.id, c.scope_key FROM appeal_case c WHERE c.tracking_hash = h
$$;
REVOKE ALL ON FUNCTION xgz_appeal_locate(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION xgz_appeal_locate(text) TO xgz_app;

GRANT SELECT, INSERT, UPDATE ON service_post, visit_plan, visit_record, appeal_case, appeal_event TO xgz_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO xgz_app;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['service_post','visit_plan','visit_record'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %1$s_scope ON %1$I USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key))', t);
  END LOOP;
  -- Cases and their events: read by the responsible unit's subtree and by the raising unit's;
  -- changed only by the responsible unit's subtree; and a unit may hand a case up to a node
  -- above it (a station raising a visit problem for the county's business line, or passing on
  -- a case that is not its own), after which it no longer acts on it.
  FOREACH t IN ARRAY ARRAY['appeal_case','appeal_event'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %1$s_read ON %1$I FOR SELECT USING (xgz_in_scope(scope_key) OR xgz_in_scope(raised_key))', t);
    EXECUTE format('CREATE POLICY %1$s_insert ON %1$I FOR INSERT WITH CHECK ((xgz_in_scope(scope_key) OR starts_with(xgz_scope(), scope_key)) AND xgz_in_scope(raised_key))', t);
    EXECUTE format('CREATE POLICY %1$s_update ON %1$I FOR UPDATE USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key) OR starts_with(xgz_scope(), scope_key))', t);
  END LOOP;
END $$;

-- The visit door routes by the business lines (业务条线) code list 'business_line', seeded by
-- 0017_platforms.sql and shared with the assistance programs; edited in 设置 → 代码清单.
