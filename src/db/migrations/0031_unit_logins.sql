-- Unit and instructor logins (issue 13). An account may be bound to one platform (its 党建联系点),
-- one party organization (a rider industry committee, 网约配送员行业党委) or one instructor record.
-- The binding travels with the request as xgz.bound ('platform:N', 'org:N', 'instructor:N';
-- '' for ordinary accounts, 'none:' for a unit account not yet bound). Restrictive policies narrow
-- what the subtree policies already allow: a unit account sees only the cases routed to its unit,
-- an instructor account only its own assignments and guidance records.
ALTER TABLE app_user ADD COLUMN bound_platform_id bigint REFERENCES platform(id);
ALTER TABLE app_user ADD COLUMN bound_org_id bigint REFERENCES party_org(id);
ALTER TABLE app_user ADD COLUMN bound_instructor_id bigint REFERENCES instructor(id);
ALTER TABLE app_user ADD CONSTRAINT app_user_bound_check CHECK (num_nonnulls(bound_platform_id, bound_org_id, bound_instructor_id) <= 1);

CREATE FUNCTION xgz_bound() RETURNS text LANGUAGE sql STABLE AS
$$ SELECT coalesce(current_setting('xgz.bound', true), '') $$;

-- Unit accounts: the cases routed to their unit, nothing else of the case engine.
CREATE POLICY appeal_case_bound ON appeal_case AS RESTRICTIVE USING (
  xgz_bound() = '' OR starts_with(xgz_bound(), 'instructor:')
  OR xgz_bound() = 'platform:' || unit_platform_id::text
  OR xgz_bound() = 'org:' || unit_org_id::text);
CREATE POLICY appeal_event_bound ON appeal_event AS RESTRICTIVE FOR SELECT USING (
  xgz_bound() = '' OR starts_with(xgz_bound(), 'instructor:')
  OR EXISTS (SELECT 1 FROM appeal_case c WHERE c.id = appeal_event.case_id));

-- Instructor accounts: their own assignments and guidance records.
CREATE POLICY instructor_assignment_bound ON instructor_assignment AS RESTRICTIVE USING (
  NOT starts_with(xgz_bound(), 'instructor:') OR xgz_bound() = 'instructor:' || instructor_id::text);
CREATE POLICY guidance_record_bound ON guidance_record AS RESTRICTIVE USING (
  NOT starts_with(xgz_bound(), 'instructor:') OR xgz_bound() = 'instructor:' || instructor_id::text);

-- 联系点/示范点 推荐 (issue 13): a node recommends a candidate to the level above with its reasons
-- (files attach as owner 'point_recommendation'); the level above selects, returns or rejects.
-- Designation stays as it was (recognition_point, by the designating level's own act). The row
-- hangs on the recommending node, so the recommender and every level above it see it.
CREATE TABLE point_recommendation (
  id             bigserial PRIMARY KEY,
  kind           text NOT NULL CHECK (kind IN ('contact','demo')),
  level          text NOT NULL CHECK (level IN ('province','city','county')),
  subject_type   text NOT NULL CHECK (subject_type IN ('entity','org','zone','platform')),
  subject_id     bigint NOT NULL,
  subject_name   text NOT NULL,
  reason         text NOT NULL,
  from_code      text NOT NULL REFERENCES jurisdiction(code),
  to_code        text NOT NULL REFERENCES jurisdiction(code),
  state          text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','selected','returned','rejected')),
  review_reason  text,
  recommended_by bigint REFERENCES app_user(id),
  reviewed_by    bigint REFERENCES app_user(id),
  reviewed_at    timestamptz,
  scope_key      text COLLATE "C" NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CHECK (state IN ('pending','selected') OR review_reason IS NOT NULL)
);
CREATE INDEX point_recommendation_scope_idx ON point_recommendation (scope_key, id);
CREATE INDEX point_recommendation_to_idx ON point_recommendation (to_code, state);
-- One open recommendation of a kind per subject to the same level.
CREATE UNIQUE INDEX point_recommendation_open_uq ON point_recommendation (kind, subject_type, subject_id, to_code) WHERE state IN ('pending','returned');
ALTER TABLE point_recommendation ENABLE ROW LEVEL SECURITY;
CREATE POLICY point_recommendation_scope ON point_recommendation USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key));
GRANT SELECT, INSERT, UPDATE ON point_recommendation TO xgz_app;
GRANT USAGE ON SEQUENCE point_recommendation_id_seq TO xgz_app;
