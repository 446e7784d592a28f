import { INDICATORS, type IndicatorKey } from '@domain/indicators/registry';

/** Rates arrive as 0..1, or null when there is nothing to divide by (no entities at all). */
export const pct = (rate: number | null | undefined): string =>
  rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`;

/** A count with thousands separators (18,416), as the dashboard shows it; a dash when there is none. */
export const num = (n: number | null | undefined): string => (n === null || n === undefined ? '—' : n.toLocaleString());

/** An indicator's figure as the dashboard and the reports show it: a rate as a percentage, a count with separators. */
export const indicatorValue = (k: IndicatorKey, v: number | null | undefined): string =>
  INDICATORS[k].kind === 'rate' ? pct(v) : (v ?? 0).toLocaleString();

/** Select options from a code → label dictionary. */
export const toOptions = (labels: Record<string, string>) =>
  Object.entries(labels).map(([value, label]) => ({ value, label }));

/** A date picker's days after today, which a record of what happened cannot name (the server refuses them too). */
export const isFuture = (d: { isAfter: (other: Date) => boolean }): boolean => d.isAfter(new Date());

/** A moment in the reader's words, or a dash when there is none. */
export const when = (t: string | null): string => (t ? new Date(t).toLocaleString('zh-CN') : '—');

/** Dates go to the API as YYYY-MM-DD, whatever the picker holds. */
export const ymd = (d: { format: (f: string) => string } | null | undefined): string | undefined =>
  d?.format('YYYY-MM-DD');

/** A recorded value in words (history rows hold whatever the column held): empty as 空, objects as JSON. */
export const shown = (v: unknown, empty = '空'): string => {
  if (v === null || v === undefined) return empty;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
};
