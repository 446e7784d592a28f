import { sql, type RawBuilder, type SelectQueryBuilder, type Transaction } from 'kysely';
import type { DB } from '../db/schema.js';
import { areaNode } from '../db/subtree.js';

export { codeParam, idParam, pageOf, pageQuery } from './contract.js';

export const offsetOf = (q: { page: number; pageSize: number }) => (q.page - 1) * q.pageSize;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any list query
type AnySelect = SelectQueryBuilder<any, any, any>;

/** One page of a filtered list: its total, and its rows in the given order as list items. */
export async function pageFrom<Q extends AnySelect, T>(
  q: Q,
  p: { page: number; pageSize: number },
  order: (q: Q) => Q,
  item: (row: Awaited<ReturnType<Q['execute']>>[number]) => T,
) {
  const { total } = await q
    .clearSelect()
    .select(sql<number>`count(*)::int`.as('total'))
    .executeTakeFirstOrThrow();
  const rows = await order(q).limit(p.pageSize).offset(offsetOf(p)).execute();
  return { items: rows.map(item), total, page: p.page, pageSize: p.pageSize };
}

/**
 * The `under` filter of a list: rows whose scope key lies below the node with this code. The
 * node is looked up in the caller's scope, so a node outside it is "not found", not an empty list.
 */
export async function underNode(db: Transaction<DB>, column: string, code: string): Promise<RawBuilder<boolean>> {
  const node = await areaNode(db, code);
  return sql<boolean>`starts_with(${sql.ref(column)}, ${node.scope_key})`;
}

/**
 * The "under or above" filter (campaigns, training classes): rows at or below the node, and those
 * of the levels above it, whose reach includes it.
 */
export async function underOrAbove(db: Transaction<DB>, column: string, code: string): Promise<RawBuilder<boolean>> {
  const node = await areaNode(db, code);
  return sql<boolean>`(starts_with(${sql.ref(column)}, ${node.scope_key}) OR starts_with(${node.scope_key}, ${sql.ref(column)}))`;
}

/** A LIKE pattern matching text that contains s (its wildcards taken literally). */
export const containing = (s: string) => `%${s.replace(/[%_\\]/g, '\\$&')}%`;
