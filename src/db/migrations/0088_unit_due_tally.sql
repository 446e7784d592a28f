-- 0069 kept a unit account (a platform's contact point, a rider industry committee) out of the
-- tallies of its county's cases; the open cases by the day they are due (appeal_due_tally, 0021)
-- were left readable, so the overdue figure a unit read counted the county's cases (round 7). A
-- unit's figures are now counted from its own cases (src/features/appeals/queries.ts); it reads
-- none of this tally either.
CREATE POLICY appeal_due_tally_unit ON appeal_due_tally AS RESTRICTIVE FOR SELECT USING (NOT xgz_unit_bound());
