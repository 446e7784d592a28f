import {
  compareDates,
  compareNames,
  compareValues,
  type DateLevel,
  type NameLevel,
  type ValueLevel,
} from './compare.js';

/**
 * Fellegi–Sunter record linkage. For each field, m = P(level | same person) and
 * u = P(level | different people); a field contributes log2(m/u) to the score. The sum says
 * how many times likelier "same person" is than not, in bits. A link needs the threshold; every
 * link keeps the levels that made its score, so a person can check it.
 *
 * The default m and u are set from how the sources are known to err (typos and homophones in
 * names, swapped digits in dates, stale phones) and from how common names and birthdays are in a
 * county; `estimateU` refines u from the data.
 */
/** birthDate: 'YYYY-MM-DD', or 'YYYY-MM' where only the month is known. */
export type Record_ = { name: string; birthDate?: string | null; phoneBi?: string | null; county?: string | null };
export type Levels = { name: NameLevel; birthDate: DateLevel; phone: ValueLevel; county: ValueLevel };
export type Model = { [F in keyof Levels]: Record<Levels[F], { m: number; u: number }> };

export const DEFAULT_MODEL: Model = {
  name: {
    exact: { m: 0.9, u: 0.002 },
    homophone: { m: 0.05, u: 0.002 },
    one_char: { m: 0.04, u: 0.01 },
    different: { m: 0.01, u: 0.986 },
  },
  birthDate: {
    exact: { m: 0.93, u: 0.00005 },
    transposed: { m: 0.05, u: 0.0005 },
    // Met only where one side gives the month alone: two people share a year and month ~1 in 600.
    month: { m: 0.95, u: 0.0017 },
    different: { m: 0.02, u: 0.99945 },
    missing: { m: 1, u: 1 },
  },
  phone: { same: { m: 0.6, u: 0.00001 }, different: { m: 0.4, u: 0.99999 }, missing: { m: 1, u: 1 } },
  county: { same: { m: 0.85, u: 0.05 }, different: { m: 0.15, u: 0.95 }, missing: { m: 1, u: 1 } },
};

export const DEFAULT_THRESHOLD = 14;

export function compareRecords(a: Record_, b: Record_): Levels {
  return {
    name: compareNames(a.name, b.name),
    birthDate: compareDates(a.birthDate, b.birthDate),
    phone: compareValues(a.phoneBi, b.phoneBi),
    county: compareValues(a.county, b.county),
  };
}

export function score(
  levels: Levels,
  model: Model = DEFAULT_MODEL,
): { score: number; weights: Record<keyof Levels, number> } {
  const w = (f: keyof Levels) => {
    const p = (model[f] as Record<string, { m: number; u: number }>)[levels[f]];
    return Math.log2(p.m / p.u);
  };
  const weights = { name: w('name'), birthDate: w('birthDate'), phone: w('phone'), county: w('county') };
  return { score: weights.name + weights.birthDate + weights.phone + weights.county, weights };
}

/**
 * Links a pair when the score reaches the threshold, the name is at least close, and something
 * besides the name agrees (birth date or phone): a rare name alone is still only a name.
 */
export function decide(a: Record_, b: Record_, model: Model = DEFAULT_MODEL, threshold = DEFAULT_THRESHOLD) {
  const levels = compareRecords(a, b);
  const s = score(levels, model);
  const corroborated = ['exact', 'transposed', 'month'].includes(levels.birthDate) || levels.phone === 'same';
  return { link: levels.name !== 'different' && corroborated && s.score >= threshold, levels, ...s };
}

/** The model with u for names and birth dates replaced by their chance agreement in the data. */
export function withU(model: Model, chance: { name: number; birthDate: number }): Model {
  const clamp = (p: number) => Math.min(Math.max(p, 1e-6), 0.5);
  return {
    ...model,
    name: { ...model.name, exact: { ...model.name.exact, u: clamp(chance.name) } },
    birthDate: { ...model.birthDate, exact: { ...model.birthDate.exact, u: clamp(chance.birthDate) } },
  };
}

/** How often two random values of a list agree: the sum of squared shares. */
export function chanceAgreement(values: (string | null | undefined)[]): number {
  const counts = new Map<string, number>();
  let total = 0;
  for (const v of values) {
    if (!v) continue;
    counts.set(v, (counts.get(v) ?? 0) + 1);
    total++;
  }
  let p = 0;
  for (const c of counts.values()) p += (c / total) * (c / total);
  return p;
}

/** u for names and birth dates from the data: how often two random records agree. */
export function estimateU(records: Record_[], model: Model = DEFAULT_MODEL): Model {
  if (records.length < 50) return model;
  return withU(model, {
    name: chanceAgreement(records.map((r) => r.name)),
    birthDate: chanceAgreement(records.map((r) => r.birthDate)),
  });
}
