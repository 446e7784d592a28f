/**
 * Statistical report forms (统计报表) defined as data: which registry indicators are the columns
 * (grouped under the registry's group labels for the two-level header), how rows group (each
 * sub-jurisdiction, what hangs on the node itself, and a total), the period and when it is due.
 * A new form is one more entry here; the figures always come from the indicator registry.
 */
import { GROUP_LABEL, INDICATORS, type IndicatorGroup, type IndicatorKey } from '../indicators/registry.js';

export type PeriodKind = 'quarter' | 'year';
export type ReportForm = {
  code: string;
  title: string;
  period: PeriodKind;
  /** Days after the period ends by which each level submits to the one above. */
  dueDays: number;
  columns: readonly IndicatorKey[];
};

export const FORMS = {
  xgz_core: {
    code: 'xgz_core',
    title: '小个专党建工作情况统计表',
    period: 'quarter',
    dueDays: 15,
    columns: [
      'operating',
      'kindEnterprise',
      'kindIndividual',
      'kindCooperative',
      'newEntities',
      'membersOnRoster',
      'membersFound',
      'orgsEstablished',
      'orgsCommittee',
      'orgsGeneralBranch',
      'orgsBranch',
      'orgsJointBranch',
      'modeStandalone',
      'modeJoint',
      'modeAffiliated',
      'modeIndustry',
      'modeStation',
      'modeZone',
      'anyOrg',
      'orgCoverage',
      'ownOrg',
      'standaloneRate',
      'work',
      'workCoverage',
      'instructorsActive',
      'entitiesReached',
      'sanliangParticipants',
      'validPlaques',
      'contactPoints',
      'demoPoints',
      'honoursAwarded',
      'secretaries',
      'secretariesTrained',
      'trainingCompletion',
      'xgzCommittees',
      'guidancePosts',
      'platforms',
      'platformPartners',
      'deliveryStations',
      'riders',
      'memberRiders',
      'riderCommittees',
      'mobileBranches',
      'mobileCardsValid',
      'stationOrgCoverage',
      'stationWorkCoverage',
      'leagueOrgs',
      'leagueMembers',
      'assistancePrograms',
      'assistedEntities',
      'assistedResolved',
      'assistedImproved',
      'assistedUnresolved',
      'visits',
      'visitProblems',
      'appealsReceived',
      'appealsClosed',
      'appealsOverdue',
      'appealSatisfaction',
    ],
  },
  xgz_yearly: {
    code: 'xgz_yearly',
    title: '小个专党建工作年度统计表',
    period: 'year',
    dueDays: 31,
    columns: [
      'operating',
      'withMembers',
      'orgsEstablished',
      'anyOrg',
      'orgCoverage',
      'work',
      'workCoverage',
      'instructorsActive',
      'contactPoints',
      'demoPoints',
      'honoursAwarded',
      'secretaries',
      'trainingCompletion',
    ],
  },
} as const satisfies Record<string, ReportForm>;
export type FormCode = keyof typeof FORMS;
export const FORM_CODES = Object.keys(FORMS) as FormCode[];

/** The columns under their group header, in the form's order (a group split by another starts a new header cell). */
export function headerGroups(form: ReportForm): { group: IndicatorGroup; label: string; columns: IndicatorKey[] }[] {
  const out: { group: IndicatorGroup; label: string; columns: IndicatorKey[] }[] = [];
  for (const k of form.columns) {
    const g = INDICATORS[k].group;
    if (out.at(-1)?.group === g) out.at(-1)!.columns.push(k);
    else out.push({ group: g, label: GROUP_LABEL[g], columns: [k] });
  }
  return out;
}

const QUARTER = /^(\d{4})-Q([1-4])$/;
const YEAR = /^(\d{4})$/;
export const PERIOD_PATTERN: Record<PeriodKind, RegExp> = { quarter: QUARTER, year: YEAR };

const iso = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d)).toISOString().slice(0, 10);

/** First and last day of a period (`2026-Q3`, `2026`), or null when it is not a period of the kind. */
export function periodRange(kind: PeriodKind, period: string): { start: string; end: string } | null {
  const q = PERIOD_PATTERN[kind].exec(period);
  if (!q) return null;
  const y = Number(q[1]);
  if (kind === 'year') return { start: iso(y, 1, 1), end: iso(y, 12, 31) };
  const n = Number(q[2]);
  return { start: iso(y, 3 * n - 2, 1), end: iso(y, 3 * n + 1, 0) };
}

/** The date a period's report is due: `dueDays` after the period ends. */
export function dueOn(form: ReportForm, period: string): string {
  const r = periodRange(form.period, period)!;
  const d = new Date(`${r.end}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + form.dueDays);
  return d.toISOString().slice(0, 10);
}

/** The period of the kind that holds a date. */
export function periodOfDate(kind: PeriodKind, date: string): string {
  const y = date.slice(0, 4);
  return kind === 'year' ? y : `${y}-Q${Math.floor((Number(date.slice(5, 7)) - 1) / 3) + 1}`;
}

/** Chinese name of a period: 2026年第3季度, 2026年度. */
export function periodLabel(kind: PeriodKind, period: string): string {
  const q = PERIOD_PATTERN[kind].exec(period);
  if (!q) return period;
  return kind === 'year' ? `${q[1]}年度` : `${q[1]}年第${q[2]}季度`;
}

/** The month (YYYY-MM) a period ends with: its period-end snapshot is that month's closing one. */
export function closingMonth(kind: PeriodKind, period: string): string {
  return periodRange(kind, period)!.end.slice(0, 7);
}

/** Whether the period is over on `today` (its figures are then its period-end figures, not today's). */
export const periodEnded = (kind: PeriodKind, period: string, today: string): boolean =>
  periodRange(kind, period)!.end < today;

/** Why a period cannot be reported on `today` (malformed, or not begun yet), or null. */
export function periodProblem(form: ReportForm, period: string, today: string): string | null {
  const r = periodRange(form.period, period);
  if (!r) return form.period === 'quarter' ? '报告期格式应为 YYYY-Qn（如 2026-Q3）' : '报告期格式应为 YYYY（如 2026）';
  if (r.start > today) return '报告期尚未开始，不能填报';
  return null;
}
