import { sql, type CompiledQuery, type Kysely } from 'kysely';
import type pg from 'pg';
import type { DB } from '../../db/schema.js';
import { readScopedAll } from '../../db/scoped.js';
import type { Principal } from '../../db/audit-chain.js';
import { inDueOrder } from '../../domain/worktasks/todo.js';
import { levelOfScopeKey } from '../../domain/jurisdiction/codes.js';
import { isUnitKey } from '../../domain/auth/binding.js';
import type { Permission } from '../../domain/auth/roles.js';
import { localDate } from '../../domain/time/zone.js';
import type { TodoItem } from './contract.js';
import { SOURCES, type TodoContext, type TodoSource } from './sources/index.js';

type TodoUser = {
  id: number;
  jurisdictionCode: string;
  scopeKey: string;
  bound?: string;
  /** The account's permissions: a kind whose work it may not do is left out (all kinds when not given, as the bench times them). */
  permissions?: ReadonlySet<Permission>;
};
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each source reads its own value shape
type Used = { s: TodoSource<any>; ctx: TodoContext };

/**
 * The 待办 statements of an account: every source's open items as one scalar subquery each, all in
 * one SELECT (one row, one column per kind), and a source marked `ownStatement` in a SELECT of its
 * own; null when no kind applies. Exported so that the bench can time the statements alone in the
 * database.
 */
export function todoStatements(
  db: Kysely<DB>,
  user: TodoUser,
  now: Date,
  kinds?: readonly string[],
): { query: CompiledQuery; used: Used[] }[] | null {
  // A unit account (platform contact point, rider committee) has only the cases routed to it.
  if (user.bound && isUnitKey(user.bound)) kinds = (kinds ?? ['appeal']).filter((k) => k === 'appeal');
  const today = localDate(now);
  const ctx: TodoContext = {
    db,
    userId: user.id,
    code: user.jurisdictionCode,
    level: levelOfScopeKey(user.scopeKey),
    scopeKey: user.scopeKey,
    bound: user.bound ?? '',
    now,
    today,
  };
  const used = SOURCES.filter((s) => !kinds || kinds.includes(s.kind))
    .filter((s) => !user.permissions || user.permissions.has(s.permission ?? 'data.write'))
    .map((s) => ({ s, ctx, q: s.select(ctx) }))
    .filter((x) => x.q !== null);
  if (used.length === 0) return null;
  const groups = [used.filter((u) => !u.s.ownStatement), ...used.filter((u) => u.s.ownStatement).map((u) => [u])];
  return groups
    .filter((g) => g.length)
    .map((g) => ({
      query: sql`SELECT ${sql.join(g.map(({ s, q }) => sql`${q} AS ${sql.ref(s.kind)}`))}`.compile(db),
      used: g,
    }));
}

const itemsOf = (rows: Record<string, unknown>[], statements: { used: Used[] }[], now: Date) => ({
  asOf: now.toISOString(),
  items: inDueOrder(
    statements.flatMap(({ used }, i) =>
      used.flatMap(({ s, ctx }) => {
        const v = rows[i][s.kind];
        return s.items(typeof v === 'string' ? JSON.parse(v) : v, ctx);
      }),
    ),
  ),
});

/**
 * The day's 待办 of an account: every source's open items, in due order. The statements run with
 * the account's scope in two round trips (BEGIN and the scope, then the statements and COMMIT:
 * db/scoped.ts readScopedAll), however many kinds there are.
 */
export async function todosOf(
  db: Kysely<DB>,
  pool: pg.Pool,
  who: Principal,
  user: TodoUser,
  now: Date,
  kinds?: readonly string[],
): Promise<{ asOf: string; items: TodoItem[] }> {
  const statements = todoStatements(db, user, now, kinds);
  if (!statements) return { asOf: now.toISOString(), items: [] };
  const results = await readScopedAll(
    pool,
    who,
    statements.map((st) => st.query),
  );
  return itemsOf(
    results.map(([row]) => row),
    statements,
    now,
  );
}
