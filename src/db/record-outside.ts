import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.js';
import type { Principal } from './audit-chain.js';
import { runScoped } from './scoped.js';

/**
 * Whether the record of this kind and number (or code) is beyond the principal's reach, and how:
 * 'outside' when it exists outside the principal's jurisdiction — neither in its subtree nor on
 * the path above it (migration 0190's xgz_record_outside); 'withheld' when it exists inside it but
 * a narrowed account (an instructor's, a unit's) is not let see it (migration 0230's
 * xgz_record_withheld: a record its station holds that it does not guide); null otherwise.
 * Asked under the principal's scope; yes or no only, for the kinds those functions list.
 */
export const recordBeyondReach = (
  db: Kysely<DB>,
  who: Principal,
  kind: string,
  ref: string,
): Promise<'outside' | 'withheld' | null> =>
  runScoped(db, who, async (s) => {
    const r = await sql<{ outside: boolean }>`SELECT xgz_record_outside(${kind}, ${ref}) AS outside`.execute(s.db);
    if (r.rows[0]?.outside === true) return 'outside';
    if (!who.bound || !WITHHELD_KINDS.has(kind)) return null;
    const w = await sql<{ withheld: boolean }>`SELECT xgz_record_withheld(${kind}, ${ref}) AS withheld`.execute(s.db);
    return w.rows[0]?.withheld === true ? 'withheld' : null;
  });

/** The kinds row-level security narrows for a bound account (migrations 0031, 0140; 0230 lists the same). */
const WITHHELD_KINDS = new Set(['entity', 'party_org', 'attachment', 'guidance_record', 'appeal_case']);
