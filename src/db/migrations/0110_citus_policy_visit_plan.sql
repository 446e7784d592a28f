-- The last row-level security policy with a subquery inline (0032's visit_plan_reached, added
-- before 0038 rewrote the others) now calls a STABLE SQL function holding the same EXISTS, as
-- 0038's do: Citus refuses a policy with a subquery on any table in its metadata, and making
-- the jurisdiction tree a reference table brings visit_plan there (it references jurisdiction).
-- Run as the caller and inlined by the planner: the same rows visible and the same plans on
-- PostgreSQL and PGlite.
CREATE FUNCTION xgz_visit_plan_reached(plan_id bigint, issuer text) RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT EXISTS (SELECT 1 FROM deployment d JOIN deployment_target t ON t.deployment_id = d.id
     WHERE d.source_type = 'visit_plan' AND d.source_key = plan_id::text AND d.issuer_code = issuer AND xgz_in_scope(t.scope_key)) $$;
ALTER POLICY visit_plan_reached ON visit_plan USING (xgz_visit_plan_reached(id, jurisdiction_code));
