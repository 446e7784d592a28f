import { Problem } from './errors.js';

/**
 * How many heavy transfers this server process serves at once, per account and in all: attachment
 * uploads (round 11), downloads (round 12) and xlsx exports (round 14). An upload is held in memory
 * while it is checked, hashed and sealed (a 20 MB file costs several times that), and nothing limited
 * how many one account sent at once: twelve 19 MB uploads from one county editor's session took 29
 * seconds, held every other request (a public page took 3–4 s instead of 0.05 s), and twenty-four
 * grew the process by 1.2 GB. A download streams (features/attachments/store.ts), yet each holds a
 * file open and costs a pass of the MAC and the cipher over the file, and a slow reader holds it for
 * as long as it likes. An export reads, decrypts and writes a whole list: eight of a county's 5,000
 * entities at once from one session took 50 s each and a public page up to 18 s (round 14). Counted
 * in the process, because what it guards (memory, open files, the CPU) is the process's.
 */
export const UPLOADS_PER_ACCOUNT = 2;
export const UPLOADS_IN_ALL = 6;
export const DOWNLOADS_PER_ACCOUNT = 4;
export const DOWNLOADS_IN_ALL = 24;
export const EXPORTS_PER_ACCOUNT = 2;
export const EXPORTS_IN_ALL = 4;

/** The verb of each kind, and what is under way in it. */
const WORD = {
  upload: { verb: '上传', busy: '附件正在上传' },
  download: { verb: '下载', busy: '附件正在下载' },
  export: { verb: '导出', busy: '导出文件正在生成' },
} as const;

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
    const { verb: w, busy } = WORD[this.kind];
    const mine = this.byAccount.get(userId) ?? 0;
    if (mine >= this.perAccount)
      throw new Problem(
        429,
        `${w}过于频繁`,
        `您已有 ${mine} 个${busy}，每个账号同时最多${w} ${this.perAccount} 个，请等其完成后再${w}`,
        undefined,
        `${this.kind}_limit_account`,
      );
    if (this.inAll >= this.total)
      throw new Problem(
        429,
        `${w}过于频繁`,
        `服务器同时${w}的已达上限（${this.total} 个），请稍后再${w}`,
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
