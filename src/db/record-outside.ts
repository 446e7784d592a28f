import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.js';
import type { Principal } from './audit-chain.js';
import { runScoped } from './scoped.js';

/**
 * Whether the record of this kind and number (or code) exists outside the principal's reach —
 * neither in its subtree nor on the path above it: migration 0190's xgz_record_outside, asked
 * under the principal's scope. Yes or no only, for the kinds that function lists.
 */
export const recordOutside = (db: Kysely<DB>, who: Principal, kind: string, ref: string): Promise<boolean> =>
  runScoped(db, who, async (s) => {
    const r = await sql<{ outside: boolean }>`SELECT xgz_record_outside(${kind}, ${ref}) AS outside`.execute(s.db);
    return r.rows[0]?.outside === true;
  });
