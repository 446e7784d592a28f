import { describe, expect, it } from 'vitest';
import { UnknownNameThrottle } from './unknown-throttle.js';

const sec = { lockoutThreshold: 5, lockoutMinutes: 15 };

describe('UnknownNameThrottle', () => {
  it('locks at the threshold, as for an account', () => {
    const t = new UnknownNameThrottle();
    let last = { lock: false, minutes: 0 };
    for (let i = 0; i < 5; i++) last = t.fail('name', '10.0.0.1', t.attempt('name', '10.0.0.1', 0), sec, 0);
    expect(last.lock).toBe(true);
    expect(t.lockedUntil('name', '10.0.0.1', 1)).toEqual(new Date(15 * 60_000));
  });

  it('keeps the lock it answered even when ten thousand other names pushed the entry out meanwhile', () => {
    const t = new UnknownNameThrottle();
    for (let i = 0; i < 4; i++) t.fail('name', '10.0.0.1', t.attempt('name', '10.0.0.1', 0), sec, 0);
    const fifth = t.attempt('name', '10.0.0.1', 0);
    // While the fifth attempt's dummy check ran, other names from other addresses filled the map.
    for (let i = 0; i < 10_000; i++) t.attempt(`other${i}`, `10.1.${i >> 8}.${i & 255}`, 0);
    expect(t.fail('name', '10.0.0.1', fifth, sec, 0).lock).toBe(true);
    expect(t.lockedUntil('name', '10.0.0.1', 1)).not.toBeNull();
  });

  it('counts an attempt that comes while the name is locked here as past the threshold (it found the name open, then the lock reset the count)', () => {
    const t = new UnknownNameThrottle();
    for (let i = 0; i < 5; i++) t.fail('name', '10.0.0.1', t.attempt('name', '10.0.0.1', 0), sec, 0);
    expect(t.attempt('name', '10.0.0.1', 1)).toBe(Infinity);
  });
});
