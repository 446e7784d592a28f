-- Round 16 (SECURITY.md, 第十六轮探测), left open by round 15: taking the dashboard's snapshots on
-- demand (1.8-3.6 s for a province) and making a bureau's report (about 2 s for a province) had no
-- limit at all, and generating setup proposals was limited per account only, so several editors of
-- one province each ran one at the same time and together held the database. Each heavy work now
-- runs once at a time per area: a row here while it runs, for its kind and the caller's scope. A
-- second run whose area overlaps (the same node, one above it, or one below) is refused while the
-- first is under way. Written only on the server's own connection (src/db/work-under-way.ts),
-- under one advisory lock per kind so that the check and the claim are one step; xgz_app has no
-- right on it. A row older than the longest run is taken as left by a process that died mid-run and
-- holds nobody up. (The per-account minute of the snapshots and reports is counted in public_window
-- under an account bucket: account_window's kinds are fixed by a check that 0261, applied after
-- this file on a new database, rewrites.)
CREATE TABLE work_under_way (
  kind        text NOT NULL CHECK (kind IN ('proposals', 'snapshot', 'report')),
  scope_key   text NOT NULL,
  started_at  timestamptz NOT NULL,
  started_by  integer NOT NULL,
  PRIMARY KEY (kind, scope_key)
);
REVOKE ALL ON work_under_way FROM PUBLIC;
