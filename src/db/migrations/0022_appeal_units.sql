-- A case answered by a platform's contact point names the platform; one answered by a rider
-- industry committee names the committee. The case still hangs on a node (unit_code, scope_key):
-- the contact point's (the node that registered the platform) or the committee's, whose staff act on it.
ALTER TABLE appeal_case ADD COLUMN unit_platform_id bigint REFERENCES platform(id);
ALTER TABLE appeal_case ADD COLUMN unit_org_id bigint REFERENCES party_org(id);
ALTER TABLE appeal_case ADD CONSTRAINT appeal_case_unit_ref_check CHECK (
  (unit_kind = 'platform') = (unit_platform_id IS NOT NULL) AND (unit_kind = 'committee') = (unit_org_id IS NOT NULL));
