-- Round 14 (SECURITY.md, 第十四轮探测), left open by round 13: the county daily caps of the public
-- doors (self-reports, appeals, plaque feedback) and the attachment storage quota were counted
-- outside the transaction that writes what they count. A place of a county's day was spent by a
-- submission whose write then failed; two uploads checked the quota before either was written, and
-- both were stored past it. Both are now counted inside the writing transaction, through narrow
-- SECURITY DEFINER functions (xgz_app has no right on public_window, and a station's clerk cannot
-- see most of the county's attachments it uploads into).

-- One place of a capped public door's window, taken in the caller's transaction: the row's lock is
-- held until it ends, so the count and the write commit (or roll back) together. Only the county
-- caps' buckets: the per-address limits of the routes stay on the server's own connection.
CREATE FUNCTION xgz_take_capped_place(p_bucket text, p_key text, p_window_secs integer) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public AS $$
DECLARE
  t timestamptz := now();
  n integer;
BEGIN
  IF p_bucket NOT IN (
    'self_report.county', 'self_report.county.address',
    'appeal.county', 'appeal.county.address',
    'plaque_feedback.county', 'plaque_feedback.county.address'
  ) THEN
    RAISE EXCEPTION 'xgz_take_capped_place: unknown bucket %', p_bucket;
  END IF;
  INSERT INTO public_window AS w (bucket, key, window_start, used) VALUES (p_bucket, p_key, t, 1)
  ON CONFLICT (bucket, key) DO UPDATE SET
    window_start = CASE WHEN EXCLUDED.window_start - w.window_start >= make_interval(secs => p_window_secs)
      THEN EXCLUDED.window_start ELSE w.window_start END,
    used = CASE WHEN EXCLUDED.window_start - w.window_start >= make_interval(secs => p_window_secs)
      THEN 1 ELSE w.used + 1 END
  RETURNING used INTO n;
  RETURN n;
END $$;
REVOKE ALL ON FUNCTION xgz_take_capped_place(text, text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION xgz_take_capped_place(text, text, integer) TO xgz_app;

-- The bytes a quota node's attachments keep (a county with its stations, or a higher node's own;
-- src/domain/attachments/quota.ts), read after taking the node's lock for the caller's transaction:
-- a second upload into the node waits until the first is written or rolled back, then sees it.
CREATE FUNCTION xgz_attachment_quota_hold(p_node text) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public AS $$
DECLARE
  n bigint;
BEGIN
  IF p_node !~ '^[0-9]{0,6}$' THEN
    RAISE EXCEPTION 'xgz_attachment_quota_hold: not a quota node %', p_node;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('xgz.attachment_quota'), hashtext(p_node));
  SELECT coalesce(sum(size_bytes), 0) INTO n FROM attachment
    WHERE removed_at IS NULL
      AND CASE WHEN length(p_node) < 6 THEN scope_key = p_node
          ELSE scope_key >= p_node AND scope_key < p_node || '~' END;
  RETURN n;
END $$;
REVOKE ALL ON FUNCTION xgz_attachment_quota_hold(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION xgz_attachment_quota_hold(text) TO xgz_app;
