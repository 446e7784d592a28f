/**
 * The 待办 list's rules: how urgent an item is, the order of the list, and which report period
 * is the one now due. Pure: no I/O.
 */
import { dueOn, periodLabel, periodOfDate, periodRange, type ReportForm } from '../reports/forms.js';

export type Urgency = 'overdue' | 'due_soon' | 'new' | 'normal';
export const URGENCY_LABELS: Record<Urgency, string> = {
  overdue: '已逾期',
  due_soon: '即将到期',
  new: '新',
  normal: '待办',
};
const RANK: Record<Urgency, number> = { overdue: 0, due_soon: 1, new: 2, normal: 3 };

export function urgencyOf(dueAt: Date | null, now: Date, soonMs: number, isNew = false): Urgency {
  if (dueAt && dueAt.getTime() < now.getTime()) return 'overdue';
  if (dueAt && dueAt.getTime() - now.getTime() <= soonMs) return 'due_soon';
  return isNew ? 'new' : 'normal';
}

/** Due order: the overdue first, then what is due soonest, then the new, then the rest; ties by deadline, then title. */
export function inDueOrder<T extends { urgency: Urgency; dueAt: string | null; title: string }>(
  items: readonly T[],
): T[] {
  return [...items].sort(
    (a, b) =>
      RANK[a.urgency] - RANK[b.urgency] ||
      (a.dueAt ?? '9999').localeCompare(b.dueAt ?? '9999') ||
      a.title.localeCompare(b.title, 'zh-CN'),
  );
}

/** The period a form's report is due for now: the latest period that has ended by today (YYYY-MM-DD). */
export function periodDue(form: ReportForm, today: string): { period: string; label: string; dueOn: string } {
  const current = periodOfDate(form.period, today);
  const start = periodRange(form.period, current)!.start;
  const dayBefore = new Date(`${start}T00:00:00Z`);
  dayBefore.setUTCDate(dayBefore.getUTCDate() - 1);
  const period = periodOfDate(form.period, dayBefore.toISOString().slice(0, 10));
  return { period, label: periodLabel(form.period, period), dueOn: dueOn(form, period) };
}
