-- Discovery at a province's size (issue 18). A member link counts in the coverage only through
-- one flag, the entity's with_members (a member link, or party members in its latest report), as
-- an annual report does (0036). The generic coverage trigger on member_link recomputed every
-- coverage column and tally of every entity a statement touched: ~110 of the ~180 µs a link costs
-- at 1M entities, most of the links step of a first run, where the entities found mostly declared
-- their members already. The links' and the reports' triggers now share one function that
-- refreshes only the entities whose with_members would change (or that have no coverage row); the
-- refresh itself is unchanged, so the coverage and the tallies end exactly as before. One test per
-- entity, as scalar subqueries (index lookups; the transition table's size is unknown to the planner).
CREATE FUNCTION xgz_coverage_touch_with_members() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  ids bigint[];
BEGIN
  EXECUTE format($q$
    SELECT array_agg(x.id) FROM (%s) x(id)
    WHERE (SELECT c.with_members FROM entity_coverage c WHERE c.entity_id = x.id) IS DISTINCT FROM
      (EXISTS (SELECT 1 FROM member_link l WHERE l.entity_id = x.id)
       OR coalesce((SELECT a.party_members FROM annual_report a WHERE a.entity_id = x.id ORDER BY a.year DESC LIMIT 1), 0) > 0)$q$,
    CASE TG_OP WHEN 'INSERT' THEN 'SELECT DISTINCT entity_id FROM new_rows'
               WHEN 'DELETE' THEN 'SELECT DISTINCT entity_id FROM old_rows'
               ELSE 'SELECT entity_id FROM new_rows UNION SELECT entity_id FROM old_rows' END) INTO ids;
  PERFORM xgz_coverage_refresh(ids);
  RETURN NULL;
END $$;

DROP TRIGGER annual_report_coverage_ins ON annual_report;
DROP TRIGGER annual_report_coverage_upd ON annual_report;
DROP TRIGGER annual_report_coverage_del ON annual_report;
DROP TRIGGER member_link_coverage_ins ON member_link;
DROP TRIGGER member_link_coverage_upd ON member_link;
DROP TRIGGER member_link_coverage_del ON member_link;
DROP FUNCTION xgz_coverage_touch_annual();
CREATE TRIGGER annual_report_coverage_ins AFTER INSERT ON annual_report REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_coverage_touch_with_members();
CREATE TRIGGER annual_report_coverage_upd AFTER UPDATE ON annual_report REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_coverage_touch_with_members();
CREATE TRIGGER annual_report_coverage_del AFTER DELETE ON annual_report REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_coverage_touch_with_members();
CREATE TRIGGER member_link_coverage_ins AFTER INSERT ON member_link REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_coverage_touch_with_members();
CREATE TRIGGER member_link_coverage_upd AFTER UPDATE ON member_link REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_coverage_touch_with_members();
CREATE TRIGGER member_link_coverage_del AFTER DELETE ON member_link REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_coverage_touch_with_members();
