-- Round 16 (SECURITY.md, 第十六轮探测): a discovery run (43 s for the 1M province) was refused only
-- when one was running in the caller's own subtree, checked and queued in two steps: a county
-- started one while its province's was running, and two starts sent at once both ran. A run now
-- claims its area in work_under_way (0239) as the other heavy works do, until it ends.
ALTER TABLE work_under_way DROP CONSTRAINT work_under_way_kind_check;
ALTER TABLE work_under_way ADD CONSTRAINT work_under_way_kind_check
  CHECK (kind IN ('proposals', 'snapshot', 'report', 'discovery'));
