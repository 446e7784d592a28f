import { Problem } from '../../http/errors.js';

/**
 * How many attachment uploads this server process receives at once, per account and in all
 * (round 11). An upload is held in memory while it is checked, hashed and sealed (a 20 MB file
 * costs several times that), and nothing limited how many one account sent at once: twelve 19 MB
 * uploads from one county editor's session took 29 seconds, held every other request (a public
 * page took 3–4 s instead of 0.05 s), and twenty-four grew the process by 1.2 GB. Counted in the
 * process, because the memory it guards is the process's.
 */
export const UPLOADS_PER_ACCOUNT = 2;
export const UPLOADS_IN_ALL = 6;

export class UploadGate {
  private readonly byAccount = new Map<number, number>();
  private inAll = 0;

  constructor(
    private readonly perAccount = UPLOADS_PER_ACCOUNT,
    private readonly total = UPLOADS_IN_ALL,
  ) {}

  /** Takes a slot for an upload by this account, or refuses with 429; call the returned release when it is done. */
  enter(userId: number): () => void {
    const mine = this.byAccount.get(userId) ?? 0;
    if (mine >= this.perAccount)
      throw new Problem(
        429,
        '上传过于频繁',
        `您已有 ${mine} 个附件正在上传，每个账号同时最多上传 ${this.perAccount} 个，请等其完成后再上传`,
        undefined,
        'upload_limit_account',
      );
    if (this.inAll >= this.total)
      throw new Problem(
        429,
        '上传过于频繁',
        `服务器正在接收的附件已达上限（${this.total} 个），请稍后再上传`,
        undefined,
        'upload_limit_total',
      );
    this.byAccount.set(userId, mine + 1);
    this.inAll++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inAll--;
      const n = (this.byAccount.get(userId) ?? 1) - 1;
      if (n > 0) this.byAccount.set(userId, n);
      else this.byAccount.delete(userId);
    };
  }
}
