import { sql, type CompiledQuery, type Kysely } from 'kysely';
import type pg from 'pg';
import type { DB } from '../../db/schema.js';
import { readScopedOnce } from '../../db/scoped.js';
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
 * The 待办 statement of an account: every source's open items as one scalar subquery each, all in
 * one SELECT (one row, one column per kind), or null when no kind applies. Exported so that the
 * bench can time the statement alone in the database.
 */
export function todoStatement(
  db: Kysely<DB>,
  user: TodoUser,
  now: Date,
  kinds?: readonly string[],
): { query: CompiledQuery; used: Used[] } | null {
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
  return { query: sql`SELECT ${sql.join(used.map(({ s, q }) => sql`${q} AS ${sql.ref(s.kind)}`))}`.compile(db), used };
}

const itemsOf = (row: Record<string, unknown>, used: Used[], now: Date) => ({
  asOf: now.toISOString(),
  items: inDueOrder(
    used.flatMap(({ s, ctx }) => {
      const v = row[s.kind];
      return s.items(typeof v === 'string' ? JSON.parse(v) : v, ctx);
    }),
  ),
});

/**
 * The day's 待办 of an account: every source's open items, in due order. The one statement runs
 * with the account's scope in a single round trip (BEGIN, the scope, the statement, COMMIT sent
 * together: db/scoped.ts readScopedOnce), however many kinds there are.
 */
export async function todosOf(
  db: Kysely<DB>,
  pool: pg.Pool,
  who: Principal,
  user: TodoUser,
  now: Date,
  kinds?: readonly string[],
): Promise<{ asOf: string; items: TodoItem[] }> {
  const st = todoStatement(db, user, now, kinds);
  if (!st) return { asOf: now.toISOString(), items: [] };
  const [row] = await readScopedOnce<Record<string, unknown>>(pool, who, st.query);
  return itemsOf(row, st.used, now);
}
