-- The SQL-language functions with parameters that run as their owner (SECURITY DEFINER) or with
-- their own search_path become PL/pgSQL, with the same bodies, signatures and rights (issue 18,
-- blocker 3 of bench/README.md "## citus"). The planner cannot inline such a function, so
-- PostgreSQL plans its body once with the parameters left open; Citus cannot plan a statement with
-- open parameters over its tables and refuses it ("could not create distributed plan … parameters
-- in SQL functions"). PL/pgSQL hands the parameters' values to the planner (custom plans), which
-- Citus can plan, and keeps the plans for the session. `#variable_conflict use_column` keeps the
-- SQL-function rule that a column wins over a parameter or an output column of the same name.
-- xgz_coverage_tally_move, the 21st, changes its argument types too: 0151.

CREATE OR REPLACE FUNCTION xgz_appeal_events_follow(ids bigint[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
#variable_conflict use_column
BEGIN
  UPDATE appeal_event e SET scope_key = c.scope_key
  FROM appeal_case c WHERE c.id = ANY(ids) AND e.case_id = c.id AND e.scope_key IS DISTINCT FROM c.scope_key;
END $$;

CREATE OR REPLACE FUNCTION xgz_appeal_locate(h text) RETURNS TABLE(id bigint, scope_key text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY SELECT c.id, c.scope_key FROM appeal_case c WHERE c.tracking_hash = h;
END $$;

CREATE OR REPLACE FUNCTION xgz_deployment_in_chain(ref bigint) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
#variable_conflict use_column
BEGIN
  RETURN (WITH RECURSIVE down(id) AS (
    SELECT c.id FROM deployment c WHERE c.parent_deployment_id = ref
    UNION
    SELECT c.id FROM deployment c JOIN down ON c.parent_deployment_id = down.id
  )
  SELECT EXISTS (SELECT 1 FROM down JOIN deployment_target t ON t.deployment_id = down.id WHERE xgz_in_scope(t.scope_key)));
END $$;

CREATE OR REPLACE FUNCTION xgz_exit_rule(c text, effect text) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
#variable_conflict use_column
BEGIN
  RETURN coalesce((SELECT (s.value -> c ->> effect)::boolean FROM setting s WHERE s.key = 'exit'), true);
END $$;

CREATE OR REPLACE FUNCTION xgz_honour_flag(ids bigint[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
#variable_conflict use_column
BEGIN
  UPDATE honour h SET flagged_at = now(), flag_reason = xgz_honour_flag_reason(h.entity_id), updated_at = now()
  WHERE h.entity_id = ANY(ids) AND h.state IN ('nominated','approved','awarded') AND h.flagged_at IS NULL
    AND xgz_honour_flag_reason(h.entity_id) IS NOT NULL;
END $$;

CREATE OR REPLACE FUNCTION xgz_honour_flag_reason(eid bigint) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
#variable_conflict use_column
BEGIN
  RETURN coalesce(
    (SELECT CASE e.status WHEN 'deregistered' THEN '主体已注销' WHEN 'revoked' THEN '主体已被吊销营业执照' END FROM entity e WHERE e.id = eid),
    (SELECT CASE l.list WHEN 'abnormal' THEN '列入经营异常名录：' ELSE '列入严重违法失信名单：' END || l.listed_reason FROM credit_listing l
      WHERE l.entity_id = eid AND l.removed_on IS NULL ORDER BY l.listed_on DESC, l.id DESC LIMIT 1),
    (SELECT '记录有严重违法违规行为：' || v.description FROM entity_violation v WHERE v.entity_id = eid ORDER BY v.occurred_on DESC, v.id DESC LIMIT 1));
END $$;

CREATE OR REPLACE FUNCTION xgz_members_elsewhere(p_bi text[]) RETURNS SETOF text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY SELECT p.id_bi FROM person p JOIN member m ON m.person_id = p.id
  WHERE p.id_bi = ANY(p_bi) AND NOT xgz_in_scope(m.scope_key);
END $$;

CREATE OR REPLACE FUNCTION xgz_notify_accounts(p_codes text[]) RETURNS TABLE(id bigint, scope_key text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY SELECT u.id, u.scope_key::text FROM app_user u JOIN jurisdiction j ON j.code = u.jurisdiction_code
  WHERE u.jurisdiction_code = ANY (p_codes) AND NOT u.disabled
    AND u.roles && ARRAY['editor','viewer','station_staff']::text[]
    AND NOT u.roles @> ARRAY['instructor']::text[]
    AND (xgz_in_scope(j.scope_key) OR starts_with(xgz_scope(), j.scope_key));
END $$;

CREATE OR REPLACE FUNCTION xgz_person_change_history(p_person bigint[], p_before jsonb[], p_after jsonb[], p_entity bigint[])
RETURNS TABLE(entity_id bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  INSERT INTO ledger_history AS h (object_type, object_id, entity_id, scope_key, actor_id, op, before, after)
  SELECT 'entity_person', ep.id, ep.entity_id, ep.scope_key, NULLIF(current_setting('xgz.user_id', true), '')::bigint, 'U',
    t.b || jsonb_build_object('person_id', ep.person_id, 'role', ep.role), t.a || jsonb_build_object('person_id', ep.person_id, 'role', ep.role)
  FROM unnest(p_person, p_before, p_after) AS t(pid, b, a)
  JOIN entity_person ep ON ep.person_id = t.pid
  WHERE ep.entity_id = ANY(p_entity) AND xgz_in_scope(ep.scope_key)
  RETURNING h.entity_id;
END $$;

CREATE OR REPLACE FUNCTION xgz_person_insert_unidentified(p_name text[], p_phone_enc text[], p_phone_bi text[])
RETURNS TABLE(ord bigint, person_id bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH ins AS (
    INSERT INTO person (name, phone_enc, phone_bi, phone_scope)
    SELECT name, phone_enc, phone_bi, CASE WHEN phone_enc IS NOT NULL THEN xgz_scope() END
    FROM unnest(p_name, p_phone_enc, p_phone_bi) WITH ORDINALITY AS t(name, phone_enc, phone_bi, ord) ORDER BY ord
    RETURNING id
  )
  SELECT row_number() OVER (ORDER BY id), id FROM ins;
END $$;

CREATE OR REPLACE FUNCTION xgz_person_name_conflicts(p_bi text[], p_name text[]) RETURNS SETOF text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY SELECT p.id_bi FROM unnest(p_bi, p_name) AS t(bi, name)
  JOIN person p ON p.id_bi = t.bi
  WHERE regexp_replace(p.name, '[[:space:]·•・．.‧∙･-]', '', 'g')
        IS DISTINCT FROM regexp_replace(t.name, '[[:space:]·•・．.‧∙･-]', '', 'g')
    AND xgz_person_held_elsewhere(p.id);
END $$;

CREATE OR REPLACE FUNCTION xgz_person_phone(pid bigint) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
#variable_conflict use_column
BEGIN
  RETURN (SELECT p.phone_enc FROM person p
    WHERE p.id = pid AND (p.phone_scope IS NULL OR xgz_in_scope(p.phone_scope) OR NOT xgz_person_held_off_line(p.id)));
END $$;

-- Citus takes only IMMUTABLE functions in an ON CONFLICT's SET and WHERE clauses: the time of an
-- update is the inserted row's default, now(), read from EXCLUDED; whether a person whose name or
-- phone would change is held outside the caller's area is asked before the statement (only for
-- those, as the WHERE did), and the WHERE tests the answer. `before` is MATERIALIZED: with the
-- batch's size known (PL/pgSQL plans with the parameters' values) the planner inlined it into the
-- last join and rescanned the batch for each row, 12.5 s for 5,000 renamed people instead of 0.6.
CREATE OR REPLACE FUNCTION xgz_person_upsert(p_bi text[], p_id_enc text[], p_name text[], p_birth date[], p_sex text[], p_phone_enc text[], p_phone_bi text[])
RETURNS TABLE(bi text, person_id bigint, old_name text, phone_changed boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
#variable_conflict use_column
DECLARE
  held text[] := ARRAY(
    SELECT p.id_bi FROM unnest(p_bi, p_name, p_phone_bi) AS t(bi, name, phone_bi) JOIN person p ON p.id_bi = t.bi
    WHERE (p.name IS DISTINCT FROM t.name OR (t.phone_bi IS NOT NULL AND p.phone_bi IS DISTINCT FROM t.phone_bi))
      AND xgz_person_held_elsewhere(p.id));
BEGIN
  RETURN QUERY
  WITH incoming AS (
    SELECT DISTINCT ON (t.bi) t.* FROM unnest(p_bi, p_id_enc, p_name, p_birth, p_sex, p_phone_enc, p_phone_bi)
      AS t(bi, id_enc, name, birth, sex, phone_enc, phone_bi) ORDER BY t.bi
  ), before AS MATERIALIZED (
    SELECT p.id_bi, p.name, p.phone_bi FROM person p JOIN incoming i ON i.bi = p.id_bi
  ), up AS (
    INSERT INTO person AS p (id_bi, id_enc, name, birth_date, sex, phone_enc, phone_bi, phone_scope)
    SELECT bi, id_enc, name, birth, sex, phone_enc, phone_bi, CASE WHEN phone_enc IS NOT NULL THEN xgz_scope() END FROM incoming
    ON CONFLICT (id_bi) DO UPDATE SET
      name = EXCLUDED.name,
      phone_enc = COALESCE(EXCLUDED.phone_enc, p.phone_enc),
      phone_bi = COALESCE(EXCLUDED.phone_bi, p.phone_bi),
      phone_scope = CASE WHEN EXCLUDED.phone_bi IS NOT NULL AND p.phone_bi IS DISTINCT FROM EXCLUDED.phone_bi THEN EXCLUDED.phone_scope ELSE p.phone_scope END,
      updated_at = EXCLUDED.updated_at
    WHERE (p.name IS DISTINCT FROM EXCLUDED.name OR (EXCLUDED.phone_bi IS NOT NULL AND p.phone_bi IS DISTINCT FROM EXCLUDED.phone_bi))
      AND p.id_bi <> ALL (held)
    RETURNING p.id_bi, p.id, p.name, p.phone_bi
  )
  SELECT up.id_bi, up.id, CASE WHEN b.name <> up.name THEN b.name END, b.id_bi IS NOT NULL AND b.phone_bi IS DISTINCT FROM up.phone_bi
  FROM up LEFT JOIN before b ON b.id_bi = up.id_bi
  UNION ALL
  SELECT p.id_bi, p.id, NULL, false FROM person p JOIN incoming i ON i.bi = p.id_bi WHERE NOT EXISTS (SELECT 1 FROM up WHERE up.id_bi = p.id_bi);
END $$;

CREATE OR REPLACE FUNCTION xgz_plaque_public(num text)
RETURNS TABLE(number text, state text, kind text, entity_name text, name_first text, name_length integer, post_name text, duties text,
  commitment text, issued_on date, revoked_on date, reissued boolean, area text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY SELECT p.number, p.state, s.kind, e.name,
    CASE WHEN p.state = 'valid' THEN left(pe.name, 1) END,
    CASE WHEN p.state = 'valid' THEN char_length(pe.name) END,
    CASE WHEN p.state = 'valid' THEN s.post_name END,
    CASE WHEN p.state = 'valid' THEN s.duties END,
    CASE WHEN p.state = 'valid' THEN s.commitment END,
    p.issued_on, p.revoked_on,
    EXISTS (SELECT 1 FROM sanliang_plaque n WHERE n.replaces_id = p.id),
    concat_ws(' ', c.name, st.name)
  FROM sanliang_plaque p
  JOIN sanliang s ON s.id = p.record_id
  JOIN entity e ON e.id = s.entity_id
  JOIN member m ON m.id = s.member_id
  JOIN person pe ON pe.id = m.person_id
  JOIN jurisdiction c ON c.code = s.county_code
  LEFT JOIN jurisdiction st ON st.code = e.station_code
  WHERE p.number = num;
END $$;

CREATE OR REPLACE FUNCTION xgz_plaque_public_by_token(tok text)
RETURNS TABLE(number text, state text, kind text, entity_name text, entity_kind text, people text[], name_first text, name_length integer,
  post_name text, duties text, commitment text, issued_on date, revoked_on date, reissued boolean, area text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY SELECT p.number, CASE WHEN p.state = 'valid' AND p.suspended_at IS NOT NULL THEN 'suspended' ELSE p.state END, s.kind,
    CASE WHEN p.suspended_at IS NULL OR p.state <> 'valid' THEN e.name END, e.kind,
    ARRAY(SELECT pp.name FROM entity_person ep JOIN person pp ON pp.id = ep.person_id
          WHERE ep.entity_id = e.id AND ep.role IN ('legal_rep', 'investor', 'executive')) || pe.name,
    CASE WHEN p.state = 'valid' AND p.suspended_at IS NULL THEN left(pe.name, 1) END,
    CASE WHEN p.state = 'valid' AND p.suspended_at IS NULL THEN char_length(pe.name) END,
    CASE WHEN p.state = 'valid' AND p.suspended_at IS NULL THEN s.post_name END,
    CASE WHEN p.state = 'valid' AND p.suspended_at IS NULL THEN s.duties END,
    CASE WHEN p.state = 'valid' AND p.suspended_at IS NULL THEN s.commitment END,
    p.issued_on, p.revoked_on,
    EXISTS (SELECT 1 FROM sanliang_plaque n WHERE n.replaces_id = p.id),
    concat_ws(' ', c.name, st.name)
  FROM sanliang_plaque p
  JOIN sanliang s ON s.id = p.record_id
  JOIN entity e ON e.id = s.entity_id
  JOIN member m ON m.id = s.member_id
  JOIN person pe ON pe.id = m.person_id
  JOIN jurisdiction c ON c.code = s.county_code
  LEFT JOIN jurisdiction st ON st.code = e.station_code
  WHERE p.public_token = tok;
END $$;

CREATE OR REPLACE FUNCTION xgz_plaque_route(num text) RETURNS TABLE(plaque_id bigint, record_id bigint, scope_key text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY SELECT p.id, p.record_id, p.scope_key FROM sanliang_plaque p WHERE p.number = num;
END $$;

CREATE OR REPLACE FUNCTION xgz_plaque_route_by_token(tok text) RETURNS TABLE(plaque_id bigint, record_id bigint, scope_key text, number text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY SELECT p.id, p.record_id, p.scope_key, p.number FROM sanliang_plaque p WHERE p.public_token = tok;
END $$;

CREATE OR REPLACE FUNCTION xgz_plaque_serial(county text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
#variable_conflict use_column
DECLARE
  serial integer;
BEGIN
  INSERT INTO sanliang_plaque_counter AS c (county_code, last) VALUES (county, 1)
  ON CONFLICT (county_code) DO UPDATE SET last = c.last + 1
  RETURNING c.last INTO serial;
  RETURN serial;
END $$;

-- The UPDATE's row count is what the SQL function counted from its RETURNING.
CREATE OR REPLACE FUNCTION xgz_report_mark_outdated(p_child text, p_form text, p_period text, p_reason text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
#variable_conflict use_column
DECLARE
  marked integer;
BEGIN
  UPDATE report r SET outdated_at = now(), outdated_reason = p_reason
  FROM jurisdiction j
  WHERE j.code = p_child AND xgz_in_scope(j.scope_key) AND r.jurisdiction_code = j.parent_code
    AND r.form = p_form AND r.period = p_period AND r.state = 'submitted';
  GET DIAGNOSTICS marked = ROW_COUNT;
  RETURN marked;
END $$;

CREATE OR REPLACE FUNCTION xgz_snapshot_of_tree(p_period text) RETURNS TABLE(taken_at timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY SELECT s.taken_at FROM indicator_snapshot s WHERE s.scope_key = '' AND s.period = p_period AND s.closing;
END $$;
