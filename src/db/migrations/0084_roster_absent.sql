-- A member missing from a later full roster (名册中已不存在).
--
-- 1. An import of the 党员名册 says whether the file is the full roster of the party organizations
--    it carries (default: not, so a partial file changes nothing). absent_members: the cases its
--    successful end raised (null: not a full roster, or not ended yet).
ALTER TABLE import_job ADD COLUMN full_roster boolean NOT NULL DEFAULT false;
ALTER TABLE import_job ADD COLUMN absent_members integer;
ALTER TABLE import_job ADD CONSTRAINT import_job_full_roster_check CHECK (NOT full_roster OR kind = 'roster');

-- 2. Who a full-roster job saw, written batch by batch in the batch's transaction (so a batch rolled
--    back leaves none): member_id for a row that named a member (accepted, or refused after it was
--    read, as a repeat or for a name that contradicts the number on file); name_hash (md5 of the
--    name: the table holds no name) and org for a row refused before it named anyone (an unusable
--    ID number …): a member of that name, or, without a name, of that organization, is not absent.
--    Rows go when the job ends, is handed back or is found dead, as import_key's do; no row-level
--    policy for the same reason (the rows say nothing without member's, which has its own).
CREATE UNLOGGED TABLE import_roster_seen (
  job_id     bigint NOT NULL,
  member_id  bigint,
  name_hash  text,
  org        text
);
CREATE INDEX import_roster_seen_job_idx ON import_roster_seen (job_id, member_id);
GRANT SELECT, INSERT, DELETE ON import_roster_seen TO xgz_app;

-- 3. What the case's resolutions record about the member: 已转出, 停止党籍, 去世.
ALTER TABLE member DROP CONSTRAINT member_member_status_check;
ALTER TABLE member ADD CONSTRAINT member_member_status_check
  CHECK (member_status IN ('normal','mobile','lost','abroad','other','transferred_out','stopped','deceased'));
-- The absent members of an organization are looked up by holder and organization at a job's end.
CREATE INDEX member_holder_org_idx ON member (scope_key, org_relation);

-- 4. The case: about a member, not an entity; one not yet resolved per member.
ALTER TABLE discovery_case DROP CONSTRAINT discovery_case_kind_check;
ALTER TABLE discovery_case ADD CONSTRAINT discovery_case_kind_check
  CHECK (kind IN ('hidden_member','pocket_member','entity_without_org','declared_not_found','self_report','roster_absent'));
ALTER TABLE discovery_case DROP CONSTRAINT discovery_case_subject_check;
ALTER TABLE discovery_case ADD CONSTRAINT discovery_case_subject_check
  CHECK (entity_id IS NOT NULL OR kind = 'self_report' OR (kind = 'roster_absent' AND member_id IS NOT NULL));
CREATE UNIQUE INDEX discovery_case_absent_uq ON discovery_case (member_id) WHERE kind = 'roster_absent' AND state <> 'resolved';

INSERT INTO dictionary (kind, code, label, sort_order) VALUES
  ('case_kind','roster_absent','名册中已不存在',6),
  ('member_standing','transferred_out','已转出',6), ('member_standing','stopped','停止党籍',7), ('member_standing','deceased','去世',8)
ON CONFLICT DO NOTHING;
