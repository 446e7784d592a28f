-- Round 15 (loop15): the 组建 work about an entity that stops operating follows it, whatever path
-- changed its status (a registry re-import, a later extract, an edit), as the exit effects do
-- (0034). DOMAIN.md says what happens to plaques and honours (exit mechanism) and that coverage
-- counts operating entities only; it is silent on proposals and their tasks, so this does what a
-- county clerk expects:
--  - an open 组建建议 no longer counts a unit that is 注销/吊销/迁出: the unit leaves it, the
--    proposal is re-totalled and its explanation says who left and why; one left with no unit goes
--    (open proposals are the generator's to replace anyway). Accepted or rejected ones are history.
--  - the 组建建议's open tasks on it (选派指导员、组织找党员) are cancelled with the reason, not
--    marked done (nobody did them); the entity back to 存续 reopens the tasks cancelled so.

ALTER TABLE work_task DROP CONSTRAINT work_task_state_check;
ALTER TABLE work_task ADD CONSTRAINT work_task_state_check CHECK (state IN ('open','done','cancelled'));
ALTER TABLE work_task ADD COLUMN closed_reason text;

CREATE FUNCTION xgz_proposal_work_on_entity() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  why text;
  p record;
BEGIN
  IF NEW.status = 'active' THEN
    UPDATE work_task SET state = 'open', closed_reason = NULL WHERE entity_id = NEW.id AND state = 'cancelled';
    RETURN NULL;
  END IF;
  IF OLD.status <> 'active' THEN RETURN NULL; END IF;
  why := NEW.name || CASE NEW.status WHEN 'deregistered' THEN '已注销' WHEN 'revoked' THEN '已被吊销营业执照' ELSE '已迁出' END;
  UPDATE work_task SET state = 'cancelled', closed_reason = why WHERE entity_id = NEW.id AND state = 'open';
  FOR p IN
    DELETE FROM org_proposal_entity pe USING org_proposal o
    WHERE pe.entity_id = NEW.id AND o.id = pe.proposal_id AND o.state = 'open'
    RETURNING o.id
  LOOP
    IF NOT EXISTS (SELECT 1 FROM org_proposal_entity WHERE proposal_id = p.id) THEN
      DELETE FROM org_proposal WHERE id = p.id;
    ELSE
      UPDATE org_proposal o SET
        units = t.units, full_members = t.full_members, members = t.members,
        explanation = o.explanation || '（' || why || '，已移出本建议：现 ' || t.units || ' 家单位，正式党员 ' || t.full_members || ' 名）'
      FROM (SELECT count(*)::int AS units, coalesce(sum(full_members), 0)::int AS full_members, coalesce(sum(members), 0)::int AS members
            FROM org_proposal_entity WHERE proposal_id = p.id) t
      WHERE o.id = p.id;
    END IF;
  END LOOP;
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION xgz_proposal_work_on_entity() FROM PUBLIC;

CREATE TRIGGER entity_proposal_work AFTER UPDATE OF status ON entity FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION xgz_proposal_work_on_entity();
