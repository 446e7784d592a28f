/**
 * Step-time percentiles from the kept histograms (appeal_step_tally, migration 0021): bucket 0
 * holds times under a minute, bucket b ≥ 1 holds [e^((b-1)/40), e^(b/40)) minutes. The SQL
 * function xgz_step_bucket puts a time in its bucket; this reads the buckets back.
 */
const MINUTE = 60_000;
const PER_E = 40;

/** The bounds [lo, hi) of a bucket, in ms. */
export function bucketBounds(bucket: number): [number, number] {
  return bucket === 0 ? [0, MINUTE] : [MINUTE * Math.exp((bucket - 1) / PER_E), MINUTE * Math.exp(bucket / PER_E)];
}

/** The most a percentile read from the buckets can differ from the exact one, for a true value v (ms). */
export const maxError = (v: number) => Math.max(MINUTE, v * (Math.exp(1 / PER_E) - 1));

/**
 * The q-quantiles (0..1, interpolated between neighbouring ranks as PostgreSQL's percentile_cont
 * does) of the times counted in the buckets, or null when there are none. Within a bucket its
 * values are taken as spread evenly (geometrically above a minute), so each rank's value lies in
 * the bucket its true value lies in: the answer is off by less than one bucket's width.
 */
export function quantilesFromBuckets(
  buckets: readonly { bucket: number; n: number }[],
  qs: readonly number[],
): (number | null)[] {
  const sorted = buckets.filter((b) => b.n > 0).sort((a, b) => a.bucket - b.bucket);
  const total = sorted.reduce((s, b) => s + b.n, 0);
  if (total === 0) return qs.map(() => null);
  /** The value of the i-th smallest time (0-based). */
  const at = (i: number) => {
    let before = 0;
    for (const b of sorted) {
      if (i < before + b.n) {
        const [lo, hi] = bucketBounds(b.bucket);
        const f = (i - before + 0.5) / b.n;
        return b.bucket === 0 ? lo + (hi - lo) * f : lo * (hi / lo) ** f;
      }
      before += b.n;
    }
    throw new Error('rank beyond the buckets');
  };
  return qs.map((q) => {
    const r = q * (total - 1);
    const lo = Math.floor(r);
    const v = at(lo);
    return r === lo ? v : v + (r - lo) * (at(lo + 1) - v);
  });
}

/**
 * A step's time for people to read: minutes under an hour, hours under two days, days beyond.
 * The figures showed "0 小时 / 0 小时" for a routing done in minutes, and "175.6 小时" for a week.
 */
export function durationText(hours: number | null | undefined): string {
  if (hours == null) return '—';
  const minutes = Math.round(hours * 60);
  if (minutes < 1) return '不到 1 分钟';
  if (minutes < 60) return `${minutes} 分钟`;
  if (hours < 48) return `${Math.round(hours * 10) / 10} 小时`;
  return `${Math.round((hours / 24) * 10) / 10} 天`;
}
