-- Member records keep their history too (who changed status, org relation, confidence, when).
-- History is written by the triggers on the changer's behalf, whatever the row's scope (a
-- station verifies a member the county holds): the trigger function runs as its owner, and the
-- request role can no longer insert history rows itself.
ALTER FUNCTION xgz_history() SECURITY DEFINER SET search_path = public;
REVOKE INSERT ON ledger_history FROM xgz_app;
CREATE TRIGGER member_history AFTER INSERT OR UPDATE OR DELETE ON member FOR EACH ROW EXECUTE FUNCTION xgz_history();
