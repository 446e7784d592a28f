import { sql, type RawBuilder, type SelectQueryBuilder, type Transaction } from 'kysely';
import { z } from 'zod';
import type { DB } from '../db/schema.js';
import { notFound } from './errors.js';

/** Query fields every list accepts. */
export const pageQuery = {
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
};

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), total: z.number(), page: z.number(), pageSize: z.number() });

export const offsetOf = (q: { page: number; pageSize: number }) => (q.page - 1) * q.pageSize;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any list query
type AnySelect = SelectQueryBuilder<any, any, any>;

/** One page of a filtered list: its total, and its rows in the given order as list items. */
export async function pageFrom<Q extends AnySelect, T>(q: Q, p: { page: number; pageSize: number }, order: (q: Q) => Q, item: (row: Awaited<ReturnType<Q['execute']>>[number]) => T) {
  const { total } = await q.clearSelect().select(sql<number>`count(*)::int`.as('total')).executeTakeFirstOrThrow();
  const rows = await order(q).limit(p.pageSize).offset(offsetOf(p)).execute();
  return { items: rows.map(item), total, page: p.page, pageSize: p.pageSize };
}

/** A code path parameter: digits only, so it cannot smuggle anything into a query or a log. */
export const codeParam = z.strictObject({ code: z.string().regex(/^\d{6,9}$/, '辖区代码应为 6 或 9 位数字') });
export const idParam = z.strictObject({ id: z.coerce.number().int().positive('编号应为正整数') });

/**
 * The `under` filter of a list: rows whose scope key lies below the node with this code. The
 * node is looked up in the caller's scope, so a node outside it is "not found", not an empty list.
 */
export async function underNode(db: Transaction<DB>, column: string, code: string): Promise<RawBuilder<boolean>> {
  const node = await db.selectFrom('jurisdiction').select('scope_key').where('code', '=', code).executeTakeFirst();
  if (!node) throw notFound('辖区');
  return sql<boolean>`starts_with(${sql.ref(column)}, ${node.scope_key})`;
}

/** A LIKE pattern matching text that contains s (its wildcards taken literally). */
export const containing = (s: string) => `%${s.replace(/[%_\\]/g, '\\$&')}%`;
