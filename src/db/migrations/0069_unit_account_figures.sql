-- A unit account (a platform's contact point, a rider industry committee: xgz.bound 'platform:N',
-- 'org:N', or 'none:' before it is bound) works the cases routed to its unit, and its 诉求 page
-- shows "its cases and their figures only" (issue 13). The figures are read from tallies kept per
-- node (appeal_tally, appeal_step_tally, appeal_tally_county) and from the node's visits, which the
-- restrictive case policy of 0031 does not narrow: a contact point read the whole county's appeals
-- by door, category and state, the time taken at each step, and the county's visits (round-6 probe).
-- Those rows are not a unit's: a unit account reads none of them.
CREATE FUNCTION xgz_unit_bound() RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT starts_with(xgz_bound(), 'platform:') OR starts_with(xgz_bound(), 'org:') OR xgz_bound() = 'none:' $$;

CREATE POLICY appeal_tally_unit ON appeal_tally AS RESTRICTIVE FOR SELECT USING (NOT xgz_unit_bound());
CREATE POLICY appeal_step_tally_unit ON appeal_step_tally AS RESTRICTIVE FOR SELECT USING (NOT xgz_unit_bound());
CREATE POLICY appeal_tally_county_unit ON appeal_tally_county AS RESTRICTIVE FOR SELECT USING (NOT xgz_unit_bound());
CREATE POLICY visit_record_unit ON visit_record AS RESTRICTIVE FOR SELECT USING (NOT xgz_unit_bound());
