/**
 * How many full ID numbers and phones one account may reveal (查看完整个人信息) in a while: each
 * reveal was audited, but nothing slowed them down — a clerk's account, or a session stolen from
 * one, revealed 150 people's ID numbers and phones in 9 seconds by walking the entity list, which
 * the masked lists and exports exist to prevent (round-9 probe). A clerk checking people one by one
 * on the phone stays far below it; every call counts, refused ones too (a probe of ids is a probe).
 * The count is kept in the database (src/db/windows.ts), not per server process: two
 * processes, or a restart, each gave the account its budget again (round-10 probe).
 */
export const REVEAL_LIMIT = { max: 30, windowMinutes: 10 } as const;

/** An account's count in its current window, as the database returned it after counting one more. */
export type WindowCount = { used: number; windowStart: Date; now: Date };

/** The verdict on a counted reveal: null when allowed, else the minutes until the window ends. */
export function revealRefusal(
  c: WindowCount,
  limit: { max: number; windowMinutes: number } = REVEAL_LIMIT,
): number | null {
  if (c.used <= limit.max) return null;
  const ends = c.windowStart.getTime() + limit.windowMinutes * 60_000;
  return Math.max(1, Math.ceil((ends - c.now.getTime()) / 60_000));
}
