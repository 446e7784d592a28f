-- Row-level security that Citus can carry. Citus refuses any table in its metadata (reference,
-- distributed, or a coordinator table tied to a reference table by a foreign key) whose
-- policies contain a subquery ("Subqueries are not supported in policies on distributed
-- tables"). Seven policies had an EXISTS (...) inline; each now calls a STABLE SQL function
-- holding the same EXISTS, run as the caller (so the inner table's own policies still apply,
-- as before). A one-statement SQL function is inlined by the planner: the same plans on
-- PostgreSQL and PGlite, and the same rows visible.

CREATE FUNCTION xgz_zone_reached(ref bigint) RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT EXISTS (SELECT 1 FROM entity_zone ez WHERE ez.zone_id = ref AND xgz_in_scope(ez.scope_key)) $$;
ALTER POLICY zone_via_entity ON zone USING (xgz_zone_reached(id));

CREATE FUNCTION xgz_platform_served(ref bigint) RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT EXISTS (SELECT 1 FROM delivery_station s WHERE s.platform_id = ref)
       OR EXISTS (SELECT 1 FROM platform_partner pp WHERE pp.platform_id = ref) $$;
ALTER POLICY platform_read ON platform USING (xgz_in_scope(scope_key) OR starts_with(xgz_scope(), scope_key) OR xgz_platform_served(id));

CREATE FUNCTION xgz_import_job_reaches(ref bigint) RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT EXISTS (SELECT 1 FROM import_job_area a WHERE a.job_id = ref AND xgz_in_scope(a.scope_key)) $$;
ALTER POLICY import_job_read ON import_job USING (xgz_in_scope(scope_key) OR xgz_import_job_reaches(id));

CREATE FUNCTION xgz_import_job_in_scope(ref bigint) RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT EXISTS (SELECT 1 FROM import_job j WHERE j.id = ref AND xgz_in_scope(j.scope_key)) $$;
ALTER POLICY import_rejection_scope ON import_rejection
  USING (xgz_in_scope(COALESCE(scope_key, '~')) OR xgz_import_job_in_scope(job_id))
  WITH CHECK (xgz_import_job_in_scope(job_id));

CREATE FUNCTION xgz_deployment_reaches(ref bigint) RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT EXISTS (SELECT 1 FROM deployment_target t WHERE t.deployment_id = ref AND xgz_in_scope(t.scope_key)) $$;
ALTER POLICY deployment_read ON deployment USING (xgz_in_scope(scope_key) OR xgz_deployment_reaches(id));

CREATE FUNCTION xgz_deployment_visible(ref bigint) RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT EXISTS (SELECT 1 FROM deployment d WHERE d.id = ref) $$;
ALTER POLICY attachment_read ON attachment USING (xgz_in_scope(scope_key) OR (owner_type = 'deployment' AND xgz_deployment_visible(owner_id)));

CREATE FUNCTION xgz_appeal_case_visible(ref bigint) RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT EXISTS (SELECT 1 FROM appeal_case c WHERE c.id = ref) $$;
ALTER POLICY appeal_event_bound ON appeal_event USING (xgz_bound() = '' OR starts_with(xgz_bound(), 'instructor:') OR xgz_appeal_case_visible(case_id));
