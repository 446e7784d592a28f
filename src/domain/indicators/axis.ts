/**
 * The top of a percentage axis (0–100) that fits the largest value shown. Early in the work the
 * rates are small (0.4%, 3%): a fixed floor of 10% left such bars a few pixels long, so below 10
 * the top is the next of 1, 2, 2.5, 5 × 10ⁿ at or above the value; from 10 on, the next ten (as
 * before); never above 100. No value above zero gives 1, so an all-zero chart still has an axis.
 */
export function percentAxisMax(largest: number): number {
  if (!(largest > 0)) return 1;
  if (largest >= 10) return Math.min(100, Math.ceil(largest / 10) * 10);
  const decade = 10 ** Math.floor(Math.log10(largest));
  const step = [1, 2, 2.5, 5, 10].find((s) => round(s * decade) >= largest) ?? 10;
  return round(step * decade);
}

/** Float noise off (0.1 × 3 is 0.30000000000000004). */
const round = (v: number) => Number(v.toPrecision(6));
