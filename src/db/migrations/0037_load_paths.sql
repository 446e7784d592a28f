-- Many clerks at once (issue 18). The row-level security of person and member is evaluated once a
-- row; as SQL functions holding EXISTS subqueries they cannot be inlined, so every call started an
-- executor for all five (person) or two (member) subqueries: ~0.3 ms a row, 0.55 s for the 1,664
-- members of the demo city's roster list. The same tests in PL/pgSQL, one after another with
-- cached plans, stop at the first that holds (a member's person is usually found at the first):
-- the same answers, 2–3× faster a row.
CREATE OR REPLACE FUNCTION xgz_member_visible(mid bigint, key text) RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF xgz_in_scope(key) THEN RETURN true; END IF;
  RETURN EXISTS (SELECT 1 FROM member_link l WHERE l.member_id = mid AND xgz_in_scope(l.scope_key));
END $$;

CREATE OR REPLACE FUNCTION xgz_person_visible(pid bigint) RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM entity_person ep WHERE ep.person_id = pid AND xgz_in_scope(ep.scope_key)) THEN RETURN true; END IF;
  IF EXISTS (SELECT 1 FROM member m WHERE m.person_id = pid AND xgz_member_visible(m.id, m.scope_key)) THEN RETURN true; END IF;
  IF EXISTS (SELECT 1 FROM party_org_member om WHERE om.person_id = pid AND xgz_in_scope(om.scope_key)) THEN RETURN true; END IF;
  IF EXISTS (SELECT 1 FROM instructor i WHERE i.person_id = pid AND xgz_in_scope(i.scope_key)) THEN RETURN true; END IF;
  RETURN EXISTS (SELECT 1 FROM rider_person r WHERE r.person_id = pid AND xgz_in_scope(r.scope_key));
END $$;
