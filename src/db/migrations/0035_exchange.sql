-- System-to-system exchange (issue 15): service accounts for other systems, the batches they
-- deliver through the import pipeline, and the change feed they pull.

-- A service account is an app_user row (so its import jobs, audit records and rate limits carry an
-- account like any other) that can never sign in: no password, disabled for sessions, no roles.
-- Its token, node, permissions, expiry, IP allowlist and rate limit live in service_account.
ALTER TABLE app_user ADD COLUMN is_service boolean NOT NULL DEFAULT false;
ALTER TABLE app_user ADD CONSTRAINT app_user_service_check
  CHECK (NOT is_service OR (disabled AND roles = '{}' AND password_hash = '!service-account'));

CREATE TABLE service_account (
  user_id        bigint PRIMARY KEY REFERENCES app_user(id),
  name           text NOT NULL,
  note           text,
  jurisdiction_code text NOT NULL REFERENCES jurisdiction(code),
  scope_key      text COLLATE "C" NOT NULL,
  permissions    text[] NOT NULL,
  -- HMAC-SM3 of the token under a key derived from the master key (never the token itself).
  token_hash     text NOT NULL UNIQUE,
  token_hint     text NOT NULL,
  expires_at     timestamptz NOT NULL,
  ip_allowlist   text[] NOT NULL DEFAULT '{}',
  rate_per_minute integer NOT NULL DEFAULT 120 CHECK (rate_per_minute BETWEEN 1 AND 100000),
  revoked_at     timestamptz,
  revoked_by     bigint REFERENCES app_user(id),
  revoke_reason  text,
  last_used_at   timestamptz,
  last_used_ip   text,
  created_by     bigint REFERENCES app_user(id),
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CHECK (revoked_at IS NULL OR revoke_reason IS NOT NULL)
);
CREATE INDEX service_account_scope_idx ON service_account (scope_key);
ALTER TABLE service_account ENABLE ROW LEVEL SECURITY;
CREATE POLICY service_account_scope ON service_account USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key));
GRANT SELECT, INSERT, UPDATE ON service_account TO xgz_app;

-- A batch a service account delivered: the caller's batch id, the keyed hash of the body and the
-- import job it became. The same batch id with the same body is the same job; with another body, refused.
CREATE TABLE exchange_batch (
  account_id  bigint NOT NULL REFERENCES service_account(user_id),
  batch_id    text NOT NULL,
  kind        text NOT NULL,
  body_hash   text NOT NULL,
  job_id      bigint NOT NULL REFERENCES import_job(id),
  scope_key   text COLLATE "C" NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, batch_id)
);
CREATE INDEX exchange_batch_job_idx ON exchange_batch (job_id);
ALTER TABLE exchange_batch ENABLE ROW LEVEL SECURITY;
CREATE POLICY exchange_batch_scope ON exchange_batch USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key));
GRANT SELECT, INSERT ON exchange_batch TO xgz_app;

-- The change feed. Statement triggers (transition tables: one set-based insert per statement, so a
-- batch of an import pays one insert) log which object changed, under which scope key. The cursor
-- orders by (xid, seq): the writing transaction's id, then the row's serial. A reader returns only
-- rows of transactions older than its snapshot's xmin, i.e. finished ones; any transaction still
-- running, or starting later, has an xid at or above that horizon, so a row committed later always
-- sorts after every cursor already handed out: nothing is skipped, nothing repeated.
CREATE TABLE change_log (
  xid        xid8 NOT NULL DEFAULT pg_current_xact_id(),
  seq        bigint GENERATED ALWAYS AS IDENTITY,
  kind       text NOT NULL CHECK (kind IN ('entity','organization','member_link','plaque','case')),
  object_id  bigint NOT NULL,
  op         text NOT NULL CHECK (op IN ('insert','update','delete','moved_out')),
  scope_key  text COLLATE "C" NOT NULL,
  at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (xid, seq)
);
CREATE INDEX change_log_scope_idx ON change_log (scope_key, xid, seq);
ALTER TABLE change_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY change_log_read ON change_log FOR SELECT USING (xgz_in_scope(scope_key));
GRANT SELECT ON change_log TO xgz_app;

-- TG_ARGV[0]: the feed kind; the object is the row's id. An update logs only rows that changed
-- (apart from updated_at); a row that moved to another subtree is also logged as moved_out under
-- its old scope key, so the subtree it left learns of it.
CREATE FUNCTION xgz_log_change() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_catalog AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    EXECUTE format('INSERT INTO change_log (kind, object_id, op, scope_key) SELECT %L, id, ''insert'', scope_key FROM new_rows ORDER BY id', TG_ARGV[0]);
  ELSIF TG_OP = 'UPDATE' THEN
    EXECUTE format('INSERT INTO change_log (kind, object_id, op, scope_key)
      SELECT %L, x.id, x.op, x.scope_key FROM (
        SELECT n.id, ''update'' AS op, n.scope_key FROM new_rows n JOIN old_rows p ON p.id = n.id
        WHERE to_jsonb(p) - ''updated_at'' IS DISTINCT FROM to_jsonb(n) - ''updated_at''
        UNION ALL
        SELECT p.id, ''moved_out'', p.scope_key FROM new_rows n JOIN old_rows p ON p.id = n.id WHERE p.scope_key <> n.scope_key
      ) x ORDER BY x.id', TG_ARGV[0]);
  ELSE
    EXECUTE format('INSERT INTO change_log (kind, object_id, op, scope_key) SELECT %L, id, ''delete'', scope_key FROM old_rows ORDER BY id', TG_ARGV[0]);
  END IF;
  RETURN NULL;
END $$;

-- An organization's covered entities are part of the organization: a change to them is its update.
CREATE FUNCTION xgz_log_org_entity() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_catalog AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO change_log (kind, object_id, op, scope_key) SELECT DISTINCT 'organization', o.id, 'update', o.scope_key FROM new_rows n JOIN party_org o ON o.id = n.org_id;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO change_log (kind, object_id, op, scope_key) SELECT DISTINCT 'organization', o.id, 'update', o.scope_key FROM (SELECT org_id FROM new_rows UNION SELECT org_id FROM old_rows) n JOIN party_org o ON o.id = n.org_id;
  ELSE
    INSERT INTO change_log (kind, object_id, op, scope_key) SELECT DISTINCT 'organization', o.id, 'update', o.scope_key FROM old_rows n JOIN party_org o ON o.id = n.org_id;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER entity_change_ins AFTER INSERT ON entity REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_log_change('entity');
CREATE TRIGGER entity_change_upd AFTER UPDATE ON entity REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_log_change('entity');
CREATE TRIGGER entity_change_del AFTER DELETE ON entity REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_log_change('entity');
CREATE TRIGGER party_org_change_ins AFTER INSERT ON party_org REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_log_change('organization');
CREATE TRIGGER party_org_change_upd AFTER UPDATE ON party_org REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_log_change('organization');
CREATE TRIGGER party_org_change_del AFTER DELETE ON party_org REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_log_change('organization');
CREATE TRIGGER party_org_entity_change_ins AFTER INSERT ON party_org_entity REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_log_org_entity();
CREATE TRIGGER party_org_entity_change_upd AFTER UPDATE ON party_org_entity REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_log_org_entity();
CREATE TRIGGER party_org_entity_change_del AFTER DELETE ON party_org_entity REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_log_org_entity();
CREATE TRIGGER member_link_change_ins AFTER INSERT ON member_link REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_log_change('member_link');
CREATE TRIGGER member_link_change_upd AFTER UPDATE ON member_link REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_log_change('member_link');
CREATE TRIGGER member_link_change_del AFTER DELETE ON member_link REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_log_change('member_link');
CREATE TRIGGER sanliang_plaque_change_ins AFTER INSERT ON sanliang_plaque REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_log_change('plaque');
CREATE TRIGGER sanliang_plaque_change_upd AFTER UPDATE ON sanliang_plaque REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_log_change('plaque');
CREATE TRIGGER sanliang_plaque_change_del AFTER DELETE ON sanliang_plaque REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_log_change('plaque');
CREATE TRIGGER discovery_case_change_ins AFTER INSERT ON discovery_case REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_log_change('case');
CREATE TRIGGER discovery_case_change_upd AFTER UPDATE ON discovery_case REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_log_change('case');
CREATE TRIGGER discovery_case_change_del AFTER DELETE ON discovery_case REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION xgz_log_change('case');

-- What exists before the feed starts is its first page: one insert per current object.
INSERT INTO change_log (kind, object_id, op, scope_key)
  SELECT 'entity', id, 'insert', scope_key FROM entity
  UNION ALL SELECT 'organization', id, 'insert', scope_key FROM party_org
  UNION ALL SELECT 'member_link', id, 'insert', scope_key FROM member_link
  UNION ALL SELECT 'plaque', id, 'insert', scope_key FROM sanliang_plaque
  UNION ALL SELECT 'case', id, 'insert', scope_key FROM discovery_case;
