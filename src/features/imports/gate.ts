import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DB } from '../../db/schema.js';
import { Problem } from '../../http/errors.js';

/**
 * How many imports may be in hand at once, per account and in all: an upload being received,
 * a job queued or running each count. Parsing a workbook costs memory and a core, so a user
 * (or a stolen session) cannot queue up more than a few; the whole server is capped as well.
 */
export class ImportGate {
  private uploading = new Map<number, number>();

  constructor(
    private readonly db: Kysely<DB>,
    private readonly perAccount: number,
    private readonly total: number,
  ) {}

  /** Takes a slot for an upload by this user, or refuses with 429. Call release() when the upload is stored (or failed). */
  async enter(userId: number): Promise<() => void> {
    // Reserved before the count is read, so two uploads at the same moment cannot both slip in.
    this.uploading.set(userId, (this.uploading.get(userId) ?? 0) + 1);
    const undo = () => {
      const n = (this.uploading.get(userId) ?? 1) - 1;
      if (n > 0) this.uploading.set(userId, n);
      else this.uploading.delete(userId);
    };
    try {
      // The system connection, not the caller's scope: the limits count every account's jobs.
      const rows = await this.db
        .selectFrom('import_job')
        .select(['created_by', sql<number>`count(*)::int`.as('n')])
        .where('status', 'in', ['queued', 'running'])
        .groupBy('created_by')
        .execute();
      const others = (this.uploading.get(userId) ?? 1) - 1;
      const mine = (rows.find((r) => r.created_by === userId)?.n ?? 0) + others;
      const all = rows.reduce((s, r) => s + r.n, 0) + [...this.uploading.values()].reduce((s, n) => s + n, 0) - 1;
      if (mine >= this.perAccount) {
        throw new Problem(
          429,
          '导入任务过多',
          `您已有 ${mine} 个导入任务正在上传、排队或进行，每个账号同时最多 ${this.perAccount} 个，请等其完成或取消后再上传`,
          undefined,
          'import_limit_account',
        );
      }
      if (all >= this.total) {
        throw new Problem(
          429,
          '导入任务过多',
          `服务器上正在进行或排队的导入任务已达上限（${this.total} 个），请稍后再上传`,
          undefined,
          'import_limit_total',
        );
      }
    } catch (err) {
      undo();
      throw err;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      undo();
    };
  }
}
