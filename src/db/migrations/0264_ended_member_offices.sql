-- Round 20 (loop20): an officer whose membership ends (the roster says 去世 or 停止党籍, or a case
-- concluded so) leaves office on the day the fact reached the ledger, with the reason. The term as
-- entered stays as it was (term_end is the committee's term, which 换届提醒 counts from): the
-- leaving is kept beside it in left_on / left_reason. Left as they were, the dead secretary stayed
-- the organization's 书记 in its list and page, counted among the secretaries of the training
-- indicator (and its list of those to train), and a successor was refused ("设有 2 名书记").
-- A later roster putting the member back on the roll (the entry was a mistake) brings back the
-- offices ended so, and none whose seat a successor has taken meanwhile (a secretary appointed
-- since, in office); an office ended by hand (removed) is not touched. 已转出 changes nothing here:
-- the member is still a party member; whether the relation left this organization is for it to
-- record (removing the member from it ends their offices, orgs/writes.ts removeOrgMemberRow).

ALTER TABLE party_org_officer ADD COLUMN left_on date, ADD COLUMN left_reason text;

-- The offices are found in a statement of their own, then updated by id: an UPDATE whose condition
-- read party_org in a subquery crashed the Citus 13.2.2 coordinator (segmentation fault) when the
-- trigger fired.
CREATE FUNCTION xgz_ended_member_offices() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  today date := current_date;
  ended text[] := ARRAY['deceased', 'stopped'];
  reasons text[] := ARRAY['党员已去世', '党员已停止党籍'];
  ids bigint[];
BEGIN
  IF NEW.member_status = ANY (ended) AND NOT OLD.member_status = ANY (ended) THEN
    SELECT array_agg(f.id) INTO ids FROM party_org_officer f JOIN party_org o ON o.id = f.org_id
    WHERE f.person_id = NEW.person_id AND f.left_on IS NULL AND f.term_end >= today AND o.body = 'party';
    UPDATE party_org_officer SET left_on = today, left_reason = reasons[array_position(ended, NEW.member_status)]
    WHERE id = ANY (ids);
  ELSIF OLD.member_status = ANY (ended) AND NOT NEW.member_status = ANY (ended) THEN
    SELECT array_agg(f.id) INTO ids FROM party_org_officer f
    WHERE f.person_id = NEW.person_id AND f.left_reason = ANY (reasons) AND f.term_end >= today
      AND NOT (f.role = 'secretary' AND EXISTS (SELECT 1 FROM party_org_officer x
        WHERE x.org_id = f.org_id AND x.role = 'secretary' AND x.id <> f.id AND x.left_on IS NULL AND x.term_end >= today));
    UPDATE party_org_officer SET left_on = NULL, left_reason = NULL WHERE id = ANY (ids);
  END IF;
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION xgz_ended_member_offices() FROM PUBLIC;

CREATE TRIGGER member_ended_offices AFTER UPDATE OF member_status ON member FOR EACH ROW
  WHEN (OLD.member_status IS DISTINCT FROM NEW.member_status) EXECUTE FUNCTION xgz_ended_member_offices();
