import { describe, expect, it, vi } from 'vitest';
import { canonicalCode, newTrackingCode, scheduleEscalation, trackingHash } from './engine.js';

describe('tracking codes', () => {
  it('are 26 base32 characters (130 random bits), all different, and typed back in any form', () => {
    const codes = new Set(Array.from({ length: 2000 }, newTrackingCode));
    expect(codes.size).toBe(2000);
    for (const c of [...codes].slice(0, 50)) {
      expect(c).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(canonicalCode(c.toLowerCase().replace(/(.{4})/g, '$1 - '))).toBe(c);
    }
    expect(canonicalCode('too-short')).toBeNull();
    expect(canonicalCode('U'.repeat(26))).toBeNull();
    expect(trackingHash('A'.repeat(26))).toMatch(/^[0-9a-f]{64}$/);
    expect(trackingHash('A'.repeat(26))).not.toBe(trackingHash('B'.repeat(26)));
  });
});

describe('the escalation schedule', () => {
  it('runs at start and then on its interval, never two runs at once, and stops (awaiting a run) on close', async () => {
    vi.useFakeTimers();
    let release: () => void = () => undefined;
    const run = vi.fn(() => new Promise<void>((r) => (release = r)));
    const job = scheduleEscalation(run, 1000, { error: () => undefined });
    job.start();
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(2500); // the first run is still going: no second one
    expect(run).toHaveBeenCalledTimes(1);
    release();
    await vi.advanceTimersByTimeAsync(1000);
    expect(run).toHaveBeenCalledTimes(2);
    const stopped = job.stop();
    release();
    await stopped;
    await vi.advanceTimersByTimeAsync(5000);
    expect(run).toHaveBeenCalledTimes(2);
    vi.useRealTimers();
  });
});
