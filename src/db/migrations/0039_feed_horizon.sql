-- The change feed's horizon per database (features/exchange/feed.ts). The snapshot xmin is the
-- whole server's: a long writing transaction in another database of the same PostgreSQL held the
-- feed back. The horizon is now the oldest transaction still running in the reader's snapshot that
-- is not known to belong to another database (an xid that cannot be placed counts as this
-- database's, so the feed may pause but never skips), else the snapshot's xmax.
-- SECURITY DEFINER: pg_stat_activity shows other sessions' xids only to a privileged role.
CREATE FUNCTION xgz_feed_horizon() RETURNS xid8
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  WITH snap AS (SELECT pg_current_snapshot() AS s),
  elsewhere AS (
    SELECT backend_xid::text AS x FROM pg_stat_activity
    WHERE backend_xid IS NOT NULL AND datname IS DISTINCT FROM current_database()
  )
  SELECT coalesce(
    (SELECT min(r) FROM snap, pg_snapshot_xip(snap.s) AS r
      WHERE NOT EXISTS (SELECT 1 FROM elsewhere WHERE elsewhere.x = ((r::text)::numeric % 4294967296)::text)),
    (SELECT pg_snapshot_xmax(s) FROM snap))
$$;
REVOKE ALL ON FUNCTION xgz_feed_horizon() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION xgz_feed_horizon() TO xgz_app;
