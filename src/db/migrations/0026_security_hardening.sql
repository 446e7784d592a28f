-- Security hardening (issue 16): the audit chain keyed from here on and its head moved only by
-- the database; appeal events immutable for the application role; the two views that ran as
-- their owner now run as the caller; plaques get an unguessable public token; a public appeal's
-- original free text kept encrypted when it held an ID number or a phone.

-- ── Audit chain ──────────────────────────────────────────────────────────────────────────────
-- Records from keyed_from on are chained with HMAC-SM3 under a key derived from the master key
-- (held outside the database); earlier records keep their plain SM3 chain. verify checks both.
ALTER TABLE audit_head ADD COLUMN keyed_from bigint NOT NULL DEFAULT 1;
UPDATE audit_head SET keyed_from = (SELECT coalesce(max(id), 0) + 1 FROM audit_log) WHERE id = 1;

-- The head follows the last record inserted, moved by this trigger (owned by the migration's
-- role), so the application role needs no UPDATE on audit_head. An insert whose first record
-- does not link to the head is refused: the chain cannot be forked from the application.
CREATE FUNCTION xgz_audit_head_advance() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  head text;
  first_prev text;
BEGIN
  SELECT last_hash INTO head FROM audit_head WHERE id = 1 FOR UPDATE;
  SELECT prev_hash INTO first_prev FROM new_rows ORDER BY id LIMIT 1;
  IF first_prev IS NULL THEN RETURN NULL; END IF;
  IF first_prev IS DISTINCT FROM head THEN
    RAISE EXCEPTION 'audit chain: the first record inserted does not link to the head' USING ERRCODE = 'check_violation';
  END IF;
  UPDATE audit_head h SET last_id = n.id, last_hash = n.hash
  FROM (SELECT id, hash FROM new_rows ORDER BY id DESC LIMIT 1) n WHERE h.id = 1;
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION xgz_audit_head_advance() FROM PUBLIC;
CREATE TRIGGER audit_log_head AFTER INSERT ON audit_log REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION xgz_audit_head_advance();
REVOKE UPDATE ON audit_head FROM xgz_app;

-- ── Appeal events are history ────────────────────────────────────────────────────────────────
-- The engine used UPDATE only to let a case's events follow it when it moves to another unit.
-- This function does that and nothing else: it copies each named case's own scope key onto its
-- events (the caller chooses no value).
CREATE FUNCTION xgz_appeal_events_follow(ids bigint[]) RETURNS void LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public AS $$
  UPDATE appeal_event e SET scope_key = c.scope_key
  FROM appeal_case c WHERE c.id = ANY(ids) AND e.case_id = c.id AND e.scope_key IS DISTINCT FROM c.scope_key
$$;
REVOKE ALL ON FUNCTION xgz_appeal_events_follow(bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION xgz_appeal_events_follow(bigint[]) TO xgz_app;
REVOKE UPDATE ON appeal_event FROM xgz_app;

-- ── Views run as the caller ──────────────────────────────────────────────────────────────────
-- Each view is now security_invoker, so the caller's row-level security applies to what it
-- reads. What it needs beyond the caller's rows comes from a narrow SECURITY DEFINER function
-- that returns ids and yes/no facts only.
CREATE FUNCTION xgz_member_found_spread() RETURNS TABLE (member_id bigint, scope_key text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT f.member_id, k.scope_key COLLATE "C"
  FROM member_found f CROSS JOIN LATERAL unnest(f.scope_keys) k(scope_key)
  WHERE cardinality(f.scope_keys) > 1 AND xgz_in_scope(k.scope_key)
$$;
REVOKE ALL ON FUNCTION xgz_member_found_spread() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION xgz_member_found_spread() TO xgz_app;
CREATE OR REPLACE VIEW member_found_spread WITH (security_invoker = true) AS
  SELECT s.member_id, s.scope_key COLLATE "C" AS scope_key FROM xgz_member_found_spread() s;

-- Whether a platform or delivery station is covered (an organization of any scope may serve it:
-- a city's mobile branch, a county's station), for every unit: ids and two booleans.
CREATE FUNCTION xgz_new_employment_links() RETURNS TABLE (unit_type text, unit_id bigint, any_org boolean, work boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT 'platform'::text, p.id,
    (o.unit_id IS NOT NULL OR coalesce(ec.any_org, false)),
    (o.unit_id IS NOT NULL OR coalesce(ec.work, false) OR EXISTS (SELECT 1 FROM instructor_assignment a WHERE a.platform_id = p.id AND a.end_on IS NULL))
  FROM platform p
  LEFT JOIN entity_coverage ec ON ec.entity_id = p.entity_id
  LEFT JOIN (SELECT DISTINCT u.platform_id AS unit_id FROM party_org_unit u JOIN party_org po ON po.id = u.org_id
             WHERE po.body = 'party' AND po.status = 'established' AND u.platform_id IS NOT NULL) o ON o.unit_id = p.id
  UNION ALL
  SELECT 'delivery_station', s.id,
    (o.unit_id IS NOT NULL OR coalesce(ec.any_org, false)),
    (o.unit_id IS NOT NULL OR coalesce(ec.work, false) OR EXISTS (SELECT 1 FROM instructor_assignment a WHERE a.delivery_station_id = s.id AND a.end_on IS NULL))
  FROM delivery_station s
  LEFT JOIN entity_coverage ec ON ec.entity_id = s.entity_id
  LEFT JOIN (SELECT DISTINCT u.delivery_station_id AS unit_id FROM party_org_unit u JOIN party_org po ON po.id = u.org_id
             WHERE po.body = 'party' AND po.status = 'established' AND u.delivery_station_id IS NOT NULL) o ON o.unit_id = s.id
$$;
REVOKE ALL ON FUNCTION xgz_new_employment_links() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION xgz_new_employment_links() TO xgz_app;
CREATE OR REPLACE VIEW new_employment_coverage_facts WITH (security_invoker = true) AS
SELECT 'platform'::text AS unit_type, p.id AS unit_id, p.id AS platform_id, p.scope_key, p.status = 'active' AS operating, l.any_org, l.work
FROM platform p JOIN xgz_new_employment_links() l ON l.unit_type = 'platform' AND l.unit_id = p.id
UNION ALL
SELECT 'delivery_station', s.id, s.platform_id, s.scope_key, s.status = 'open', l.any_org, l.work
FROM delivery_station s JOIN xgz_new_employment_links() l ON l.unit_type = 'delivery_station' AND l.unit_id = s.id;

-- entity_coverage_facts is granted to no application role: only the owner reads it (the naive
-- recomputes that tests and benchmarks compare the tallies with), and the owner is not subject to
-- row-level security, so running it as the caller changes nothing for them and keeps any later
-- grant honest.
ALTER VIEW entity_coverage_facts SET (security_invoker = true);

-- ── Plaques: an unguessable public token ─────────────────────────────────────────────────────
-- The printed number (XGZ-320102-000123) stays for people; the QR code and the public page use
-- the token (122 random bits), so plaques cannot be listed by counting.
ALTER TABLE sanliang_plaque ADD COLUMN public_token text NOT NULL DEFAULT replace(gen_random_uuid()::text, '-', '');
ALTER TABLE sanliang_plaque ADD CONSTRAINT sanliang_plaque_token_uq UNIQUE (public_token);

-- What the public page shows, found by token. Besides the old function's columns: the entity's
-- kind and the names of its people (operator, investors, the member), which the application
-- uses only to mask them inside an individual business's name and never sends.
CREATE FUNCTION xgz_plaque_public_by_token(tok text)
RETURNS TABLE (number text, state text, kind text, entity_name text, entity_kind text, people text[], name_first text, name_length integer,
               post_name text, duties text, commitment text, issued_on date, revoked_on date, reissued boolean, area text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT p.number, p.state, s.kind, e.name, e.kind,
    ARRAY(SELECT pp.name FROM entity_person ep JOIN person pp ON pp.id = ep.person_id
          WHERE ep.entity_id = e.id AND ep.role IN ('legal_rep', 'investor', 'executive')) || pe.name,
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
  WHERE p.public_token = tok
$$;
CREATE FUNCTION xgz_plaque_route_by_token(tok text) RETURNS TABLE (plaque_id bigint, record_id bigint, scope_key text, number text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT p.id, p.record_id, p.scope_key, p.number FROM sanliang_plaque p WHERE p.public_token = tok
$$;
REVOKE ALL ON FUNCTION xgz_plaque_public_by_token(text), xgz_plaque_route_by_token(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION xgz_plaque_public_by_token(text), xgz_plaque_route_by_token(text) TO xgz_app;
-- The lookups by sequential number are no longer reachable from the application.
REVOKE EXECUTE ON FUNCTION xgz_plaque_public(text), xgz_plaque_route(text) FROM xgz_app;

-- ── Public free text ─────────────────────────────────────────────────────────────────────────
-- content holds the text as displayed (ID numbers and phones masked); content_enc the original,
-- SM4-encrypted, when anything was masked (shown only through the audited reveal).
ALTER TABLE appeal_case ADD COLUMN content_enc text;
