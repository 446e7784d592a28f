-- 党员找组织: members report themselves on a public page; each report lands as a case for the
-- station of the entity they name (or their county when the entity is not in the ledger).
CREATE TABLE self_report (
  id            bigserial PRIMARY KEY,
  entity_id     bigint REFERENCES entity(id) ON DELETE SET NULL,
  county_code   text NOT NULL REFERENCES jurisdiction(code),
  scope_key     text COLLATE "C" NOT NULL,
  name          text NOT NULL,
  phone_enc     text NOT NULL,
  id_enc        text,
  entity_text   text NOT NULL,
  org_relation  text,
  consent_at    timestamptz NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX self_report_scope_idx ON self_report (scope_key);

ALTER TABLE discovery_case DROP CONSTRAINT discovery_case_kind_check;
ALTER TABLE discovery_case ADD CONSTRAINT discovery_case_kind_check CHECK (kind IN ('hidden_member','pocket_member','entity_without_org','declared_not_found','self_report'));
ALTER TABLE discovery_case ALTER COLUMN entity_id DROP NOT NULL;
ALTER TABLE discovery_case ADD COLUMN self_report_id bigint REFERENCES self_report(id) ON DELETE CASCADE;
ALTER TABLE discovery_case ADD CONSTRAINT discovery_case_subject_check CHECK (entity_id IS NOT NULL OR kind = 'self_report');
-- Derived cases are one per kind, entity and member; every self-report is a case of its own.
DROP INDEX discovery_case_key_uq;
CREATE UNIQUE INDEX discovery_case_key_uq ON discovery_case (kind, entity_id, (coalesce(member_id, 0))) WHERE kind <> 'self_report';

GRANT SELECT, INSERT ON self_report TO xgz_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO xgz_app;
ALTER TABLE self_report ENABLE ROW LEVEL SECURITY;
CREATE POLICY self_report_scope ON self_report USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key));

INSERT INTO dictionary (kind, code, label, sort_order) VALUES ('case_kind','self_report','党员报到（本人报告）',5);
