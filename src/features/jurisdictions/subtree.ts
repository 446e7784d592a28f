import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import { notFound } from '../../http/errors.js';

export type Node = { code: string; name: string; level: string; scope_key: string };

/** A node of the caller's subtree (the user's own node when no code is given). */
export async function nodeInScope(db: Transaction<DB>, user: { jurisdictionCode: string; scopeKey: string }, code?: string): Promise<Node> {
  const node = await db.selectFrom('jurisdiction').select(['code', 'name', 'level', 'scope_key'])
    .where('code', '=', code ?? user.jurisdictionCode).where('scope_key', 'like', `${user.scopeKey}%`).executeTakeFirst();
  if (!node) throw notFound('辖区');
  return node;
}

/**
 * Figures for a node and each of its children, for the subtree figures every ledger offers (the
 * reports take them up). `figures(scopeKey)` is a select list of scalar subqueries filtered by
 * `starts_with(<their scope_key>, scopeKey)`; it is evaluated once per row of the result.
 */
export async function figuresByChild<T extends Record<string, number>>(db: Transaction<DB>, node: Node, figures: (scopeKey: RawBuilder<string>) => RawBuilder<unknown>) {
  const { rows } = await sql<{ code: string; name: string; level: string } & T>`
    SELECT j.code, j.name, j.level, ${figures(sql<string>`j.scope_key`)}
    FROM jurisdiction j WHERE j.code = ${node.code} OR j.parent_code = ${node.code} ORDER BY j.code`.execute(db);
  const total = rows.find((r) => r.code === node.code)!;
  return { node: { code: node.code, name: node.name, level: node.level }, total, children: rows.filter((r) => r.code !== node.code) };
}
