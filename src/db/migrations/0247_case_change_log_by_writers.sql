-- Issue 18: the cases' writers log their changes to the change feed themselves, in the statement
-- that writes them (`WITH w AS (INSERT/UPDATE … RETURNING …) INSERT INTO change_log …`,
-- features/discovery/case-log.ts), and the three statement triggers that did it go. On Citus the
-- case group is distributed by county_code and a trigger runs on the shard, where it cannot write
-- the coordinator's change_log ("cannot execute a distributed query from a query on a shard");
-- a statement run on the coordinator can (bench/README.md, section citus, "The case group").
-- What the feed receives is the same: an insert per raised case, an update per case changed (every
-- writer changes its state, evidence or scope), a moved_out under the old scope for a case whose
-- scope changed. Cases are never deleted by the application (tests and benches only), so nothing
-- logs a delete any more.
DROP TRIGGER discovery_case_change_ins ON discovery_case;
DROP TRIGGER discovery_case_change_upd ON discovery_case;
DROP TRIGGER discovery_case_change_del ON discovery_case;

-- The writers run as xgz_app: it may log cases, and only within its scope (as it may write them:
-- discovery_case_scope). The old scope of a moved case was in scope, or the case could not be updated.
GRANT INSERT ON change_log TO xgz_app;
CREATE POLICY change_log_case_write ON change_log FOR INSERT WITH CHECK (kind = 'case' AND xgz_in_scope(scope_key));
