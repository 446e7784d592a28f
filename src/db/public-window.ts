import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.js';
import type { WindowCount } from '../domain/auth/reveal-limit.js';

/**
 * Counts one request in a fixed window (migration 0231) for what has no account: a client address
 * on a rate-limited route, or a county's public self-reports of the day. The window starts at the
 * first request and lasts `windowMs`; a request after it starts the next. One upsert on the
 * server's own connection, as db/account-window.ts counts an account's acts: concurrent requests
 * (in one process or several) are counted one after another, a restart forgets nothing, and the
 * database's clock tells every process when a window ends.
 */
export async function countPublicInWindow(
  db: Kysely<DB>,
  bucket: string,
  key: string,
  windowMs: number,
): Promise<WindowCount> {
  // EXCLUDED's time, as account-window.ts: no STABLE call in the ON CONFLICT's CASE (Citus).
  const expired = sql`EXCLUDED.window_start - public_window.window_start >= make_interval(secs => ${windowMs / 1000})`;
  const row = await db
    .insertInto('public_window')
    .values({ bucket, key, window_start: sql`now()`, used: 1 })
    .onConflict((oc) =>
      oc.columns(['bucket', 'key']).doUpdateSet({
        window_start: sql`CASE WHEN ${expired} THEN EXCLUDED.window_start ELSE public_window.window_start END`,
        used: sql`CASE WHEN ${expired} THEN 1 ELSE public_window.used + 1 END`,
      }),
    )
    .returning(['used', 'window_start', sql<Date>`now()`.as('now')])
    .executeTakeFirstOrThrow();
  return { used: row.used, windowStart: row.window_start, now: row.now };
}

/** The count so far, without counting (0 when the window is over or never began). */
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
