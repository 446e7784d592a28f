-- Reports that roll up (issue 14): a level's report is the consolidation of its children's latest
-- submitted versions plus its own rows; children not reported are marked 缺报 with a reason;
-- differences from the live figures are kept with their explanation; a parent whose child
-- resubmitted after it submitted is marked outdated. Snapshots keep the node's own rows and say
-- which are the month's period-end (closing) figures.

-- ── Snapshots ──────────────────────────────────────────────────────────────────────────────
-- own: the counts of the rows hanging on the node itself (not under any child), the 本级 line of
-- a report prepared from the snapshot. closing: taken at the month's end (or, the end missed,
-- at the first start after it): the figures a past month or quarter is reported from.
ALTER TABLE indicator_snapshot ADD COLUMN own jsonb;
ALTER TABLE indicator_snapshot ADD COLUMN closing boolean NOT NULL DEFAULT false;

-- ── Reports ────────────────────────────────────────────────────────────────────────────────
-- missing: the children the preparer marked 缺报, each [{code, name, reason}], with those the
-- children's own submitted versions carried up; explanation: why the figures differ from the
-- live ones beyond the tolerance. outdated_*: a child submitted again after this report went up.
ALTER TABLE report ADD COLUMN missing jsonb NOT NULL DEFAULT '[]';
ALTER TABLE report ADD COLUMN explanation text;
ALTER TABLE report ADD COLUMN outdated_at timestamptz;
ALTER TABLE report ADD COLUMN outdated_reason text;
CREATE INDEX report_outdated_idx ON report (scope_key) WHERE outdated_at IS NOT NULL;

ALTER TABLE report_version ADD COLUMN missing jsonb NOT NULL DEFAULT '[]';
ALTER TABLE report_version ADD COLUMN differences jsonb NOT NULL DEFAULT '[]';
ALTER TABLE report_version ADD COLUMN explanation text;

-- A submitted report's figures, marks and explanation stay those of its latest version until it is
-- returned or prepared again (outdated).
CREATE OR REPLACE FUNCTION xgz_report_submitted_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.state = 'submitted' AND NEW.state = 'submitted' AND (NEW.data IS DISTINCT FROM OLD.data OR NEW.note IS DISTINCT FROM OLD.note
      OR NEW.missing IS DISTINCT FROM OLD.missing OR NEW.explanation IS DISTINCT FROM OLD.explanation) THEN
    RAISE EXCEPTION '报表已上报，退回前不能修改' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;

-- The parent's submitted report of a form and period, marked outdated when the child (a node of
-- the caller's own subtree) submits again: the parent's row is outside the child's scope.
CREATE FUNCTION xgz_report_mark_outdated(p_child text, p_form text, p_period text, p_reason text) RETURNS integer
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
  WITH marked AS (
    UPDATE report r SET outdated_at = now(), outdated_reason = p_reason
    FROM jurisdiction j
    WHERE j.code = p_child AND xgz_in_scope(j.scope_key) AND r.jurisdiction_code = j.parent_code
      AND r.form = p_form AND r.period = p_period AND r.state = 'submitted'
    RETURNING r.id)
  SELECT count(*)::int FROM marked
$$;
GRANT EXECUTE ON FUNCTION xgz_report_mark_outdated(text, text, text, text) TO xgz_app;

-- Whether the whole tree has a month's period-end snapshot (the nation's row, which a county's
-- scope does not read): a node with no row in it then simply had nothing to count.
CREATE FUNCTION xgz_snapshot_of_tree(p_period text) RETURNS TABLE (taken_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT s.taken_at FROM indicator_snapshot s WHERE s.scope_key = '' AND s.period = p_period AND s.closing
$$;
GRANT EXECUTE ON FUNCTION xgz_snapshot_of_tree(text) TO xgz_app;
