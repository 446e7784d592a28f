-- Discovery's members at a province (issue 18): 18.6 s of the run at 5M entities (764k members),
-- alone, because the planner joined member to person by hashing every person of the province (15M)
-- for a few hundred thousand lookups. Each member's person is now looked up by its primary key
-- (LATERAL … OFFSET 0, as the candidates' members in 0055). Otherwise as in 0048.
CREATE OR REPLACE FUNCTION xgz_discovery_members()
RETURNS TABLE (id bigint, person_id bigint, org_relation text, member_status text, scope_key text, sources text[], name text, birth_date date, phone_bi text, has_id boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public SET jit = off SET enable_mergejoin = off AS $$
DECLARE
  lo text := xgz_scope();
  hi text := xgz_scope() || '~';
  up text[] := xgz_scope_ancestors(xgz_scope());
BEGIN
  IF lo IS NULL THEN RETURN; END IF;
  RETURN QUERY
    SELECT m.id, m.person_id, m.org_relation, m.member_status, m.scope_key::text, m.sources, p.name, p.birth_date, p.phone_bi, p.id_bi IS NOT NULL
    FROM member m CROSS JOIN LATERAL (SELECT * FROM person p WHERE p.id = m.person_id OFFSET 0) p
    WHERE (m.scope_key >= lo COLLATE "C" AND m.scope_key < hi COLLATE "C")
       OR m.scope_key = ANY(up)
       OR EXISTS (SELECT 1 FROM member_link l WHERE l.member_id = m.id AND l.scope_key >= lo COLLATE "C" AND l.scope_key < hi COLLATE "C");
END $$;
