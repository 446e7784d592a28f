import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import { PERMISSIONS, ROLES } from '../../domain/auth/roles.js';
import type { DictionaryEntry } from './contract.js';

/** A configurable code list (dictionary kind) as code → label, in its order. */
export async function codeList(db: Transaction<DB> | Kysely<DB>, kind: string): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('dictionary')
    .select(['code', 'label'])
    .where('kind', '=', kind)
    .orderBy('sort_order')
    .execute();
  return new Map(rows.map((r) => [r.code, r.label]));
}

/** Every code list by kind, each in its order: the roles and permissions from code, the rest as kept in the data. */
export async function allCodeLists(db: Transaction<DB>): Promise<Record<string, DictionaryEntry[]>> {
  const rows = await db
    .selectFrom('dictionary')
    .select(['kind', 'code', 'label'])
    .orderBy('kind')
    .orderBy('sort_order')
    .execute();
  const out: Record<string, DictionaryEntry[]> = {
    role: Object.entries(ROLES).map(([code, label]) => ({ code, label })),
    permission: Object.entries(PERMISSIONS).map(([code, label]) => ({ code, label })),
  };
  for (const { kind, code, label } of rows) (out[kind] ??= []).push({ code, label });
  return out;
}
