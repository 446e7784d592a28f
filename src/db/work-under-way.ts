import { sql, type Kysely } from 'kysely';
import type { DB, WorkUnderWayTable } from './schema.js';

export type HeavyKind = WorkUnderWayTable['kind'];

/**
 * A run says it is alive by writing seen_at this often while it works (migration 0255), and a row
 * not seen for ABANDONED_AFTER_SECONDS is taken as left by a process that died mid-run. Its age says
 * nothing: a province's discovery run at 5M entities takes minutes, and at 18M longer still (a
 * discovery run itself gives up after an hour: src/features/discovery/queries.ts).
 */
export const HEARTBEAT_SECONDS = 30;
export const ABANDONED_AFTER_SECONDS = 4 * HEARTBEAT_SECONDS;

/** The run under way whose area overlaps `scopeKey` (the node itself, one above, one below), if any. */
export type Running = { scopeKey: string; startedAt: Date };

/**
 * Claims the area `scopeKey` for one run of `kind`, or returns the run already under way there.
 * On the server's own connection, in one short transaction under the kind's advisory lock: two
 * claims sent at once (in one process or several) are decided one after another, and only one of
 * two overlapping areas is claimed. Areas overlap when one scope key begins with the other.
 */
export async function claimArea(
  db: Kysely<DB>,
  kind: HeavyKind,
  scopeKey: string,
  userId: number,
  heartbeatMs = HEARTBEAT_SECONDS * 1000,
): Promise<{ release: () => Promise<void> } | { running: Running }> {
  const claim = await db.transaction().execute(async (tx): Promise<{ claimed: Date } | { running: Running }> => {
    await sql`SELECT pg_advisory_xact_lock(hashtext('xgz.work_under_way'), hashtext(${kind}))`.execute(tx);
    const { now } = (await sql<{ now: Date }>`SELECT now() AS now`.execute(tx)).rows[0];
    const overlapping = sql<boolean>`(starts_with(${scopeKey}, scope_key) OR starts_with(scope_key, ${scopeKey}))`;
    await tx
      .deleteFrom('work_under_way')
      .where('kind', '=', kind)
      .where(overlapping)
      .where('seen_at', '<', new Date(now.getTime() - ABANDONED_AFTER_SECONDS * 1000))
      .execute();
    const other = await tx
      .selectFrom('work_under_way')
      .select(['scope_key', 'started_at'])
      .where('kind', '=', kind)
      .where(overlapping)
      .orderBy('started_at')
      .executeTakeFirst();
    if (other) return { running: { scopeKey: other.scope_key, startedAt: other.started_at } };
    await tx
      .insertInto('work_under_way')
      .values({ kind, scope_key: scopeKey, started_at: now, started_by: userId, seen_at: now })
      .execute();
    return { claimed: now };
  });
  if ('running' in claim) return { running: claim.running };
  return { release: keepAlive(db, kind, scopeKey, claim.claimed, heartbeatMs) };
}

/**
 * Writes the run's seen_at every `heartbeatMs` until the returned release is called, which stops
 * that and gives the area back. A beat that fails is tried again at the next: a database that cannot
 * be reached for two minutes has failed the run itself.
 */
function keepAlive(
  db: Kysely<DB>,
  kind: HeavyKind,
  scopeKey: string,
  claimed: Date,
  heartbeatMs: number,
): () => Promise<void> {
  const thisRun = () =>
    db
      .updateTable('work_under_way')
      .where('kind', '=', kind)
      .where('scope_key', '=', scopeKey)
      .where('started_at', '=', claimed);
  let timer: NodeJS.Timeout | undefined;
  let ended = false;
  const beat = () => {
    timer = setTimeout(() => {
      void thisRun()
        .set({ seen_at: sql<Date>`now()` })
        .execute()
        .catch(() => undefined)
        .finally(() => ended || beat());
    }, heartbeatMs);
    timer.unref();
  };
  beat();
  return async () => {
    ended = true;
    clearTimeout(timer);
    await releaseArea(db, kind, scopeKey, claimed);
  };
}

/** Gives the area back when the run has ended (only this run's row: a later claim after it was taken as abandoned stays). */
async function releaseArea(db: Kysely<DB>, kind: HeavyKind, scopeKey: string, claimed: Date): Promise<void> {
  await db
    .deleteFrom('work_under_way')
    .where('kind', '=', kind)
    .where('scope_key', '=', scopeKey)
    .where('started_at', '=', claimed)
    .execute();
}
