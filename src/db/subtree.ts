import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { DB, JurisdictionLevel } from './schema.js';
import { notFound } from '../http/errors.js';

type Tx = Transaction<DB>;

export type Node = { code: string; name: string; level: JurisdictionLevel; scope_key: string };

/**
 * The one node lookup: a jurisdiction node by code, limited to a subtree when `within` (a scope
 * key) is given. Undefined when there is none; the callers below turn that into their answer.
 */
export const findNode = (db: Kysely<DB>, code: string, within?: string): Promise<Node | undefined> => {
  let q = db.selectFrom('jurisdiction').select(['code', 'name', 'level', 'scope_key']).where('code', '=', code);
  if (within !== undefined) q = q.where('scope_key', 'like', `${within}%`);
  return q.executeTakeFirst();
};

/** A node of the caller's subtree (the user's own node when no code is given); outside it, "not found". */
export async function nodeInScope(
  db: Tx,
  user: { jurisdictionCode: string; scopeKey: string },
  code?: string,
): Promise<Node> {
  const node = await findNode(db, code ?? user.jurisdictionCode, user.scopeKey);
  if (!node) throw notFound('辖区');
  return node;
}

/** A node for a figure or a filter; a code that names none is "not found" (the row-level policies bound what a query then sees). */
export async function areaNode(db: Tx, code: string): Promise<Node> {
  const node = await findNode(db, code);
  if (!node) throw notFound('辖区');
  return node;
}

/** The caller's own node (its level decides what it may designate); it always exists. */
export async function ownNode(db: Tx, code: string): Promise<Node> {
  const node = await findNode(db, code);
  if (!node) throw new Error(`own jurisdiction ${code} is missing`);
  return node;
}

/** The child of the node whose subtree holds a row's scope key (NULL when the row hangs on the node itself). */
export const childOf = (node: { code: string }, scopeKey: RawBuilder<unknown>) =>
  sql<
    string | null
  >`(SELECT j.code FROM jurisdiction j WHERE j.parent_code = ${node.code} AND starts_with(${scopeKey}, j.scope_key) LIMIT 1)`;

/** The node's children (code, name, level), in code order, for figures by area. */
export const childrenOf = (db: Tx, node: { code: string }) =>
  db
    .selectFrom('jurisdiction')
    .select(['code', 'name', 'level'])
    .where('parent_code', '=', node.code)
    .orderBy('code')
    .execute();

/**
 * Figures for a node and each of its children, for the subtree figures every ledger offers (the
 * reports take them up). `figures(scopeKey)` is a select list of scalar subqueries filtered by
 * `starts_with(<their scope_key>, scopeKey)`; it is evaluated once per row of the result.
 */
export async function figuresByChild<T extends Record<string, number>>(
  db: Tx,
  node: Node,
  figures: (scopeKey: RawBuilder<string>) => RawBuilder<unknown>,
) {
  const { rows } = await sql<{ code: string; name: string; level: string } & T>`
    SELECT j.code, j.name, j.level, ${figures(sql<string>`j.scope_key`)}
    FROM jurisdiction j WHERE j.code = ${node.code} OR j.parent_code = ${node.code} ORDER BY j.code`.execute(db);
  const total = rows.find((r) => r.code === node.code)!;
  return {
    node: { code: node.code, name: node.name, level: node.level },
    total,
    children: rows.filter((r) => r.code !== node.code),
  };
}
