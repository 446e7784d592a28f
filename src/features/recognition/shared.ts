import { sql, type RawBuilder, type Transaction } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../db/schema.js';
import { Problem, notFound } from '../../http/errors.js';

type Tx = Transaction<DB>;

export const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');
export const underQuery = z.string().regex(/^\d{6,9}$/, '辖区代码应为 6 或 9 位数字').optional();
export const today = () => new Date().toISOString().slice(0, 10);
export const year = z.coerce.number().int().min(2000, '年度不早于 2000 年').max(2100, '年度不晚于 2100 年');

/** A configurable code list (dictionary kind) as code → label, in its order. */
export async function codeList(db: Tx, kind: string): Promise<Map<string, string>> {
  const rows = await db.selectFrom('dictionary').select(['code', 'label']).where('kind', '=', kind).orderBy('sort_order').execute();
  return new Map(rows.map((r) => [r.code, r.label]));
}

/** A rule refusal from the domain as problem+json: 409 for the state, 422 for the facts, naming the field. */
export const refusal = (p: { status: 409 | 422; reason: string; field?: string }) =>
  new Problem(p.status, p.status === 409 ? '当前状态不允许此操作' : '不符合规定', p.reason, p.field ? [{ field: p.field, message: p.reason }] : undefined);

/** The caller's own node (its level decides what it may designate). */
export async function ownNode(db: Tx, code: string) {
  return db.selectFrom('jurisdiction').select(['code', 'name', 'level', 'scope_key']).where('code', '=', code).executeTakeFirstOrThrow();
}

/** A node of the caller's subtree for a figure (the caller's own when none is named); outside the subtree it is "not found". */
export async function areaNode(db: Tx, code: string) {
  const node = await db.selectFrom('jurisdiction').select(['code', 'name', 'level', 'scope_key']).where('code', '=', code).executeTakeFirst();
  if (!node) throw notFound('辖区');
  return node;
}

/** The child of the node whose subtree holds a row's scope key (NULL when the row hangs on the node itself). */
export const childOf = (node: { code: string }, scopeKey: RawBuilder<unknown>) =>
  sql<string | null>`(SELECT j.code FROM jurisdiction j WHERE j.parent_code = ${node.code} AND starts_with(${scopeKey}, j.scope_key) LIMIT 1)`;

/** The node's children (code, name, level), in code order, for figures by area. */
export const childrenOf = (db: Tx, node: { code: string }) =>
  db.selectFrom('jurisdiction').select(['code', 'name', 'level']).where('parent_code', '=', node.code).orderBy('code').execute();
