-- Round 21 (loop21): an officer whose org relation a roster records 已转出 leaves office on the day
-- the fact reached the ledger, as one who died or whose membership stopped does (0264): a branch's
-- secretary or committee member is one of its members, and the relation has left the organizations
-- of that roster. Left as it was, the county roster said the secretary had transferred out while the
-- organization's list, page and the training indicator still named them 书记, and a successor was
-- refused ("设有 2 名书记") until a clerk deleted the office, its term with it.
-- Only the offices in the organizations of the roster's node (the member row's scope) end: the person
-- may already hold an office where the relation went. A later roster listing the member again (the
-- entry was a mistake) brings the offices back, none whose seat a successor has taken meanwhile.
-- The offices are found in a statement of their own, then updated by id (Citus: no UPDATE with a
-- subquery over another coordinator table).
CREATE OR REPLACE FUNCTION xgz_ended_member_offices() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  today date := current_date;
  ended text[] := ARRAY['deceased', 'stopped', 'transferred_out'];
  reasons text[] := ARRAY['党员已去世', '党员已停止党籍', '党员组织关系已转出'];
  moved text := '党员组织关系已转出';
  ids bigint[];
BEGIN
  IF NEW.member_status = ANY (ended) AND NOT OLD.member_status = ANY (ended) THEN
    SELECT array_agg(f.id) INTO ids FROM party_org_officer f JOIN party_org o ON o.id = f.org_id
    WHERE f.person_id = NEW.person_id AND f.left_on IS NULL AND f.term_end >= today AND o.body = 'party'
      AND (NEW.member_status <> 'transferred_out' OR starts_with(o.scope_key, NEW.scope_key));
    UPDATE party_org_officer SET left_on = today, left_reason = reasons[array_position(ended, NEW.member_status)]
    WHERE id = ANY (ids);
  ELSIF OLD.member_status = ANY (ended) AND NOT NEW.member_status = ANY (ended) THEN
    SELECT array_agg(f.id) INTO ids FROM party_org_officer f JOIN party_org o ON o.id = f.org_id
    WHERE f.person_id = NEW.person_id AND f.left_reason = ANY (reasons) AND f.term_end >= today
      AND (f.left_reason <> moved OR starts_with(o.scope_key, NEW.scope_key))
      AND NOT (f.role = 'secretary' AND EXISTS (SELECT 1 FROM party_org_officer x
        WHERE x.org_id = f.org_id AND x.role = 'secretary' AND x.id <> f.id AND x.left_on IS NULL AND x.term_end >= today));
    UPDATE party_org_officer SET left_on = NULL, left_reason = NULL WHERE id = ANY (ids);
  END IF;
  RETURN NULL;
END $$;
