-- A case's events were insertable only by a caller whose scope holds the key of the unit that
-- raised the case. A station that is passed a case raised at its county (every public appeal
-- filed for a county) or at another station never holds that key: its 签收 was refused ("目标不
-- 在您的辖区内") and the case sat until escalated. An event may now be written by the unit
-- responsible for the case, as well as by the unit raising it; the scope the event is filed
-- under is checked as before (the caller's subtree, or a node above it when handing a case up).
CREATE FUNCTION xgz_appeal_case_responsible(ref bigint) RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT EXISTS (SELECT 1 FROM appeal_case c WHERE c.id = ref AND xgz_in_scope(c.scope_key)) $$;
ALTER POLICY appeal_event_insert ON appeal_event WITH CHECK (
  (xgz_in_scope(scope_key) OR starts_with(xgz_scope(), scope_key))
  AND (xgz_in_scope(raised_key) OR xgz_appeal_case_responsible(case_id)));
