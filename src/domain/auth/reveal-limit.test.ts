import { describe, expect, it } from 'vitest';
import { RevealBudget } from './reveal-limit.js';

describe('RevealBudget', () => {
  it('allows an account its reveals in a window, refuses the next with the minutes left, and starts again after', () => {
    const b = new RevealBudget({ max: 3, windowMinutes: 10 });
    const t0 = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 3; i++) expect(b.take(1, t0 + i * 1000)).toBeNull();
    expect(b.take(1, t0 + 60_000)).toBe(9);
    expect(b.take(2, t0 + 60_000)).toBeNull(); // another account has its own
    expect(b.take(1, t0 + 10 * 60_000)).toBeNull();
  });
});
