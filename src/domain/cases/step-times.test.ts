import { describe, expect, it } from 'vitest';
import { bucketBounds, durationText, maxError, quantilesFromBuckets } from './step-times.js';

/** The bucket of a time, as the SQL function xgz_step_bucket computes it (the integration test holds them together). */
const bucketOf = (ms: number) => (ms < 60_000 ? 0 : 1 + Math.floor(40 * Math.log(ms / 60_000)));

/** percentile_cont over the exact values. */
function exact(values: number[], q: number) {
  const s = [...values].sort((a, b) => a - b);
  const r = q * (s.length - 1);
  const lo = Math.floor(r);
  return { value: s[lo] + (r - lo) * ((s[Math.ceil(r)] ?? s[lo]) - s[lo]), upper: s[Math.ceil(r)] };
}

function histogram(values: number[]) {
  const m = new Map<number, number>();
  for (const v of values) m.set(bucketOf(v), (m.get(bucketOf(v)) ?? 0) + 1);
  return [...m].map(([bucket, n]) => ({ bucket, n }));
}

/** A small deterministic generator, so a failure can be replayed. */
function rng(seed: number) {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

describe('step-time buckets', () => {
  it('tile the time axis: each bucket starts where the one before ends, 2.5% wide above a minute', () => {
    expect(bucketBounds(0)).toEqual([0, 60_000]);
    for (let b = 1; b < 600; b++) {
      const [lo, hi] = bucketBounds(b);
      expect(lo).toBeCloseTo(bucketBounds(b - 1)[1], 6);
      if (b > 1) expect(hi / lo).toBeCloseTo(Math.exp(1 / 40), 9);
    }
    for (const ms of [0, 59_999, 60_000, 3_600_000, 86_400_000 * 15, 86_400_000 * 400]) {
      const [lo, hi] = bucketBounds(bucketOf(ms));
      expect(ms).toBeGreaterThanOrEqual(lo - 1e-6);
      expect(ms).toBeLessThan(hi);
    }
  });

  it('give the median and 90th percentile within one bucket of the exact ones, for spread, clustered and tiny sets', () => {
    const next = rng(7);
    const sets: number[][] = [
      Array.from({ length: 5000 }, () => Math.exp(next() * 14) * 1000), // a second to ~14 days, log-spread
      Array.from({ length: 3000 }, () => 3_600_000 * (1 + Math.floor(next() * 60))), // whole hours, many ties
      Array.from({ length: 800 }, () => next() * 50_000), // all under a minute
      [7_200_000],
      [3_600_000, 90_000_000],
    ];
    for (const values of sets) {
      const h = histogram(values);
      for (const q of [0, 0.5, 0.9, 1]) {
        const [got] = quantilesFromBuckets(h, [q]);
        const want = exact(values, q);
        expect(Math.abs(got! - want.value)).toBeLessThanOrEqual(maxError(want.upper));
      }
    }
  });

  it('answer null with no times, and ignore empty buckets', () => {
    expect(quantilesFromBuckets([], [0.5, 0.9])).toEqual([null, null]);
    expect(quantilesFromBuckets([{ bucket: 200, n: 0 }], [0.5])).toEqual([null]);
    const [m] = quantilesFromBuckets(
      [
        { bucket: 200, n: 0 },
        { bucket: 100, n: 3 },
      ],
      [0.5],
    );
    const [lo, hi] = bucketBounds(100);
    expect(m).toBeGreaterThanOrEqual(lo);
    expect(m).toBeLessThan(hi);
  });
});

describe('durationText', () => {
  it('reads minutes under an hour, hours under two days, days beyond', () => {
    expect(durationText(null)).toBe('—');
    expect(durationText(0)).toBe('不到 1 分钟');
    expect(durationText(0.004)).toBe('不到 1 分钟');
    expect(durationText(0.25)).toBe('15 分钟');
    expect(durationText(14.06)).toBe('14.1 小时');
    expect(durationText(175.6)).toBe('7.3 天');
  });
});
