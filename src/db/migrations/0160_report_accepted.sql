-- 审核通过: the level directly above marks the version a child submitted as checked, so that its
-- 待办 "审核下级上报" counts only what is still to look at, and the child sees its report was
-- taken. The mark is of one version: it lapses when the report leaves 已上报 (returned, prepared
-- again after a child's later version) or a new version is submitted — the trigger below, so
-- that no write path can leave a stale mark.
ALTER TABLE report
  ADD COLUMN accepted_version integer,
  ADD COLUMN accepted_at timestamptz,
  ADD COLUMN accepted_by bigint REFERENCES app_user(id);

CREATE FUNCTION xgz_report_acceptance_lapses() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.state <> 'submitted' OR NEW.version IS DISTINCT FROM OLD.version THEN
    NEW.accepted_version := NULL;
    NEW.accepted_at := NULL;
    NEW.accepted_by := NULL;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER report_acceptance_lapses BEFORE UPDATE ON report FOR EACH ROW EXECUTE FUNCTION xgz_report_acceptance_lapses();

ALTER TABLE report_event DROP CONSTRAINT report_event_action_check;
ALTER TABLE report_event ADD CONSTRAINT report_event_action_check CHECK (action IN ('prepare','submit','return','accept'));
