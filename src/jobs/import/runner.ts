import type { FastifyBaseLogger } from 'fastify';
import type { AppContext } from '../../http/context.js';
import { runImportJob } from './pipeline.js';

/**
 * Runs import jobs one after another in this process (the embedded database has one
 * connection; a server has room, but one import at a time keeps the load predictable).
 */
export class ImportRunner {
  private queue: number[] = [];
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly ctx: AppContext, private readonly log: FastifyBaseLogger) {}

  /**
   * At start: a job that was running when the process stopped is marked failed (its committed
   * batches stay; importing the file again completes it); queued jobs are taken up.
   */
  async recover(): Promise<void> {
    await this.ctx.db
      .updateTable('import_job')
      .set({ status: 'failed', error: '服务重启，导入中断。已提交的批次保留，重新导入同一文件即可补齐', finished_at: new Date() })
      .where('status', '=', 'running')
      .execute();
    const queued = await this.ctx.db.selectFrom('import_job').select('id').where('status', '=', 'queued').orderBy('id').execute();
    for (const q of queued) this.enqueue(q.id);
  }

  enqueue(jobId: number): void {
    this.queue.push(jobId);
    if (!this.running) this.running = this.drain();
  }

  private async drain(): Promise<void> {
    while (!this.stopped && this.queue.length) {
      const id = this.queue.shift()!;
      try {
        await runImportJob(this.ctx, id);
      } catch (err) {
        this.log.error({ err, jobId: id }, 'import job failed');
      }
    }
    this.running = null;
  }

  /** Waits for the job in hand (tests and shutdown); queued jobs stay queued. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.idle();
  }
}
