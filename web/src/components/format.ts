import { INDICATORS, type IndicatorKey } from '@domain/indicators/registry';
import { localDate, localDateTime } from '@domain/time/zone';
import dayjs, { type Dayjs } from 'dayjs';

/** Rates arrive as 0..1, or null when there is nothing to divide by (no entities at all). */
export const pct = (rate: number | null | undefined): string =>
  rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`;

/** A count with thousands separators (18,416), as the dashboard shows it; a dash when there is none. */
export const num = (n: number | null | undefined): string => (n === null || n === undefined ? '—' : n.toLocaleString());

/** An indicator's figure as the dashboard and the reports show it: a rate as a percentage, a count with separators. */
export const indicatorValue = (k: IndicatorKey, v: number | null | undefined): string =>
  INDICATORS[k].kind === 'rate' ? pct(v) : num(v ?? 0);

/** Select options from a code → label dictionary. */
export const toOptions = (labels: Record<string, string>) =>
  Object.entries(labels).map(([value, label]) => ({ value, label }));

/*
 * Times as the deployment reads them: in its zone (XGZ_TIME_ZONE, default Asia/Shanghai, set from
 * the session at sign-in: auth.tsx), not the browser's. Every page formats a moment through these.
 */

/** A moment as "YYYY-MM-DD HH:mm" in the deployment's zone, or a dash when there is none (also a table column's render). */
export const when = (t: string | Date | null | undefined): string => (t ? localDateTime(t) : '—');
/** The calendar day (YYYY-MM-DD) of a moment in the deployment's zone, or a dash. */
export const dayOf = (t: string | Date | null | undefined): string => (t ? localDate(new Date(t)) : '—');
/** The time of day (HH:mm) of a moment in the deployment's zone. */
export const timeOf = (t: string | Date): string => localDateTime(t).slice(11);
/** A moment as a date-time picker's value, read in the deployment's zone (the server reads what the picker gives back in it too). */
export const pickerOf = (t: string): Dayjs => dayjs(localDateTime(t));
/** Today in the deployment's zone, as a date picker's value. */
export const today = (): Dayjs => dayjs(localDate());

/** A date picker's days after today, which a record of what happened cannot name (the server refuses them too). */
export const isFuture = (d: Dayjs): boolean => d.isAfter(today(), 'day');

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
