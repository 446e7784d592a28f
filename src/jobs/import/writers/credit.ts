import { sql, type Transaction } from 'kysely';
import type { DB } from '../../../db/schema.js';
import { MATCHED_ROWS, NAMED_ENTITIES } from '../../../db/named-entities.js';
import type { CreditList, CreditRow } from '../../../domain/ledger/credit-rows.js';
import type { Numbered } from './registry.js';

/**
 * Upserts a batch of credit-list rows (经营异常名录 or 严重违法失信名单) onto the entities they
 * name (by uscc, else reg_no) within the caller's scoped transaction, keyed on entity, list and
 * listing date. A removal fills the listing's 移出 fields; a later file without them does not undo
 * it. The triggers of migration 0034 apply the exit effects on each listing and removal. Returns
 * the listings inserted or changed, the row numbers naming no entity within scope, and the accepted
 * rows by the scope of their entity.
 */
export async function writeCreditBatch(
  db: Transaction<DB>,
  list: CreditList,
  batch: Numbered<CreditRow>[],
): Promise<{ changed: number; unknownRows: number[]; byScope: Record<string, number> }> {
  const c = <T>(f: (r: CreditRow) => T) => batch.map((b) => f(b.row));
  const res = await sql<{ changed: number; unknown_rows: number[] | null; by_scope: Record<string, number> | null }>`
    WITH t AS (
      SELECT * FROM unnest(${batch.map((b) => b.rowNo)}::int[], ${c((r) => r.uscc ?? null)}::text[], ${c((r) => r.regNo ?? null)}::text[],
        ${c((r) => r.listedOn)}::date[], ${c((r) => r.listedReason)}::text[], ${c((r) => r.listedAuthority ?? null)}::text[],
        ${c((r) => r.removedOn ?? null)}::date[], ${c((r) => r.removedReason ?? null)}::text[], ${c((r) => r.removedAuthority ?? null)}::text[])
      AS t(row_no, uscc, reg_no, listed_on, listed_reason, listed_authority, removed_on, removed_reason, removed_authority)
    ), e AS (${NAMED_ENTITIES}
    ), m AS (${MATCHED_ROWS}
    ), up AS (
      INSERT INTO credit_listing AS l (list, entity_id, scope_key, listed_on, listed_reason, listed_authority, removed_on, removed_reason, removed_authority)
      SELECT ${list}, entity_id, scope_key, listed_on, listed_reason, listed_authority, removed_on, removed_reason, removed_authority FROM m
      ON CONFLICT (entity_id, list, listed_on) DO UPDATE SET
        scope_key = EXCLUDED.scope_key, listed_reason = EXCLUDED.listed_reason, listed_authority = coalesce(EXCLUDED.listed_authority, l.listed_authority),
        removed_on = coalesce(EXCLUDED.removed_on, l.removed_on), removed_reason = coalesce(EXCLUDED.removed_reason, l.removed_reason),
        removed_authority = coalesce(EXCLUDED.removed_authority, l.removed_authority), updated_at = EXCLUDED.updated_at
      WHERE (l.scope_key, l.listed_reason) IS DISTINCT FROM (EXCLUDED.scope_key, EXCLUDED.listed_reason)
         OR (EXCLUDED.listed_authority IS NOT NULL AND l.listed_authority IS DISTINCT FROM EXCLUDED.listed_authority)
         OR (EXCLUDED.removed_on IS NOT NULL AND l.removed_on IS DISTINCT FROM EXCLUDED.removed_on)
         OR (EXCLUDED.removed_reason IS NOT NULL AND l.removed_reason IS DISTINCT FROM EXCLUDED.removed_reason)
         OR (EXCLUDED.removed_authority IS NOT NULL AND l.removed_authority IS DISTINCT FROM EXCLUDED.removed_authority)
      RETURNING 1
    )
    SELECT (SELECT count(*)::int FROM up) AS changed,
           (SELECT array_agg(row_no ORDER BY row_no) FROM t WHERE NOT EXISTS (SELECT 1 FROM m WHERE m.row_no = t.row_no)) AS unknown_rows,
           (SELECT jsonb_object_agg(scope_key, n) FROM (SELECT scope_key, count(*)::int AS n FROM m GROUP BY scope_key) s) AS by_scope`.execute(
    db,
  );
  return {
    changed: res.rows[0].changed,
    unknownRows: res.rows[0].unknown_rows ?? [],
    byScope: res.rows[0].by_scope ?? {},
  };
}
