-- An instructor's account sees only what it is assigned to (round-8 finding, narrowed by the
-- owner's decision). 0031 narrowed its assignments and guidance records; the rest of the county's
-- ledgers were read as bureau staff read them. The routes it may call are listed in
-- src/domain/auth/binding.ts; here the rows those routes read: the entities its assignments in
-- force reach, the organizations it is assigned to or that cover those entities, and the files of
-- its own guidance records. An account not yet bound ('instructor:') reaches nothing.
-- Each policy calls a STABLE SQL function run as the caller (no subquery in a policy: Citus, see
-- 0038), so the inner tables' own policies apply: instructor_assignment already holds the bound
-- instructor's rows only. The narrowing is for reading; an instructor writes none of these rows.

CREATE FUNCTION xgz_instructor_bound() RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT starts_with(xgz_bound(), 'instructor:') $$;

CREATE FUNCTION xgz_instructor_reaches(ref bigint) RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT EXISTS (SELECT 1 FROM instructor_reach r WHERE r.entity_id = ref) $$;

CREATE FUNCTION xgz_instructor_reaches_org(ref bigint) RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT EXISTS (SELECT 1 FROM instructor_assignment a WHERE a.org_id = ref AND a.end_on IS NULL)
       OR EXISTS (SELECT 1 FROM party_org_entity pe JOIN instructor_reach r ON r.entity_id = pe.entity_id WHERE pe.org_id = ref) $$;

CREATE FUNCTION xgz_guidance_visible(ref bigint) RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT EXISTS (SELECT 1 FROM guidance_record g WHERE g.id = ref) $$;

CREATE POLICY entity_instructor ON entity AS RESTRICTIVE FOR SELECT
  USING (NOT xgz_instructor_bound() OR xgz_instructor_reaches(id));
CREATE POLICY party_org_instructor ON party_org AS RESTRICTIVE FOR SELECT
  USING (NOT xgz_instructor_bound() OR xgz_instructor_reaches_org(id));
CREATE POLICY attachment_instructor ON attachment AS RESTRICTIVE FOR SELECT
  USING (NOT xgz_instructor_bound() OR (owner_type = 'guidance_record' AND xgz_guidance_visible(owner_id)));
