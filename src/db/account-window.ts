import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.js';
import type { WindowCount } from '../domain/auth/reveal-limit.js';

/**
 * Counts one act of an account in fixed windows (migration 0190): the window starts at the first
 * act and lasts `windowMinutes`; an act after it starts the next. One upsert on the server's own
 * connection: it takes the row's lock, so concurrent acts of one account (in one process or
 * several, on PGlite or PostgreSQL) are counted one after another, and the count survives a
 * restart. The database's clock, so every process agrees on when a window ends.
 */
export async function countInWindow(
  db: Kysely<DB>,
  userId: number,
  kind: 'reveal' | 'probe',
  windowMinutes: number,
): Promise<WindowCount> {
  // The time is read first and written as a value: now() in the ON CONFLICT's CASE or in RETURNING
  // is a STABLE call there, which Citus refuses once the table is in its metadata (bench/README.md,
  // citus). Still the database's clock; the upsert compares the act's time with the stored window's.
  const { now } = (await sql<{ now: Date }>`SELECT now() AS now`.execute(db)).rows[0];
  const expired = sql`EXCLUDED.window_start - account_window.window_start >= make_interval(mins => ${windowMinutes})`;
  const row = await db
    .insertInto('account_window')
    .values({ user_id: userId, kind, window_start: now, used: 1 })
    .onConflict((oc) =>
      oc.columns(['user_id', 'kind']).doUpdateSet({
        window_start: sql`CASE WHEN ${expired} THEN EXCLUDED.window_start ELSE account_window.window_start END`,
        used: sql`CASE WHEN ${expired} THEN 1 ELSE account_window.used + 1 END`,
      }),
    )
    .returning(['used', 'window_start'])
    .executeTakeFirstOrThrow();
  return { used: row.used, windowStart: row.window_start, now };
}
