import { describe, expect, it } from 'vitest';
import { revealRefusal } from './reveal-limit.js';

describe('revealRefusal', () => {
  it('allows the reveals within the limit and refuses the next with the minutes left in the window', () => {
    const limit = { max: 3, windowMinutes: 10 };
    const windowStart = new Date(Date.UTC(2026, 0, 1));
    const at = (ms: number) => new Date(windowStart.getTime() + ms);
    expect(revealRefusal({ used: 3, windowStart, now: at(1000) }, limit)).toBeNull();
    expect(revealRefusal({ used: 4, windowStart, now: at(60_000) }, limit)).toBe(9);
    expect(revealRefusal({ used: 40, windowStart, now: at(9 * 60_000 + 59_000) }, limit)).toBe(1);
  });
});
