import type { FastifyBaseLogger } from 'fastify';
import type { AppContext } from '../../http/context.js';
import { isConnectionError } from '../../db/connection.js';
import { Interrupted, runImportJob } from './pipeline.js';
import { HEARTBEAT_MS, handBack, reclaimStaleImports } from './lease.js';

/**
 * Runs import jobs one after another in this process (the embedded database has one
 * connection; a server has room, but one import at a time keeps the load predictable).
 *
 * Faults: a job whose process died (this one before a restart, or a CLI import killed beside the
 * server) is ended as interrupted by the sweep, at start and every few seconds, so it can be
 * re-run at once. When the database goes away mid-job the runner waits until it is back, hands
 * the job back and runs it again from the start (upserts: same end state, nothing applied twice).
 * Stopping (shutdown) ends the job in hand after its current batch and puts it back in the queue.
 */
export class ImportRunner {
  private queue: number[] = [];
  private running: Promise<void> | null = null;
  private stopped = false;
  private sweeper: NodeJS.Timeout | null = null;

  constructor(
    private readonly ctx: AppContext,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** At start: jobs whose process died are ended; queued jobs are taken up; the sweep starts. */
  async recover(): Promise<void> {
    await this.sweep();
    try {
      const queued = await this.ctx.db
        .selectFrom('import_job')
        .select('id')
        .where('status', '=', 'queued')
        .orderBy('id')
        .execute();
      for (const q of queued) this.enqueue(q.id);
    } catch (err) {
      // The server starts while the database is away (it answers 503 meanwhile): take the queue up when it is back.
      if (!this.ctx.database.health.report(err)) throw err;
      this.ctx.database.health.once(
        'up',
        () => void this.recover().catch((e: unknown) => this.log.error({ err: e }, 'import recovery failed')),
      );
    }
    if (!this.sweeper && !this.stopped) {
      this.sweeper = setInterval(() => void this.sweep(), HEARTBEAT_MS);
      this.sweeper.unref();
    }
  }

  /** Ends running jobs whose process is gone (see lease.ts); a failure (database away) waits for the next sweep. */
  async sweep(): Promise<number[]> {
    try {
      const ended = await reclaimStaleImports(this.ctx.db);
      if (ended.length) this.log.warn({ jobs: ended }, 'import jobs of a dead process ended as interrupted');
      return ended;
    } catch (err) {
      if (!this.ctx.database.health.report(err)) this.log.error({ err }, 'import sweep failed');
      return [];
    }
  }

  enqueue(jobId: number): void {
    if (this.queue.includes(jobId)) return;
    this.queue.push(jobId);
    if (!this.running && !this.stopped) this.running = this.drain();
  }

  private async drain(): Promise<void> {
    while (!this.stopped && this.queue.length) {
      const id = this.queue[0];
      try {
        await runImportJob(this.ctx, id, { shouldStop: () => this.stopped });
        this.queue.shift();
      } catch (err) {
        if (err instanceof Interrupted) {
          this.queue.shift();
          await handBack(this.ctx.db, id).catch((e: unknown) =>
            this.log.error({ err: e, jobId: id }, 'import job not handed back'),
          );
          this.log.info({ jobId: id }, 'import job handed back to the queue');
        } else if (isConnectionError(err)) {
          this.ctx.database.health.report(err);
          this.log.warn({ jobId: id }, 'database unavailable during import; waiting to resume');
          await this.ctx.database.health.whenUp();
          if (this.stopped) break;
          // Resume from the start of the file once the job is ours again; if another process ended it meanwhile, leave it.
          const back = await handBack(this.ctx.db, id).catch(() => null);
          if (back === null) continue; // still down: try again
          if (!back) this.queue.shift();
          else this.log.info({ jobId: id }, 'import job resumed after the database came back');
        } else {
          this.queue.shift();
          this.log.error({ err, jobId: id }, 'import job failed');
        }
      }
    }
    this.running = null;
  }

  /** Waits for the job in hand (tests and shutdown); queued jobs stay queued. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Stops taking jobs; the job in hand stops after its current batch and goes back to the queue. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweeper) clearInterval(this.sweeper);
    await this.idle();
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The import jobs (the server starts the runner; routes queue and cancel through it). */
    imports: ImportRunner;
  }
}
