-- Exit driven by status and credit lists (issue 15). The 经营异常名录 and the 严重违法失信名单
-- as data (imported like the other files); an entity deregistered, revoked or listed has its valid
-- 三亮 plaques suspended at once (the public page says 暂停公示 and nothing more), its honours and
-- points flagged, and an exit review opened for its station; removal from the list (or a status
-- back to 存续) turns the review into "lift pending" for staff to confirm. Which effects apply is
-- a setting per cause (setting key 'exit'); every automatic effect is written to exit_effect with
-- the transaction that caused it, which the application adds to the audit chain.

-- ── Credit lists ─────────────────────────────────────────────────────────────────────────────
CREATE TABLE credit_listing (
  id                 bigserial PRIMARY KEY,
  list               text NOT NULL CHECK (list IN ('abnormal','untrustworthy')),
  entity_id          bigint NOT NULL REFERENCES entity(id) ON DELETE CASCADE,
  scope_key          text COLLATE "C" NOT NULL,
  listed_on          date NOT NULL,
  listed_reason      text NOT NULL,
  listed_authority   text,
  removed_on         date,
  removed_reason     text,
  removed_authority  text,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT credit_listing_uq UNIQUE (entity_id, list, listed_on),
  CHECK (removed_on IS NULL OR removed_on >= listed_on)
);
CREATE INDEX credit_listing_scope_idx ON credit_listing (scope_key, id);
CREATE INDEX credit_listing_live_idx ON credit_listing (entity_id, list) WHERE removed_on IS NULL;

ALTER TABLE import_job DROP CONSTRAINT import_job_kind_check;
ALTER TABLE import_job ADD CONSTRAINT import_job_kind_check CHECK (kind IN ('registry','annual_report','roster','abnormal_list','untrustworthy_list'));
ALTER TABLE import_profile DROP CONSTRAINT import_profile_kind_check;
ALTER TABLE import_profile ADD CONSTRAINT import_profile_kind_check CHECK (kind IN ('registry','annual_report','roster','abnormal_list','untrustworthy_list'));

-- ── Suspension and flags ─────────────────────────────────────────────────────────────────────
ALTER TABLE sanliang_plaque ADD COLUMN suspended_at timestamptz;
ALTER TABLE recognition_point ADD COLUMN flagged_at timestamptz, ADD COLUMN flag_reason text;

-- One review per entity and cause while it is live. state: open (the cause holds, to review),
-- reviewed (seen by staff; the suspension stays while the cause holds), lift_pending (the cause
-- is gone; staff confirm the plaques return), closed.
CREATE TABLE exit_review (
  id           bigserial PRIMARY KEY,
  entity_id    bigint NOT NULL REFERENCES entity(id) ON DELETE CASCADE,
  scope_key    text COLLATE "C" NOT NULL,
  cause        text NOT NULL CHECK (cause IN ('deregistered','revoked','abnormal','untrustworthy')),
  listing_id   bigint REFERENCES credit_listing(id) ON DELETE SET NULL,
  reason       text NOT NULL,
  state        text NOT NULL DEFAULT 'open' CHECK (state IN ('open','reviewed','lift_pending','closed')),
  suspends     boolean NOT NULL,
  opened_at    timestamptz NOT NULL DEFAULT now(),
  cleared_at   timestamptz,
  reviewed_at  timestamptz,
  reviewed_by  bigint REFERENCES app_user(id),
  review_note  text,
  closed_at    timestamptz,
  closed_by    bigint REFERENCES app_user(id),
  close_note   text,
  CHECK (state <> 'closed' OR closed_at IS NOT NULL)
);
CREATE UNIQUE INDEX exit_review_live_uq ON exit_review (entity_id, cause) WHERE state <> 'closed';
CREATE INDEX exit_review_scope_idx ON exit_review (scope_key, state);

-- Every automatic effect, with the transaction that caused it (the application reads the rows of
-- its own transaction into the audit chain, naming the import job or request).
CREATE TABLE exit_effect (
  id           bigserial PRIMARY KEY,
  review_id    bigint NOT NULL REFERENCES exit_review(id) ON DELETE CASCADE,
  entity_id    bigint NOT NULL,
  scope_key    text COLLATE "C" NOT NULL,
  effect       text NOT NULL CHECK (effect IN ('review_open','review_reopen','plaque_suspend','honour_flag','point_flag','review_lift_pending','review_close','plaque_resume','point_unflag')),
  object_type  text NOT NULL,
  object_id    bigint NOT NULL,
  cause        text NOT NULL,
  listing_id   bigint,
  tx           bigint NOT NULL DEFAULT txid_current(),
  at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX exit_effect_tx_idx ON exit_effect (tx);
CREATE INDEX exit_effect_review_idx ON exit_effect (review_id);

-- Whether an effect applies to a cause (setting 'exit'; every effect on by default).
CREATE FUNCTION xgz_exit_rule(c text, effect text) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT coalesce((SELECT (s.value -> c ->> effect)::boolean FROM setting s WHERE s.key = 'exit'), true)
$$;

CREATE FUNCTION xgz_exit_open(eid bigint, c text, lid bigint, why text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  r exit_review;
  sk text;
BEGIN
  SELECT * INTO r FROM exit_review WHERE entity_id = eid AND cause = c AND state <> 'closed' FOR UPDATE;
  IF FOUND THEN
    -- The cause came back before staff confirmed the lift: the review is open again.
    IF r.state = 'lift_pending' THEN
      UPDATE exit_review SET state = 'open', cleared_at = NULL, listing_id = coalesce(lid, listing_id), reason = why WHERE id = r.id;
      INSERT INTO exit_effect (review_id, entity_id, scope_key, effect, object_type, object_id, cause, listing_id) VALUES (r.id, eid, r.scope_key, 'review_reopen', 'exit_review', r.id, c, lid);
    END IF;
    RETURN;
  END IF;
  SELECT scope_key INTO sk FROM entity WHERE id = eid;
  INSERT INTO exit_review (entity_id, scope_key, cause, listing_id, reason, suspends) VALUES (eid, sk, c, lid, why, xgz_exit_rule(c, 'suspendPlaques')) RETURNING * INTO r;
  INSERT INTO exit_effect (review_id, entity_id, scope_key, effect, object_type, object_id, cause, listing_id) VALUES (r.id, eid, sk, 'review_open', 'exit_review', r.id, c, lid);
  IF r.suspends THEN
    WITH s AS (
      UPDATE sanliang_plaque p SET suspended_at = now() FROM sanliang s
      WHERE s.id = p.record_id AND s.entity_id = eid AND p.state = 'valid' AND p.suspended_at IS NULL RETURNING p.id
    ) INSERT INTO exit_effect (review_id, entity_id, scope_key, effect, object_type, object_id, cause, listing_id) SELECT r.id, eid, sk, 'plaque_suspend', 'sanliang_plaque', s.id, c, lid FROM s;
  END IF;
  IF xgz_exit_rule(c, 'flagHonours') THEN
    WITH h AS (
      UPDATE honour SET flagged_at = now(), flag_reason = why, updated_at = now()
      WHERE entity_id = eid AND state IN ('nominated','approved','awarded') AND flagged_at IS NULL RETURNING id
    ) INSERT INTO exit_effect (review_id, entity_id, scope_key, effect, object_type, object_id, cause, listing_id) SELECT r.id, eid, sk, 'honour_flag', 'honour', h.id, c, lid FROM h;
  END IF;
  IF xgz_exit_rule(c, 'flagPoints') THEN
    WITH pt AS (
      UPDATE recognition_point SET flagged_at = now(), flag_reason = why, updated_at = now()
      WHERE entity_id = eid AND status = 'active' AND flagged_at IS NULL RETURNING id
    ) INSERT INTO exit_effect (review_id, entity_id, scope_key, effect, object_type, object_id, cause, listing_id) SELECT r.id, eid, sk, 'point_flag', 'recognition_point', pt.id, c, lid FROM pt;
  END IF;
END $$;

-- Staff confirm a lift: the review closes; the plaques return when no other live review suspends them,
-- and the points flagged for the entity are cleared with them (honours keep their own review).
CREATE FUNCTION xgz_exit_lift(rid bigint, uid bigint, note text) RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  r exit_review;
  n integer := 0;
BEGIN
  UPDATE exit_review SET state = 'closed', closed_at = now(), closed_by = uid, close_note = note WHERE id = rid AND state = 'lift_pending' RETURNING * INTO r;
  IF NOT FOUND THEN RETURN NULL; END IF;
  INSERT INTO exit_effect (review_id, entity_id, scope_key, effect, object_type, object_id, cause, listing_id) VALUES (r.id, r.entity_id, r.scope_key, 'review_close', 'exit_review', r.id, r.cause, r.listing_id);
  IF NOT EXISTS (SELECT 1 FROM exit_review o WHERE o.entity_id = r.entity_id AND o.state <> 'closed') THEN
    WITH s AS (
      UPDATE sanliang_plaque p SET suspended_at = NULL FROM sanliang s
      WHERE s.id = p.record_id AND s.entity_id = r.entity_id AND p.suspended_at IS NOT NULL RETURNING p.id
    ), e AS (
      INSERT INTO exit_effect (review_id, entity_id, scope_key, effect, object_type, object_id, cause, listing_id) SELECT r.id, r.entity_id, r.scope_key, 'plaque_resume', 'sanliang_plaque', s.id, r.cause, r.listing_id FROM s RETURNING 1
    ) SELECT count(*) INTO n FROM e;
    WITH pt AS (
      UPDATE recognition_point SET flagged_at = NULL, flag_reason = NULL, updated_at = now() WHERE entity_id = r.entity_id AND flagged_at IS NOT NULL RETURNING id
    ) INSERT INTO exit_effect (review_id, entity_id, scope_key, effect, object_type, object_id, cause, listing_id) SELECT r.id, r.entity_id, r.scope_key, 'point_unflag', 'recognition_point', pt.id, r.cause, r.listing_id FROM pt;
  END IF;
  RETURN n;
END $$;

CREATE FUNCTION xgz_exit_clear(eid bigint, c text, lid bigint) RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  r exit_review;
BEGIN
  -- Another live listing on the same list keeps the cause.
  IF c IN ('abnormal','untrustworthy') AND EXISTS (SELECT 1 FROM credit_listing WHERE entity_id = eid AND list = c AND removed_on IS NULL) THEN RETURN; END IF;
  UPDATE exit_review SET state = 'lift_pending', cleared_at = now() WHERE entity_id = eid AND cause = c AND state IN ('open','reviewed') RETURNING * INTO r;
  IF NOT FOUND THEN RETURN; END IF;
  INSERT INTO exit_effect (review_id, entity_id, scope_key, effect, object_type, object_id, cause, listing_id) VALUES (r.id, eid, r.scope_key, 'review_lift_pending', 'exit_review', r.id, c, lid);
  IF coalesce((SELECT s.value ->> 'liftOnRemoval' FROM setting s WHERE s.key = 'exit'), 'confirm') = 'auto' THEN
    PERFORM xgz_exit_lift(r.id, NULL, '按设置自动恢复');
  END IF;
END $$;

CREATE FUNCTION xgz_exit_on_entity() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF OLD.status IN ('deregistered','revoked') THEN PERFORM xgz_exit_clear(NEW.id, OLD.status, NULL); END IF;
  IF NEW.status IN ('deregistered','revoked') THEN
    PERFORM xgz_exit_open(NEW.id, NEW.status, NULL, CASE NEW.status WHEN 'deregistered' THEN '主体已注销' ELSE '主体已被吊销营业执照' END);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER entity_exit AFTER UPDATE OF status ON entity FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION xgz_exit_on_entity();
-- Flagging honours on a status change is now one of the configurable effects above.
DROP TRIGGER entity_honour_flag ON entity;

CREATE FUNCTION xgz_exit_on_listing() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  why text := CASE NEW.list WHEN 'abnormal' THEN '列入经营异常名录：' ELSE '列入严重违法失信名单：' END || NEW.listed_reason;
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.removed_on IS NULL THEN PERFORM xgz_exit_open(NEW.entity_id, NEW.list, NEW.id, why); END IF;
  ELSIF OLD.removed_on IS NULL AND NEW.removed_on IS NOT NULL THEN
    PERFORM xgz_exit_clear(NEW.entity_id, NEW.list, NEW.id);
  ELSIF OLD.removed_on IS NOT NULL AND NEW.removed_on IS NULL THEN
    PERFORM xgz_exit_open(NEW.entity_id, NEW.list, NEW.id, why);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER credit_listing_exit AFTER INSERT OR UPDATE OF removed_on ON credit_listing FOR EACH ROW EXECUTE FUNCTION xgz_exit_on_listing();

-- A plaque issued while a live review suspends the entity's plaques starts suspended.
CREATE FUNCTION xgz_exit_on_plaque() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF NEW.state = 'valid' AND NEW.suspended_at IS NULL AND EXISTS (
    SELECT 1 FROM sanliang s JOIN exit_review r ON r.entity_id = s.entity_id WHERE s.id = NEW.record_id AND r.state <> 'closed' AND r.suspends) THEN
    NEW.suspended_at := now();
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER sanliang_plaque_exit BEFORE INSERT ON sanliang_plaque FOR EACH ROW EXECUTE FUNCTION xgz_exit_on_plaque();

-- A nomination of an entity on a credit list starts flagged, like one of a deregistered entity.
CREATE OR REPLACE FUNCTION xgz_honour_flag_reason(eid bigint) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT coalesce(
    (SELECT CASE e.status WHEN 'deregistered' THEN '主体已注销' WHEN 'revoked' THEN '主体已被吊销营业执照' END FROM entity e WHERE e.id = eid),
    (SELECT CASE l.list WHEN 'abnormal' THEN '列入经营异常名录：' ELSE '列入严重违法失信名单：' END || l.listed_reason FROM credit_listing l
      WHERE l.entity_id = eid AND l.removed_on IS NULL ORDER BY l.listed_on DESC, l.id DESC LIMIT 1),
    (SELECT '记录有严重违法违规行为：' || v.description FROM entity_violation v WHERE v.entity_id = eid ORDER BY v.occurred_on DESC, v.id DESC LIMIT 1))
$$;

-- The public page: a suspended plaque shows only that it is suspended (state 'suspended', no details).
CREATE OR REPLACE FUNCTION xgz_plaque_public_by_token(tok text)
RETURNS TABLE (number text, state text, kind text, entity_name text, entity_kind text, people text[], name_first text, name_length integer,
               post_name text, duties text, commitment text, issued_on date, revoked_on date, reissued boolean, area text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT p.number, CASE WHEN p.state = 'valid' AND p.suspended_at IS NOT NULL THEN 'suspended' ELSE p.state END, s.kind,
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
  WHERE p.public_token = tok
$$;

REVOKE ALL ON FUNCTION xgz_exit_rule(text, text), xgz_exit_open(bigint, text, bigint, text), xgz_exit_clear(bigint, text, bigint), xgz_exit_lift(bigint, bigint, text) FROM PUBLIC;
-- The route checks the review is in the caller's scope (row-level security) before calling it.
GRANT EXECUTE ON FUNCTION xgz_exit_lift(bigint, bigint, text) TO xgz_app;

CREATE TRIGGER credit_listing_history AFTER INSERT OR UPDATE OR DELETE ON credit_listing FOR EACH ROW EXECUTE FUNCTION xgz_history();
CREATE TRIGGER exit_review_history AFTER INSERT OR UPDATE OR DELETE ON exit_review FOR EACH ROW EXECUTE FUNCTION xgz_history();

GRANT SELECT, INSERT, UPDATE ON credit_listing TO xgz_app;
GRANT SELECT, UPDATE ON exit_review TO xgz_app;
GRANT SELECT ON exit_effect TO xgz_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO xgz_app;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['credit_listing','exit_review','exit_effect'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %1$s_scope ON %1$I USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key))', t);
  END LOOP;
END $$;
