-- Import speed (issue 18). An annual report counts in the coverage only through one flag, the
-- entity's with_members (a member link, or party members in its latest report): the generic
-- coverage trigger recomputed every coverage column and tally of every entity a batch touched
-- (~90% of a 10,000-row batch's time). The annual report's own triggers refresh only the
-- entities whose with_members would change (or that have no coverage row yet); the refresh
-- itself is the same, so the coverage and the tallies end exactly as before. The test is written
-- as scalar subqueries, one index lookup each per entity: the planner does not know the
-- transition table's size and would hash-join the whole entity_coverage table.
CREATE FUNCTION xgz_coverage_touch_annual() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  ids bigint[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(x.id) INTO ids FROM (SELECT DISTINCT entity_id AS id FROM new_rows) x 
    WHERE (SELECT c.with_members FROM entity_coverage c WHERE c.entity_id = x.id) IS DISTINCT FROM
      (EXISTS (SELECT 1 FROM member_link l WHERE l.entity_id = x.id)
       OR coalesce((SELECT a.party_members FROM annual_report a WHERE a.entity_id = x.id ORDER BY a.year DESC LIMIT 1), 0) > 0);
  ELSE
    SELECT array_agg(x.id) INTO ids FROM (SELECT entity_id AS id FROM new_rows UNION SELECT entity_id FROM old_rows) x 
    WHERE (SELECT c.with_members FROM entity_coverage c WHERE c.entity_id = x.id) IS DISTINCT FROM
      (EXISTS (SELECT 1 FROM member_link l WHERE l.entity_id = x.id)
       OR coalesce((SELECT a.party_members FROM annual_report a WHERE a.entity_id = x.id ORDER BY a.year DESC LIMIT 1), 0) > 0);
  END IF;
  PERFORM xgz_coverage_refresh(ids);
  RETURN NULL;
END $$;

DROP TRIGGER annual_report_coverage_ins ON annual_report;
DROP TRIGGER annual_report_coverage_upd ON annual_report;
CREATE TRIGGER annual_report_coverage_ins AFTER INSERT ON annual_report REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_coverage_touch_annual();
CREATE TRIGGER annual_report_coverage_upd AFTER UPDATE ON annual_report REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_coverage_touch_annual();
