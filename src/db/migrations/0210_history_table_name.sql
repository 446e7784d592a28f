-- The ledger's history (xgz_history, the row trigger of 28 tables) names the table a change was
-- made to, and an entity's own changes by its id, from TG_TABLE_NAME. On a Citus cluster every
-- table is in Citus's metadata, and a Citus local table keeps its rows in its shard,
-- `<table>_<shard id>` (e.g. party_org_102040), where the trigger fires: the history was written
-- as party_org_102040, so an organization's page showed no history, and an entity's changes had no
-- entity id. The name is the table's: a trailing `_<digits>` is dropped when a table of that name
-- exists beside it (no table of ours ends so; on PGlite and PostgreSQL the name is unchanged).
CREATE OR REPLACE FUNCTION xgz_history() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  b jsonb;
  a jsonb;
  t text := TG_TABLE_NAME;
BEGIN
  IF t ~ '_[0-9]+$' AND to_regclass(format('%I.%I', TG_TABLE_SCHEMA, regexp_replace(t, '_[0-9]+$', ''))) IS NOT NULL THEN
    t := regexp_replace(t, '_[0-9]+$', '');
  END IF;
  IF TG_OP <> 'INSERT' THEN b := to_jsonb(OLD) - 'updated_at' - 'created_at'; END IF;
  IF TG_OP <> 'DELETE' THEN a := to_jsonb(NEW) - 'updated_at' - 'created_at'; END IF;
  IF b IS NOT DISTINCT FROM a THEN RETURN NULL; END IF;
  INSERT INTO ledger_history (object_type, object_id, entity_id, scope_key, actor_id, op, before, after)
  VALUES (
    t,
    COALESCE(a->>'id', b->>'id', a->>'zone_id', b->>'zone_id', a->>'org_id', b->>'org_id')::bigint,
    CASE WHEN t = 'entity' THEN COALESCE(a->>'id', b->>'id') ELSE COALESCE(a->>'entity_id', b->>'entity_id') END::bigint,
    COALESCE(a->>'scope_key', b->>'scope_key'),
    NULLIF(current_setting('xgz.user_id', true), '')::bigint,
    left(TG_OP, 1), b, a);
  RETURN NULL;
END $$;
