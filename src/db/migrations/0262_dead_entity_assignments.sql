-- Round 19 (loop19): an instructor's assignment to an entity that stops operating ends with it,
-- whatever path changed its status (a later registry extract, an edit), as its 组建 tasks do (0237).
-- Left in force, the instructor's ledger and the dashboard's 在指派 counted guidance of a shop that
-- is 注销/吊销/迁出, and the instructor was listed as guiding it. Ended on the day the fact reached
-- the ledger (the extract carries no date of its own for it), or on its own start if that came
-- later, with the reason; not deleted: the guidance given stays in the history. A later extract
-- saying 存续 again (a 注销 undone) puts back in force the assignments ended so and no others: one
-- ended by hand or by the instructor's 停用 stays ended, and none is put back for an instructor no
-- longer active or beside one of the same instructor already in force. The tallies and the
-- coverage follow through the assignment's own triggers (0011, 0019).

CREATE FUNCTION xgz_dead_entity_assignments() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  today date := current_date;
  reasons text[] := ARRAY['主体已注销', '主体已被吊销营业执照', '主体已迁出'];
BEGIN
  IF NEW.status = 'active' THEN
    UPDATE instructor_assignment a SET end_on = NULL, end_reason = NULL
    WHERE a.entity_id = NEW.id AND a.target = 'entity' AND a.end_reason = ANY (reasons)
      AND EXISTS (SELECT 1 FROM instructor i WHERE i.id = a.instructor_id AND i.status = 'active')
      AND NOT EXISTS (SELECT 1 FROM instructor_assignment x WHERE x.entity_id = NEW.id AND x.instructor_id = a.instructor_id AND x.end_on IS NULL);
    RETURN NULL;
  END IF;
  IF OLD.status <> 'active' THEN RETURN NULL; END IF;
  UPDATE instructor_assignment SET end_on = greatest(start_on, today),
    end_reason = CASE NEW.status WHEN 'deregistered' THEN reasons[1] WHEN 'revoked' THEN reasons[2] ELSE reasons[3] END
  WHERE entity_id = NEW.id AND target = 'entity' AND end_on IS NULL;
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION xgz_dead_entity_assignments() FROM PUBLIC;

CREATE TRIGGER entity_dead_assignments AFTER UPDATE OF status ON entity FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION xgz_dead_entity_assignments();
