-- Issue 18: each restrictive policy (a unit account's, an instructor's narrowing; 13 in all) is
-- folded into the permissive policies of its table, and dropped. Citus copies a policy to the
-- tables it makes without AS RESTRICTIVE (bench/README.md, "## citus", the fourth try), so on a
-- distributed table's shards a narrowing was OR-ed with the scope and widened what an account
-- sees (bench/citus/ledger-probe.sql, step 4); the Citus step restored the kind on the
-- coordinator's copies only, which kept every such table off the workers.
--
-- The rows each account sees and may write are the same: PostgreSQL lets a row through when one
-- permissive policy and every restrictive one pass, and each table here has one restrictive
-- policy (checked below), so (P1 OR P2 …) AND R becomes (P1 AND R) OR (P2 AND R):
--  - a restrictive policy FOR ALL narrows every permissive policy's USING and WITH CHECK (its
--    USING is its check, as PostgreSQL reads a policy without WITH CHECK);
--  - one FOR SELECT narrows the USING of the permissive FOR SELECT and FOR ALL policies. A FOR
--    ALL policy's USING also governs which rows an UPDATE or DELETE reaches: those were already
--    narrowed wherever the statement reads the row (a WHERE, RETURNING), since the SELECT
--    policies apply then, which every statement of the app does. Its WITH CHECK is written out
--    as it was, so what may be written does not narrow.
DO $$
DECLARE
  r record;
  p record;
  using_expr text;
  check_expr text;
BEGIN
  IF EXISTS (SELECT 1 FROM pg_policy WHERE NOT polpermissive GROUP BY polrelid HAVING count(*) > 1)
     OR EXISTS (SELECT 1 FROM pg_policy WHERE NOT polpermissive AND (polwithcheck IS NOT NULL OR polcmd NOT IN ('*', 'r'))) THEN
    RAISE EXCEPTION 'a restrictive policy of a shape this fold does not cover';
  END IF;
  FOR r IN
    SELECT polrelid, polname, polcmd, pg_get_expr(polqual, polrelid) AS q FROM pg_policy WHERE NOT polpermissive
  LOOP
    FOR p IN
      SELECT polname, polcmd, pg_get_expr(polqual, polrelid) AS q, pg_get_expr(polwithcheck, polrelid) AS c
      FROM pg_policy WHERE polrelid = r.polrelid AND polpermissive
    LOOP
      using_expr := NULL;
      check_expr := NULL;
      IF p.polcmd <> 'a' AND (r.polcmd = '*' OR p.polcmd IN ('*', 'r')) THEN
        using_expr := format('(%s) AND (%s)', p.q, r.q);
      END IF;
      IF p.polcmd IN ('*', 'a', 'w') THEN
        check_expr := CASE WHEN r.polcmd = '*' THEN format('(%s) AND (%s)', coalesce(p.c, p.q), r.q)
                           WHEN p.polcmd = '*' THEN coalesce(p.c, p.q) END;
      END IF;
      IF using_expr IS NOT NULL OR check_expr IS NOT NULL THEN
        EXECUTE format('ALTER POLICY %I ON %s', p.polname, r.polrelid::regclass)
          || coalesce(' USING (' || using_expr || ')', '')
          || coalesce(' WITH CHECK (' || check_expr || ')', '');
      END IF;
    END LOOP;
    EXECUTE format('DROP POLICY %I ON %s', r.polname, r.polrelid::regclass);
  END LOOP;
END $$;
