import { sql } from 'kysely';

/**
 * The entities an import batch names, for a writer's statement whose CTE `t` has the batch's
 * `uscc` and `reg_no` columns (a row is matched by its USCC, else its registration number, within
 * the caller's scope). Use as `e AS (${NAMED_ENTITIES}), m AS (${MATCHED_ROWS})`: `e` holds each
 * named entity once (uscc or reg_no, id, scope_key), `m` each batch row that names one, with its
 * entity_id and scope_key.
 *
 * Each key is looked up once through its unique index (LATERAL … LIMIT 1). As a plain join of the
 * batch with entity, the planner, knowing the batch's size, hashed the whole entity table under its
 * row-security filter on every batch: a cost that grew with the ledger, not with the batch.
 */
export const NAMED_ENTITIES = sql`
  SELECT k.uscc, NULL::text AS reg_no, x.id, x.scope_key FROM (SELECT DISTINCT uscc FROM t WHERE uscc IS NOT NULL) k
    CROSS JOIN LATERAL (SELECT id, scope_key FROM entity WHERE entity.uscc = k.uscc LIMIT 1) x
  UNION ALL
  SELECT NULL, k.reg_no, x.id, x.scope_key FROM (SELECT DISTINCT reg_no FROM t WHERE uscc IS NULL AND reg_no IS NOT NULL) k
    CROSS JOIN LATERAL (SELECT id, scope_key FROM entity WHERE entity.reg_no = k.reg_no LIMIT 1) x`;

/** The batch rows of `t` joined to the entities of `e` (see NAMED_ENTITIES). */
export const MATCHED_ROWS = sql`
  SELECT t.*, e.id AS entity_id, e.scope_key FROM t JOIN e ON e.uscc = t.uscc
  UNION ALL
  SELECT t.*, e.id, e.scope_key FROM t JOIN e ON e.reg_no = t.reg_no WHERE t.uscc IS NULL`;
