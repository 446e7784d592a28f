import { isLocked, lockMinutes } from '../../domain/auth/lockout.js';

/**
 * Wrong passwords for a name that names no account, counted as for an account (per name and
 * client address, the same threshold and the same doubling locks), so that the lockout answer
 * (423 at the threshold, then 423 while locked) does not tell an account that exists from one
 * that does not: five wrong passwords for any name answered 423 only where the account existed
 * (round-7 probe). Kept in memory: no account is behind it, only the answers must match. The
 * name is kept as a keyed hash (it may be a phone or a password typed in the wrong field), and
 * the map is bounded, the oldest entry dropped first.
 */
type Entry = { failures: number; locks: number; lockedUntil: Date | null; at: number };
const MAX_ENTRIES = 10_000;

export class UnknownNameThrottle {
  private readonly entries = new Map<string, Entry>();

  lockedUntil(nameKey: string, ip: string, now = Date.now()): Date | null {
    const e = this.entries.get(`${nameKey} ${ip}`);
    return e && isLocked(e.lockedUntil, now) ? e.lockedUntil : null;
  }

  /** One attempt counted before the (dummy) check, as for an account (countAddressAttempt): its number since the last lock, Infinity while locked. */
  attempt(nameKey: string, ip: string, now = Date.now()): number {
    const key = `${nameKey} ${ip}`;
    const e = this.entries.get(key) ?? { failures: 0, locks: 0, lockedUntil: null, at: now };
    // Locked meanwhile (found open before an await, counted after the lock reset the count): past the threshold.
    if (isLocked(e.lockedUntil, now)) return Infinity;
    this.entries.delete(key); // re-inserted last: the map's order is its age
    e.failures++;
    e.at = now;
    this.entries.set(key, e);
    while (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    return e.failures;
  }

  /** The attempt numbered `attempt` failed (there is no account): whether it reached the threshold, and the lock's minutes. */
  fail(
    nameKey: string,
    ip: string,
    attempt: number,
    sec: { lockoutThreshold: number; lockoutMinutes: number },
    now = Date.now(),
  ): { lock: boolean; minutes: number } {
    const key = `${nameKey} ${ip}`;
    const e = this.entries.get(key);
    const minutes = lockMinutes((e?.locks ?? 0) + 1, sec.lockoutMinutes);
    const lock = attempt >= sec.lockoutThreshold;
    // The entry may have been pushed out by other names during the check: the lock answered is kept all the same.
    if (lock)
      this.entries.set(key, {
        failures: 0,
        locks: (e?.locks ?? 0) + 1,
        lockedUntil: new Date(now + minutes * 60_000),
        at: e?.at ?? now,
      });
    return { lock, minutes };
  }
}
