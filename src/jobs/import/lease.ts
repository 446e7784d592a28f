import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { appendAudit, auditKeyOf } from '../../db/audit-chain.js';
import { formatRef, parseRef, processState, selfRef } from '../../db/lock.js';
import { clearSeen } from './roster-seen.js';

/** A job whose heartbeat is older than this, run by a process we cannot see, is taken as dead. */
export const LEASE_STALE_MS = 60_000;
export const HEARTBEAT_MS = 5_000;

const SYSTEM = { userId: null, username: 'system', scopeKey: '', ip: null };

/** The lease a job gets when this process starts running it. */
export const myLease = () => formatRef(selfRef());

/**
 * Keeps the job's lease fresh while this process runs it. A heartbeat that fails (the database
 * is away) is skipped: the next one renews it.
 */
export function startHeartbeat(db: Kysely<DB>, jobId: number, everyMs = HEARTBEAT_MS): { stop(): void } {
  const lease = myLease();
  const timer = setInterval(() => {
    db.updateTable('import_job')
      .set({ heartbeat_at: new Date() })
      .where('id', '=', jobId)
      .where('lease_owner', '=', lease)
      .execute()
      .catch(() => undefined);
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

export const INTERRUPTED_MESSAGE =
  '导入进程意外中止（进程被结束或服务器断电）。此前各批已导入的数据保留；可"重新导入"同一文件补齐，结果与一次导完相同';

/**
 * Ends every running job whose process is gone: on this host at once (the pid is dead or now
 * another program), elsewhere when its heartbeat is older than LEASE_STALE_MS. The job becomes
 * 'failed' with a message saying so (re-runnable at once from the web and the CLI) and its
 * temporary key rows are deleted, in one transaction with an audit record. Returns the ids ended.
 */
export async function reclaimStaleImports(
  db: Kysely<DB>,
  now = new Date(),
  staleMs = LEASE_STALE_MS,
): Promise<number[]> {
  const running = await db
    .selectFrom('import_job')
    .select(['id', 'lease_owner', 'heartbeat_at', 'started_at'])
    .where('status', '=', 'running')
    .execute();
  const dead = running.filter((j) => {
    const owner = parseRef(j.lease_owner);
    const state = owner ? processState(owner) : 'dead'; // no lease: started by a version without one, whose process is gone
    if (state === 'dead') return true;
    if (state === 'alive') return false;
    const beat = j.heartbeat_at ?? j.started_at;
    return !beat || now.getTime() - new Date(beat).getTime() > staleMs;
  });
  const ended: number[] = [];
  for (const j of dead) {
    const done = await db.transaction().execute(async (trx) => {
      // Only if nobody else ended or renewed it meanwhile.
      const row = await trx
        .updateTable('import_job')
        .set({ status: 'failed', error: INTERRUPTED_MESSAGE, finished_at: now, lease_owner: null })
        .where('id', '=', j.id)
        .where('status', '=', 'running')
        .where(sql<boolean>`lease_owner IS NOT DISTINCT FROM ${j.lease_owner}`)
        .returning(['id', 'rows_read', 'rows_accepted', 'rows_rejected', 'rows_changed'])
        .executeTakeFirst();
      if (!row) return false;
      await trx.deleteFrom('import_key').where('job_id', '=', j.id).execute();
      await clearSeen(trx, j.id);
      await appendAudit(
        trx,
        SYSTEM,
        [
          {
            action: 'import.run',
            objectType: 'import_job',
            objectId: j.id,
            outcome: 'failure',
            detail: {
              status: 'failed',
              reason: 'process_died',
              lease: j.lease_owner,
              read: row.rows_read,
              accepted: row.rows_accepted,
              rejected: row.rows_rejected,
              changed: row.rows_changed,
            },
          },
        ],
        auditKeyOf(db),
      );
      return true;
    });
    if (done) ended.push(j.id);
  }
  // Key rows of jobs that are not running (left by a crash between the job's end and their
  // deletion, or by a version that did not clean up) go too: they only serve a running job.
  await sql`DELETE FROM import_key k WHERE NOT EXISTS (SELECT 1 FROM import_job j WHERE j.id = k.job_id AND j.status = 'running')`.execute(
    db,
  );
  await sql`DELETE FROM import_roster_seen k WHERE NOT EXISTS (SELECT 1 FROM import_job j WHERE j.id = k.job_id AND j.status = 'running')`.execute(
    db,
  );
  return ended;
}

/**
 * Puts a job this process was running back in the queue, as if never started: its key rows and
 * rejections go and its counters restart, so running it again (from the file's first row; every
 * write is an upsert on natural keys) ends exactly as one uninterrupted run. Returns false when
 * the job is no longer this process's (another process ended it meanwhile).
 */
export async function handBack(db: Kysely<DB>, jobId: number): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('import_job')
      .set({
        status: 'queued',
        rows_read: 0,
        rows_accepted: 0,
        rows_rejected: 0,
        rows_changed: 0,
        bytes_read: 0,
        error: null,
        started_at: null,
        lease_owner: null,
        heartbeat_at: null,
      })
      .where('id', '=', jobId)
      .where((eb) =>
        eb.or([eb('status', '=', 'queued'), eb.and([eb('status', '=', 'running'), eb('lease_owner', '=', myLease())])]),
      )
      .returning('id')
      .executeTakeFirst();
    if (!row) return false;
    await trx.deleteFrom('import_key').where('job_id', '=', jobId).execute();
    await clearSeen(trx, jobId);
    await trx.deleteFrom('import_rejection').where('job_id', '=', jobId).execute();
    return true;
  });
}
