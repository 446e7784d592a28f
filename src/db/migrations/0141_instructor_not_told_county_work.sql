-- An instructor's account is no longer told of its node's work (new cases, appeals routed or
-- escalated, notices and tasks, reports, imports): the bell's messages name what it may not read
-- now (0140) and link to pages it is refused. Its own work is in its 工作台 (指导跟进). The
-- messages it was already sent are removed with it.
CREATE OR REPLACE FUNCTION xgz_notify_accounts(p_codes text[]) RETURNS TABLE (id bigint, scope_key text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT u.id, u.scope_key::text FROM app_user u JOIN jurisdiction j ON j.code = u.jurisdiction_code
  WHERE u.jurisdiction_code = ANY (p_codes) AND NOT u.disabled
    AND u.roles && ARRAY['editor','viewer','station_staff']::text[]
    AND NOT u.roles @> ARRAY['instructor']::text[]
    AND (xgz_in_scope(j.scope_key) OR starts_with(xgz_scope(), j.scope_key))
$$;

DELETE FROM notification n USING app_user u WHERE n.user_id = u.id AND u.roles @> ARRAY['instructor']::text[];
