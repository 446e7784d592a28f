/**
 * How many full ID numbers and phones one account may reveal (查看完整个人信息) in a while: each
 * reveal was audited, but nothing slowed them down — a clerk's account, or a session stolen from
 * one, revealed 150 people's ID numbers and phones in 9 seconds by walking the entity list, which
 * the masked lists and exports exist to prevent (round-9 probe). A clerk checking people one by one
 * on the phone stays far below it; every call counts, refused ones too (a probe of ids is a probe).
 */
export const REVEAL_LIMIT = { max: 30, windowMinutes: 10 } as const;

/**
 * Counts each account's reveals in fixed windows. Kept in memory, per server process (as the rate
 * limits are); the map forgets windows that have ended.
 */
export class RevealBudget {
  private readonly windows = new Map<number, { start: number; used: number }>();

  constructor(private readonly limit: { max: number; windowMinutes: number } = REVEAL_LIMIT) {}

  /** Counts one reveal by the account: null when allowed, else the minutes until the window ends. */
  take(accountId: number, now = Date.now()): number | null {
    const span = this.limit.windowMinutes * 60_000;
    for (const [id, w] of this.windows) if (now - w.start >= span) this.windows.delete(id);
    const w = this.windows.get(accountId) ?? { start: now, used: 0 };
    w.used++;
    this.windows.set(accountId, w);
    return w.used <= this.limit.max ? null : Math.max(1, Math.ceil((w.start + span - now) / 60_000));
  }
}
