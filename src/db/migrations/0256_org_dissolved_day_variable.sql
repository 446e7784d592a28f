-- 0250 and 0251 again, with the 撤销 day worked out once into a variable: Citus refuses a statement
-- on its tables with a non-immutable function (current_date) inside COALESCE, so dissolving an
-- organization failed on the cluster (500). Same rule, same results on PGlite and PostgreSQL.

CREATE OR REPLACE FUNCTION xgz_org_dissolved_assignments() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE dissolved date := coalesce(NEW.dissolved_on, current_date);
BEGIN
  UPDATE instructor_assignment SET end_on = greatest(start_on, dissolved), end_reason = '党组织已撤销'
  WHERE org_id = NEW.id AND end_on IS NULL;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION xgz_org_dissolved_points() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE dissolved date := coalesce(NEW.dissolved_on, current_date);
BEGIN
  UPDATE recognition_point SET status = 'revoked', revoked_on = greatest(designated_on, dissolved),
    revoke_reason = '党组织已撤销', updated_at = now()
  WHERE org_id = NEW.id AND status = 'active';
  RETURN NULL;
END $$;
