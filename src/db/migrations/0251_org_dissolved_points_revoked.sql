-- Round 18 (loop18): a 联系点/示范点 named on an organization that is 撤销 no longer stands: there
-- is nothing left to keep in contact with or to hold up as a model, and 撤销 is final (0008, the
-- lifecycle allows nothing after it). Its standing designations are revoked on the 撤销 date with
-- the reason, whatever path dissolved it; before, the dashboard's 联系点/示范点 kept counting them and
-- the yearly review kept asking for them. A point on an entity is not touched here: an entity's
-- status is the exit mechanism's (0034: flagged for review, since 注销/吊销 may be undone).

CREATE FUNCTION xgz_org_dissolved_points() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  UPDATE recognition_point SET status = 'revoked', revoked_on = greatest(designated_on, coalesce(NEW.dissolved_on, current_date)),
    revoke_reason = '党组织已撤销', updated_at = now()
  WHERE org_id = NEW.id AND status = 'active';
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION xgz_org_dissolved_points() FROM PUBLIC;

CREATE TRIGGER party_org_dissolved_points AFTER UPDATE OF status ON party_org FOR EACH ROW
  WHEN (NEW.status = 'dissolved' AND OLD.status IS DISTINCT FROM 'dissolved') EXECUTE FUNCTION xgz_org_dissolved_points();
