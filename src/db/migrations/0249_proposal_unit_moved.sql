-- Round 18 (loop18): an entity that moves out of the area of an open 组建建议 (to another station,
-- or re-registered in another county) leaves it, as a 注销 one does (0237): the proposal is the
-- generator's for its area (the area's own generation replaces it), its units are the area's to
-- organize, and the unit now belongs to another station, whose own generation proposes it there.
-- Left in, the old station would adopt an organization for an entity it can no longer see (and
-- count it in the proposal's totals). It leaves with the reason in the explanation; a proposal left
-- with no unit goes; a move inside the proposal's area (a county's proposal, another station of
-- the county) changes nothing. Accepted or rejected proposals are history. What both share, the
-- leaving, is written once: xgz_proposal_unit_leaves.

CREATE FUNCTION xgz_proposal_unit_leaves(unit_id bigint, why text, now_in text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  p record;
BEGIN
  FOR p IN
    DELETE FROM org_proposal_entity pe USING org_proposal o
    WHERE pe.entity_id = unit_id AND o.id = pe.proposal_id AND o.state = 'open'
      AND (now_in IS NULL OR NOT starts_with(now_in, o.scope_key))
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
END $$;
REVOKE ALL ON FUNCTION xgz_proposal_unit_leaves(bigint, text, text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION xgz_proposal_work_on_entity() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  why text;
BEGIN
  IF NEW.status = 'active' THEN
    UPDATE work_task SET state = 'open', closed_reason = NULL WHERE entity_id = NEW.id AND state = 'cancelled';
    RETURN NULL;
  END IF;
  IF OLD.status <> 'active' THEN RETURN NULL; END IF;
  why := NEW.name || CASE NEW.status WHEN 'deregistered' THEN '已注销' WHEN 'revoked' THEN '已被吊销营业执照' ELSE '已迁出' END;
  UPDATE work_task SET state = 'cancelled', closed_reason = why WHERE entity_id = NEW.id AND state = 'open';
  PERFORM xgz_proposal_unit_leaves(NEW.id, why, NULL);
  RETURN NULL;
END $$;

CREATE FUNCTION xgz_proposal_unit_moved() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  PERFORM xgz_proposal_unit_leaves(NEW.id,
    NEW.name || '已划转至' || coalesce((SELECT j.name FROM jurisdiction j WHERE j.code = coalesce(NEW.station_code, NEW.county_code)), '其他辖区'),
    NEW.scope_key);
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION xgz_proposal_unit_moved() FROM PUBLIC;

CREATE TRIGGER entity_proposal_moved AFTER UPDATE OF scope_key ON entity FOR EACH ROW
  WHEN (OLD.scope_key IS DISTINCT FROM NEW.scope_key) EXECUTE FUNCTION xgz_proposal_unit_moved();
