-- Round 11 (SECURITY.md, 第十一轮探测), left open by round 10: the limits on the routes that take
-- no login (sign-in, self-report, appeals, plaque checks) and on the exchange API were counted by
-- @fastify/rate-limit in each process's memory, so two processes, or a restart, gave every
-- address its allowance again; and nothing capped what all addresses together send one county.
-- Counts in fixed windows, as account_window (0190) keeps them for accounts: one row per bucket
-- (a route, or a county's daily self-reports) and key (a client address, a county code); a count
-- is one upsert, which takes the row's lock. Written only on the server's own connection
-- (src/db/public-window.ts); xgz_app has no right on it. Rows whose window is long over are
-- removed by the server's upkeep.
CREATE TABLE public_window (
  bucket        text NOT NULL,
  key           text NOT NULL,
  window_start  timestamptz NOT NULL,
  used          integer NOT NULL,
  PRIMARY KEY (bucket, key)
);
REVOKE ALL ON public_window FROM PUBLIC;
CREATE INDEX public_window_start ON public_window (window_start);
