import { describe, expect, it } from 'vitest';
import { isLocked, lockMinutes, minutesLeft } from './lockout.js';

describe('sign-in lockout', () => {
  it('doubles the lock from one address each time, capped at a day', () => {
    expect([1, 2, 3, 4].map((n) => lockMinutes(n, 15))).toEqual([15, 30, 60, 120]);
    expect(lockMinutes(8, 15)).toBe(1440);
    expect(lockMinutes(100, 15)).toBe(1440);
  });
  it('tells a running lock from an expired one', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(isLocked(new Date(now + 1000), now)).toBe(true);
    expect(isLocked(new Date(now - 1000), now)).toBe(false);
    expect(isLocked(null, now)).toBe(false);
    expect(minutesLeft(new Date(now + 61_000), now)).toBe(2);
  });
});
