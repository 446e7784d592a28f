-- A member the verification of a missing roster member found 已转出, 停止党籍 or 去世 (0084) is no
-- longer on the roster the bureau holds: 名册党员 (member_tally.on_roster) counts only members
-- whose status is none of these, in the trigger and in the rebuild alike (the indicators' full
-- recompute, features/indicators/recompute.ts, counts the same). A status change moves the sum as
-- a row moving between scope keys does.
CREATE FUNCTION xgz_member_on_roll(status text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT status NOT IN ('transferred_out', 'stopped', 'deceased')
$$;

CREATE OR REPLACE FUNCTION xgz_member_tally_roster() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  EXECUTE format($q$
    INSERT INTO member_tally AS t (scope_key, on_roster)
    SELECT d.k, sum(d.s)::int FROM (%s) d(s, k) GROUP BY d.k HAVING sum(d.s) <> 0 ORDER BY d.k
    ON CONFLICT (scope_key) DO UPDATE SET on_roster = t.on_roster + excluded.on_roster$q$,
    CASE TG_OP WHEN 'INSERT' THEN 'SELECT 1, scope_key FROM new_rows WHERE xgz_member_on_roll(member_status)'
               WHEN 'DELETE' THEN 'SELECT -1, scope_key FROM old_rows WHERE xgz_member_on_roll(member_status)'
               ELSE 'SELECT 1, scope_key FROM new_rows WHERE xgz_member_on_roll(member_status) UNION ALL SELECT -1, scope_key FROM old_rows WHERE xgz_member_on_roll(member_status)' END);
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION xgz_member_tally_rebuild() RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  DELETE FROM member_tally;
  DELETE FROM member_found;
  INSERT INTO member_found (member_id, scope_keys)
  SELECT l.member_id, array_agg(DISTINCT l.scope_key::text ORDER BY l.scope_key::text) FROM member_link l GROUP BY l.member_id;
  INSERT INTO member_tally (scope_key, on_roster, found)
  SELECT k, sum(r)::int, sum(n)::int FROM (
    SELECT m.scope_key::text, 1, 0 FROM member m WHERE xgz_member_on_roll(m.member_status)
    UNION ALL SELECT unnest(f.scope_keys), 0, 1 FROM member_found f
  ) d(k, r, n) GROUP BY k;
END $$;
