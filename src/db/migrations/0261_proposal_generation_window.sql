-- Round 15 (SECURITY.md, 第十五轮探测): generating the setup proposals (组建建议) reads and groups every
-- entity of the caller's area and rewrites its open proposals in one transaction (12 s for the
-- province on the demo), and nothing bounded how often an account did it: four sent at once from one
-- session held the embedded database, and a public page, for 51 s. An account generates at most once
-- a minute, counted in its window like its reveals and scope probes (src/features/orgs/proposals.ts).
ALTER TABLE account_window DROP CONSTRAINT account_window_kind_check;
ALTER TABLE account_window ADD CONSTRAINT account_window_kind_check CHECK (kind IN ('reveal', 'probe', 'proposals'));
