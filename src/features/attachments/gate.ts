import { Problem } from '../../http/errors.js';

/**
 * How many attachment transfers this server process serves at once, per account and in all, one
 * gate for uploads (round 11) and one for downloads (round 12). An upload is held in memory while
 * it is checked, hashed and sealed (a 20 MB file costs several times that), and nothing limited
 * how many one account sent at once: twelve 19 MB uploads from one county editor's session took 29
 * seconds, held every other request (a public page took 3–4 s instead of 0.05 s), and twenty-four
 * grew the process by 1.2 GB. A download streams (store.ts), yet each holds a file open and costs
 * a pass of the MAC and the cipher over the file, and a slow reader holds it for as long as it
 * likes: thirty at once from one session are refused as uploads are. Counted in the process,
 * because what it guards (memory, open files, the CPU) is the process's.
 */
export const UPLOADS_PER_ACCOUNT = 2;
export const UPLOADS_IN_ALL = 6;
export const DOWNLOADS_PER_ACCOUNT = 4;
export const DOWNLOADS_IN_ALL = 24;

const WORD = { upload: '上传', download: '下载' } as const;

export class TransferGate {
  private readonly byAccount = new Map<number, number>();
  private inAll = 0;

  constructor(
    private readonly kind: keyof typeof WORD,
    private readonly perAccount: number,
    private readonly total: number,
  ) {}

  /** Takes a slot for a transfer by this account, or refuses with 429; call the returned release when it is done. */
  enter(userId: number): () => void {
    const w = WORD[this.kind];
    const mine = this.byAccount.get(userId) ?? 0;
    if (mine >= this.perAccount)
      throw new Problem(
        429,
        `${w}过于频繁`,
        `您已有 ${mine} 个附件正在${w}，每个账号同时最多${w} ${this.perAccount} 个，请等其完成后再${w}`,
        undefined,
        `${this.kind}_limit_account`,
      );
    if (this.inAll >= this.total)
      throw new Problem(
        429,
        `${w}过于频繁`,
        `服务器正在${w}的附件已达上限（${this.total} 个），请稍后再${w}`,
        undefined,
        `${this.kind}_limit_total`,
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
