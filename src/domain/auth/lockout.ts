/**
 * Sign-in lockout rules (issue 16, finding 8). Two locks with different keys:
 *
 * - Wrong passwords are counted per account AND client address. At the threshold that address is
 *   locked out of that account, for lockoutMinutes the first time and twice as long each further
 *   time (capped at a day). Anyone can type a wrong password, so this lock must not keep the owner
 *   out: from another address the owner still signs in.
 * - Wrong second-factor codes (and wrong current passwords inside a session) come from someone who
 *   already knows the password, so they count on the account itself and lock it from everywhere;
 *   the security administrator or the server's CLI unlocks it.
 */
export const MAX_LOCK_MINUTES = 24 * 60;

/** Minutes of the n-th lock (n ≥ 1) from one address: base, 2×base, 4×base … at most a day. */
export function lockMinutes(n: number, baseMinutes: number): number {
  return Math.min(baseMinutes * 2 ** Math.max(0, Math.min(n - 1, 16)), MAX_LOCK_MINUTES);
}

export const isLocked = (until: Date | null | undefined, now = Date.now()): boolean => !!until && until.getTime() > now;

/** Whole minutes left of a lock, at least 1. */
export const minutesLeft = (until: Date, now = Date.now()): number =>
  Math.max(1, Math.ceil((until.getTime() - now) / 60_000));
