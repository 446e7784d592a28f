-- A member's self-report not yet decided follows the entity it names to the station that now holds
-- it (discovery/follow.ts, followSelfReports): the application moves the report's scope, and only that.
GRANT UPDATE (scope_key) ON self_report TO xgz_app;
