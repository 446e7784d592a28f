-- An honour whose entity fell out of good standing is flagged with the reason (xgz_honour_flag,
-- called by the triggers on entity, credit_listing and entity_violation). The reason was computed
-- in the UPDATE itself, xgz_honour_flag_reason(h.entity_id): a STABLE function over a column of the
-- updated row, which Citus refuses in an UPDATE on any table in its metadata ("STABLE functions
-- used in UPDATE queries cannot be called with column references"). The reasons are now read
-- first, into arrays, and written from unnest() (as 0111 stages transition rows); same rows
-- flagged with the same reasons. The UPDATE keeps `flagged_at IS NULL`, so a row another
-- transaction flagged meanwhile is not flagged again.
CREATE OR REPLACE FUNCTION xgz_honour_flag(ids bigint[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
#variable_conflict use_column
DECLARE
  hs bigint[];
  reasons text[];
BEGIN
  SELECT array_agg(h.id), array_agg(r.reason) INTO hs, reasons
  FROM honour h CROSS JOIN LATERAL (SELECT xgz_honour_flag_reason(h.entity_id) AS reason) r
  WHERE h.entity_id = ANY(ids) AND h.state IN ('nominated','approved','awarded') AND h.flagged_at IS NULL
    AND r.reason IS NOT NULL;
  IF hs IS NULL THEN
    RETURN;
  END IF;
  UPDATE honour h SET flagged_at = now(), flag_reason = t.reason, updated_at = now()
  FROM unnest(hs, reasons) AS t(id, reason)
  WHERE h.id = t.id AND h.flagged_at IS NULL;
END $$;
