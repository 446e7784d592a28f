import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';

/** A configurable code list (dictionary kind) as code → label, in its order. */
export async function codeList(db: Transaction<DB> | Kysely<DB>, kind: string): Promise<Map<string, string>> {
  const rows = await db.selectFrom('dictionary').select(['code', 'label']).where('kind', '=', kind).orderBy('sort_order').execute();
  return new Map(rows.map((r) => [r.code, r.label]));
}
