/**
 * The yearly assessment (年度目标责任考核): the level above sets, for each sub-jurisdiction and
 * year, targets for chosen registry indicators and manual items, each with a weight (points).
 * The one scoring rule: an indicator item scores min(actual ÷ target, 1) × weight (nothing
 * measured: 0); a manual item scores what the assessor gave it (0 until scored), never above its
 * weight. Weights of one jurisdiction's year add up to at most 100.
 */
import { INDICATORS, type IndicatorKey, type Values } from '../indicators/registry.js';

export type IndicatorItem = { kind: 'indicator'; indicator: IndicatorKey; target: number; weight: number };
export type ManualItem = {
  kind: 'manual';
  label: string;
  weight: number;
  manualScore: number | null;
  evidence: string | null;
};
export type AssessmentItem = IndicatorItem | ManualItem;
export type Scored = { actual: number | null; score: number };

export const MAX_TOTAL_WEIGHT = 100;
const round2 = (x: number) => Math.round(x * 100) / 100;

/** One item's actual figure (indicator items) and score. */
export function scoreItem(item: AssessmentItem, values: Values): Scored {
  if (item.kind === 'manual') return { actual: null, score: round2(Math.min(item.manualScore ?? 0, item.weight)) };
  const actual = values[item.indicator];
  return { actual, score: actual === null ? 0 : round2(Math.min(actual / item.target, 1) * item.weight) };
}

/** Every item scored, and the total. */
export function scoreAll(items: readonly AssessmentItem[], values: Values) {
  const scored = items.map((i) => ({ ...i, ...scoreItem(i, values) }));
  return {
    items: scored,
    total: round2(scored.reduce((s, i) => s + i.score, 0)),
    weight: round2(items.reduce((s, i) => s + i.weight, 0)),
  };
}

/** Rank by total, highest first; equal totals share a rank and the next rank skips (1, 1, 3). */
export function rankByTotal<T extends { total: number }>(rows: readonly T[]): (T & { rank: number })[] {
  const sorted = [...rows].sort((a, b) => b.total - a.total);
  return sorted.map((r) => ({ ...r, rank: sorted.findIndex((x) => x.total === r.total) + 1 }));
}

/** Why an item list cannot be saved (Chinese, with the field), or null. */
export function itemsProblem(items: readonly AssessmentItem[]): { field: string; message: string } | null {
  const seen = new Set<string>();
  const labels = new Set<string>();
  for (const [n, i] of items.entries()) {
    const at = `items.${n}`;
    if (!(i.weight > 0 && i.weight <= MAX_TOTAL_WEIGHT))
      return { field: `${at}.weight`, message: `分值应大于 0、不超过 ${MAX_TOTAL_WEIGHT}` };
    if (i.kind === 'indicator') {
      if (!(i.indicator in INDICATORS)) return { field: `${at}.indicator`, message: '指标不在指标库中' };
      if (seen.has(i.indicator))
        return { field: `${at}.indicator`, message: `指标"${INDICATORS[i.indicator].label}"重复设置` };
      seen.add(i.indicator);
      if (!(i.target > 0)) return { field: `${at}.target`, message: '目标值应大于 0' };
      if (INDICATORS[i.indicator].kind === 'rate' && i.target > 1)
        return { field: `${at}.target`, message: '比率目标应在 0 至 100% 之间' };
    } else {
      if (!i.label.trim()) return { field: `${at}.label`, message: '人工评分项须填写名称' };
      // The name is the item's key: evidence the assessed jurisdiction attached stays with it.
      if (labels.has(i.label.trim())) return { field: `${at}.label`, message: `人工评分项"${i.label.trim()}"重复设置` };
      labels.add(i.label.trim());
      if (i.manualScore !== null && (i.manualScore < 0 || i.manualScore > i.weight))
        return { field: `${at}.manualScore`, message: `评分应在 0 至 ${i.weight} 分之间` };
      if (i.manualScore !== null && !i.evidence?.trim())
        return { field: `${at}.evidence`, message: '人工评分须写明依据' };
    }
  }
  const total = items.reduce((s, i) => s + i.weight, 0);
  if (total > MAX_TOTAL_WEIGHT)
    return { field: 'items', message: `各项分值合计 ${round2(total)}，超过 ${MAX_TOTAL_WEIGHT} 分` };
  return null;
}
