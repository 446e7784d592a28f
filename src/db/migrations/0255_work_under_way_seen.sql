-- Issue 18: a run's area was taken as abandoned 15 minutes after it started (0239), whatever the
-- run was doing. A province's discovery run at 5M entities takes 3-7 minutes on the bench machine,
-- so at 18M entities, or the nation's, a live run would lose its area to a second one mid-run; and a
-- run left by a dead process held its area for the full quarter of an hour. A run now says it is
-- alive: its process writes seen_at every 30 seconds while it works (src/db/work-under-way.ts), and
-- a row not seen for two minutes is taken as left by a process that died, however long ago it began.
ALTER TABLE work_under_way ADD COLUMN seen_at timestamptz NOT NULL DEFAULT now();
