-- 三亮 (亮身份、亮职责、亮承诺): a member shows identity, duties and commitment in an entity, as a
-- 共产党员经营户 or at a 党员示范岗; numbered plaques with a public verification page; and the
-- problems the public reports from that page, which land in the station's work list.
-- Rows carry the entity's scope key (its station, else its county), as the entity ledger does.

CREATE TABLE sanliang (
  id              bigserial PRIMARY KEY,
  kind            text NOT NULL CHECK (kind IN ('member_operator','member_post')),
  member_id       bigint NOT NULL REFERENCES member(id),
  entity_id       bigint NOT NULL REFERENCES entity(id),
  county_code     text NOT NULL REFERENCES jurisdiction(code),
  scope_key       text COLLATE "C" NOT NULL,
  post_name       text,
  duties          text NOT NULL,
  commitment      text NOT NULL,
  shown_on        date NOT NULL,
  status          text NOT NULL DEFAULT 'active' CHECK (status IN ('active','withdrawn')),
  withdrawn_on    date,
  withdraw_reason text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CHECK (status <> 'withdrawn' OR withdrawn_on IS NOT NULL)
);
CREATE INDEX sanliang_scope_idx ON sanliang (scope_key, id);
CREATE INDEX sanliang_member_idx ON sanliang (member_id);
CREATE INDEX sanliang_entity_idx ON sanliang (entity_id);
-- One active record per member, entity and kind: a second would be a second plaque for one role.
CREATE UNIQUE INDEX sanliang_active_uq ON sanliang (member_id, entity_id, kind) WHERE status = 'active';

CREATE TABLE sanliang_plaque (
  id             bigserial PRIMARY KEY,
  number         text NOT NULL,
  record_id      bigint NOT NULL REFERENCES sanliang(id),
  scope_key      text COLLATE "C" NOT NULL,
  state          text NOT NULL DEFAULT 'valid' CHECK (state IN ('valid','revoked')),
  issued_on      date NOT NULL,
  revoked_on     date,
  revoke_reason  text,
  replaces_id    bigint REFERENCES sanliang_plaque(id),
  created_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT sanliang_plaque_number_uq UNIQUE (number),
  CHECK (state <> 'revoked' OR (revoked_on IS NOT NULL AND revoke_reason IS NOT NULL))
);
CREATE INDEX sanliang_plaque_scope_idx ON sanliang_plaque (scope_key, id);
CREATE INDEX sanliang_plaque_record_idx ON sanliang_plaque (record_id);
CREATE UNIQUE INDEX sanliang_plaque_one_valid_uq ON sanliang_plaque (record_id) WHERE state = 'valid';

-- The serial of plaque numbers within each county. Not granted to xgz_app: only the function
-- below advances it, so two stations of a county never draw the same number.
CREATE TABLE sanliang_plaque_counter (
  county_code  text PRIMARY KEY REFERENCES jurisdiction(code),
  last         integer NOT NULL
);

CREATE FUNCTION xgz_plaque_serial(county text) RETURNS integer LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public AS $$
  INSERT INTO sanliang_plaque_counter AS c (county_code, last) VALUES (county, 1)
  ON CONFLICT (county_code) DO UPDATE SET last = c.last + 1
  RETURNING last
$$;

-- "Report a problem" from the public page: a small work item for the station (state open →
-- handled, with a note). Named for what it is, so the later case engine can fold it in.
CREATE TABLE plaque_feedback (
  id             bigserial PRIMARY KEY,
  plaque_id      bigint NOT NULL REFERENCES sanliang_plaque(id),
  record_id      bigint NOT NULL REFERENCES sanliang(id),
  scope_key      text COLLATE "C" NOT NULL,
  category       text NOT NULL CHECK (category IN ('identity','conduct','plaque','other')),
  content        text NOT NULL,
  state          text NOT NULL DEFAULT 'open' CHECK (state IN ('open','handled')),
  handling_note  text,
  handled_by     bigint REFERENCES app_user(id),
  handled_at     timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  CHECK (state <> 'handled' OR (handling_note IS NOT NULL AND handled_at IS NOT NULL))
);
CREATE INDEX plaque_feedback_scope_idx ON plaque_feedback (scope_key, state, id);

CREATE TRIGGER sanliang_history AFTER INSERT OR UPDATE OR DELETE ON sanliang FOR EACH ROW EXECUTE FUNCTION xgz_history();
CREATE TRIGGER sanliang_plaque_history AFTER INSERT OR UPDATE OR DELETE ON sanliang_plaque FOR EACH ROW EXECUTE FUNCTION xgz_history();

-- ── The public page ───────────────────────────────────────────────────────────────────────
-- What anyone holding the plaque number may see, and nothing more: the entity's name, the
-- member's name as its first character and length (masked in the application), the duties and
-- commitment while the plaque is valid. A revoked plaque shows only that it is revoked.
CREATE FUNCTION xgz_plaque_public(num text)
RETURNS TABLE (number text, state text, kind text, entity_name text, name_first text, name_length integer,
               post_name text, duties text, commitment text, issued_on date, revoked_on date, reissued boolean, area text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT p.number, p.state, s.kind, e.name,
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
  WHERE p.number = num
$$;

-- Where a report about a plaque goes: the plaque, its record and the scope key of its station.
CREATE FUNCTION xgz_plaque_route(num text) RETURNS TABLE (plaque_id bigint, record_id bigint, scope_key text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT p.id, p.record_id, p.scope_key FROM sanliang_plaque p WHERE p.number = num
$$;

REVOKE ALL ON FUNCTION xgz_plaque_serial(text), xgz_plaque_public(text), xgz_plaque_route(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION xgz_plaque_serial(text), xgz_plaque_public(text), xgz_plaque_route(text) TO xgz_app;

GRANT SELECT, INSERT, UPDATE, DELETE ON sanliang TO xgz_app;
GRANT SELECT, INSERT, UPDATE ON sanliang_plaque, plaque_feedback TO xgz_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO xgz_app;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['sanliang','sanliang_plaque','plaque_feedback'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %1$s_scope ON %1$I USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key))', t);
  END LOOP;
END $$;
