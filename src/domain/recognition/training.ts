import { addMonths } from '../orgs/rules.js';

/**
 * Secretary training (党组织书记培训) and its indicator: the share of secretaries, and of
 * secretaries of organizations founded this year, trained within 12 months of taking office.
 *
 * Definition (the SQL in features/recognition/training-queries.ts computes the same, and a test holds them equal):
 * - a secretary is a secretary appointment of a party organization (not a Youth League one) that
 *   is not dissolved, in office on the reference date (term start ≤ date ≤ term end, and not left
 *   office on or before it: a secretary whose membership ended leaves that day, migration 0264);
 * - trained in time: a class the secretary completed ended between the term start and 12 months
 *   after it (calendar months, clamped at month end), and not after the reference date;
 * - pending: not trained in time yet, but the 12 months have not run out (they still can be);
 * - share = trained ÷ secretaries (null when there are none);
 * - "organizations founded this year": founded in the calendar year of the reference date.
 */
export const CLASS_LEVEL_LABEL = { nation: '总局示范', province: '省级', city: '市级', county: '县级' } as const;
export const TRAINING_WINDOW_MONTHS = 12;
/** A secretary in office: trained in time, not yet (the 12 months still run), or overdue. */
export const SECRETARY_STATUS_LABEL = {
  trained: '已按期培训',
  pending: '未培训（期限内）',
  overdue: '超期未培训',
} as const;
export type SecretaryStatus = keyof typeof SECRETARY_STATUS_LABEL;

export type SecretaryFacts = {
  party: boolean;
  orgDissolved: boolean;
  orgFoundedOn: string | null;
  termStart: string;
  termEnd: string;
  /** The day the secretary left office before the term's end (membership ended), or null. */
  leftOn: string | null;
  /** End dates of the classes this secretary completed. */
  completedClassEnds: string[];
};

export type Indicator = { secretaries: number; trained: number; pending: number; share: number | null };
export const emptyIndicator = (): Indicator => ({ secretaries: 0, trained: 0, pending: 0, share: null });

/** Whether this appointment counts, and if so whether trained in time and whether still pending. */
export function secretaryStatus(
  s: SecretaryFacts,
  asOf: string,
): { counts: false } | { counts: true; trained: boolean; pending: boolean } {
  if (!s.party || s.orgDissolved || s.termStart > asOf || s.termEnd < asOf || (s.leftOn !== null && s.leftOn <= asOf))
    return { counts: false };
  const windowEnd = addMonths(s.termStart, TRAINING_WINDOW_MONTHS);
  const trained = s.completedClassEnds.some((d) => d >= s.termStart && d <= windowEnd && d <= asOf);
  return { counts: true, trained, pending: !trained && windowEnd >= asOf };
}

export const withShare = (t: Omit<Indicator, 'share'>): Indicator => ({
  ...t,
  share: t.secretaries ? t.trained / t.secretaries : null,
});

/** The indicator over these appointments: all secretaries, and those of organizations founded in the reference year. */
export function trainingIndicator(rows: SecretaryFacts[], asOf: string): { all: Indicator; newOrgs: Indicator } {
  const all = { secretaries: 0, trained: 0, pending: 0 };
  const newOrgs = { secretaries: 0, trained: 0, pending: 0 };
  for (const s of rows) {
    const st = secretaryStatus(s, asOf);
    if (!st.counts) continue;
    const targets = s.orgFoundedOn?.slice(0, 4) === asOf.slice(0, 4) ? [all, newOrgs] : [all];
    for (const t of targets) {
      t.secretaries++;
      if (st.trained) t.trained++;
      if (st.pending) t.pending++;
    }
  }
  return { all: withShare(all), newOrgs: withShare(newOrgs) };
}
