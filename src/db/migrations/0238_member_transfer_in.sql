-- Round 15 (loop15): a member who moves to another county. The new county's roster was refused
-- for a member another county holds ("请原辖区转出后再导入", 0067), and still refused once the old
-- county's roster had recorded the 转出: the member was then on no roll anywhere, counted nowhere,
-- and the new county could not register them. A record the old county ended by transfer out is
-- released: the roster that names the member on the roll takes it over (转入), moving it into the
-- importer's scope, where the roster writer then brings it up to date. Any other status held
-- elsewhere (on the roll, 停止党籍, 去世) is still that county's.

CREATE OR REPLACE FUNCTION xgz_members_elsewhere(p_bi text[]) RETURNS SETOF text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY SELECT p.id_bi FROM person p JOIN member m ON m.person_id = p.id
  WHERE p.id_bi = ANY(p_bi) AND NOT xgz_in_scope(m.scope_key) AND m.member_status <> 'transferred_out';
END $$;

-- Moves into p_scope (within the caller's) the members with these blind indexes whose relation was
-- transferred out of a scope outside the caller's; returns their ids.
CREATE FUNCTION xgz_member_transfer_in(p_bi text[], p_scope text) RETURNS SETOF bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public AS $$
#variable_conflict use_column
BEGIN
  IF NOT xgz_in_scope(p_scope) THEN
    RAISE EXCEPTION 'xgz_member_transfer_in: scope % is outside the caller''s', p_scope;
  END IF;
  RETURN QUERY UPDATE member m SET scope_key = p_scope, updated_at = now() FROM person p
    WHERE p.id = m.person_id AND p.id_bi = ANY(p_bi) AND m.member_status = 'transferred_out' AND NOT xgz_in_scope(m.scope_key)
    RETURNING m.id;
END $$;
REVOKE ALL ON FUNCTION xgz_member_transfer_in(text[], text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION xgz_member_transfer_in(text[], text) TO xgz_app;
