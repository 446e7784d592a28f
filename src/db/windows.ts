import { sql, type Kysely } from 'kysely';
import type { AccountWindowTable, DB } from './schema.js';
import type { WindowCount } from '../domain/auth/reveal-limit.js';

/**
 * Counts in fixed windows: an account's acts (`account_window`, migration 0190: reveals, scope
 * probes; 0261: generations of setup proposals) and what has no account (`public_window`,
 * migration 0231: a client address on a rate-limited route, a county's public self-reports of the
 * day). A window starts at the first act and lasts its length; an act after it starts the next. One upsert on the server's own
 * connection: it takes the row's lock, so concurrent acts (in one process or several, on every
 * backend) are counted one after another, a restart forgets nothing, and the database's clock
 * tells every process when a window ends.
 */
type Windows = {
  account_window: { user_id: number; kind: AccountWindowTable['kind'] };
  public_window: { bucket: string; key: string };
};

async function countIn<T extends keyof Windows>(
  db: Kysely<DB>,
  table: T,
  key: Windows[T],
  windowSeconds: number,
  acts = 1,
): Promise<WindowCount> {
  // The time is read first and written as a value: now() in the ON CONFLICT's CASE or in RETURNING
  // is a STABLE call there, which Citus refuses once the table is in its metadata (bench/README.md,
  // citus). Still the database's clock; the upsert compares the act's time with the stored window's.
  const { now } = (await sql<{ now: Date }>`SELECT now() AS now`.execute(db)).rows[0];
  const t = sql.table(table);
  const cols = sql.join(Object.keys(key).map((c) => sql.ref(c)));
  const expired = sql`EXCLUDED.window_start - ${t}.window_start >= make_interval(secs => ${windowSeconds})`;
  const { rows } = await sql<{ used: number; window_start: Date }>`
    INSERT INTO ${t} (${cols}, window_start, used) VALUES (${sql.join(Object.values(key))}, ${now}, ${acts})
    ON CONFLICT (${cols}) DO UPDATE SET
      window_start = CASE WHEN ${expired} THEN EXCLUDED.window_start ELSE ${t}.window_start END,
      used = CASE WHEN ${expired} THEN EXCLUDED.used ELSE ${t}.used + EXCLUDED.used END
    RETURNING used, window_start`.execute(db);
  return { used: rows[0].used, windowStart: rows[0].window_start, now };
}

/** One act of an account (or `acts` at once: a revealed export of that many people) counted in its window of `windowMinutes`. */
export const countInWindow = (
  db: Kysely<DB>,
  userId: number,
  kind: AccountWindowTable['kind'],
  windowMinutes: number,
  acts = 1,
) => countIn(db, 'account_window', { user_id: userId, kind }, windowMinutes * 60, acts);

/** One request (or report) counted under `bucket` and `key` in its window of `windowMs`. */
export const countPublicInWindow = (db: Kysely<DB>, bucket: string, key: string, windowMs: number) =>
  countIn(db, 'public_window', { bucket, key }, windowMs / 1000);

/** The count so far, without counting (null when the window is over or never began). */
export async function readPublicWindow(
  db: Kysely<DB>,
  bucket: string,
  key: string,
  windowMs: number,
): Promise<WindowCount | null> {
  const row = await db
    .selectFrom('public_window')
    .select(['used', 'window_start', sql<Date>`now()`.as('now')])
    .where('bucket', '=', bucket)
    .where('key', '=', key)
    .where(sql<boolean>`now() - window_start < make_interval(secs => ${windowMs / 1000})`)
    .executeTakeFirst();
  return row ? { used: row.used, windowStart: row.window_start, now: row.now } : null;
}

/** Removes the rows whose window ended more than a day ago (the longest window is a day). */
export async function purgePublicWindows(db: Kysely<DB>): Promise<number> {
  const r = await db
    .deleteFrom('public_window')
    .where(sql<boolean>`window_start < now() - interval '2 days'`)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
