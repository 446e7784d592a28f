import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { AuditEntry } from '../../db/audit-chain.js';

/** The change that caused the effects: an import job's batch, or a request changing an entity. */
export type ExitChange =
  | { type: 'import_job'; id: number; kind: string }
  | { type: 'request'; action: string; objectType: string; objectId: number };

/**
 * Adds the exit effects the database applied in this transaction (suspended plaques, flagged
 * honours and points, reviews opened or awaiting a lift) to the audit chain, each naming the change
 * that caused it. One indexed read; nothing when the transaction changed no status or listing.
 */
export async function auditExitEffects(
  db: Transaction<DB>,
  audit: (e: AuditEntry) => void,
  change: ExitChange,
): Promise<number> {
  const rows = await sql<{
    id: number;
    review_id: number;
    entity_id: number;
    effect: string;
    object_type: string;
    object_id: number;
    cause: string;
    listing_id: number | null;
  }>`
    SELECT id, review_id, entity_id, effect, object_type, object_id, cause, listing_id FROM exit_effect WHERE tx = txid_current() ORDER BY id`.execute(
    db,
  );
  for (const r of rows.rows) {
    audit({
      action: `exit.${r.effect}`,
      objectType: r.object_type,
      objectId: Number(r.object_id),
      detail: {
        automatic: true,
        effectId: Number(r.id),
        reviewId: Number(r.review_id),
        entityId: Number(r.entity_id),
        cause: r.cause,
        listingId: r.listing_id === null ? null : Number(r.listing_id),
        change,
      },
    });
  }
  return rows.rows.length;
}
