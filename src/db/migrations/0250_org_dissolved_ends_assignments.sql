-- Round 18 (loop18): an organization 撤销 is guided no more. The instructors' assignments to it in
-- force end on its 撤销 date (or on their own start, if that came later) with the reason, whatever
-- path dissolved it (an edit, an exchange): left in force, the instructor's ledger and the
-- dashboard's 在指派 counted them, and the entities it covered kept a work coverage (instructor_reach
-- reaches them through the organization) that nobody gave them. Ended, not deleted: the history
-- of the guidance stays. The entities' coverage follows through the assignment's own triggers (0011).

CREATE FUNCTION xgz_org_dissolved_assignments() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  UPDATE instructor_assignment SET end_on = greatest(start_on, coalesce(NEW.dissolved_on, current_date)), end_reason = '党组织已撤销'
  WHERE org_id = NEW.id AND end_on IS NULL;
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION xgz_org_dissolved_assignments() FROM PUBLIC;

CREATE TRIGGER party_org_dissolved_assignments AFTER UPDATE OF status ON party_org FOR EACH ROW
  WHEN (NEW.status = 'dissolved' AND OLD.status IS DISTINCT FROM 'dissolved') EXECUTE FUNCTION xgz_org_dissolved_assignments();
