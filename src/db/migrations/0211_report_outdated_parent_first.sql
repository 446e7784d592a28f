-- A station's (or any child's) later submission marks the parent's submitted report of the same
-- form and period outdated (xgz_report_mark_outdated, 0028, as PL/pgSQL since 0150). Its UPDATE
-- joined the tree (report FROM jurisdiction, the child in the caller's scope): with the tree a
-- Citus reference table and report a Citus local table, Citus planned the tree's part apart (the
-- scope test, a STABLE call over its column, is not taken in an UPDATE) as an intermediate result,
-- which the definer function's statement then did not find ("Query could not find the intermediate
-- result file", a warning): nothing was marked, and the county above never learnt that a station
-- had submitted again. The parent is now read first, within the scope, and the UPDATE is on report
-- alone; same rows marked on every backend (none when the child is outside the scope).
CREATE OR REPLACE FUNCTION xgz_report_mark_outdated(p_child text, p_form text, p_period text, p_reason text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
#variable_conflict use_column
DECLARE
  parent text;
  marked integer;
BEGIN
  SELECT j.parent_code INTO parent FROM jurisdiction j WHERE j.code = p_child AND xgz_in_scope(j.scope_key);
  IF parent IS NULL THEN
    RETURN 0;
  END IF;
  UPDATE report r SET outdated_at = now(), outdated_reason = p_reason
  WHERE r.jurisdiction_code = parent AND r.form = p_form AND r.period = p_period AND r.state = 'submitted';
  GET DIAGNOSTICS marked = ROW_COUNT;
  RETURN marked;
END $$;
