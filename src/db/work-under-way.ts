import { sql, type Kysely } from 'kysely';
import type { DB, WorkUnderWayTable } from './schema.js';

export type HeavyKind = WorkUnderWayTable['kind'];

/**
 * A run of a heavy work (migration 0239) past this age is taken as left by a process that died
 * mid-run: the longest seen is a province's discovery run on the 1M bench, 43 s. (A discovery run
 * itself gives up after an hour: src/features/discovery/queries.ts.)
 */
export const ABANDONED_AFTER_SECONDS = 15 * 60;

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
): Promise<{ claimed: Date } | { running: Running }> {
  return db.transaction().execute(async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext('xgz.work_under_way'), hashtext(${kind}))`.execute(tx);
    const { now } = (await sql<{ now: Date }>`SELECT now() AS now`.execute(tx)).rows[0];
    const overlapping = sql<boolean>`(starts_with(${scopeKey}, scope_key) OR starts_with(scope_key, ${scopeKey}))`;
    await tx
      .deleteFrom('work_under_way')
      .where('kind', '=', kind)
      .where(overlapping)
      .where('started_at', '<', new Date(now.getTime() - ABANDONED_AFTER_SECONDS * 1000))
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
      .values({ kind, scope_key: scopeKey, started_at: now, started_by: userId })
      .execute();
    return { claimed: now };
  });
}

/** Gives the area back when the run has ended (only this run's row: a later claim after it was taken as abandoned stays). */
export async function releaseArea(db: Kysely<DB>, kind: HeavyKind, scopeKey: string, claimed: Date): Promise<void> {
  await db
    .deleteFrom('work_under_way')
    .where('kind', '=', kind)
    .where('scope_key', '=', scopeKey)
    .where('started_at', '=', claimed)
    .execute();
}
