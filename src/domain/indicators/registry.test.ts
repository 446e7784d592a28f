import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { emptyTally } from '../coverage/coverage.js';
import { ORG_KIND_LABEL, SETUP_MODE_LABEL, type OrgKind, type SetupMode } from '../orgs/rules.js';
import {
  COUNT_KEYS,
  COUNTS,
  FUNNEL,
  INDICATORS,
  RATE_KEYS,
  RATES,
  emptyCounts,
  orgKindKey,
  setupModeKey,
  tallyOf,
  toCounts,
  valuesOf,
  type Counts,
} from './registry.js';

const countsArb = fc.record(
  Object.fromEntries(COUNT_KEYS.map((k) => [k, fc.nat({ max: 10_000 })])) as Record<keyof Counts, fc.Arbitrary<number>>,
);

describe('indicator registry', () => {
  it('every indicator has a Chinese label, a unit and a group, and no key is both a count and a rate', () => {
    for (const [key, d] of Object.entries(INDICATORS)) {
      expect(d.label, key).toMatch(/[\u4e00-\u9fa5]/);
      expect(d.unit, key).not.toBe('');
      expect(d.group, key).toBeTruthy();
    }
    expect(COUNT_KEYS.filter((k) => (RATE_KEYS as string[]).includes(k))).toEqual([]);
    expect(Object.keys(INDICATORS)).toHaveLength(COUNT_KEYS.length + RATE_KEYS.length);
  });

  it('has one count per organization kind and per setup mode, labelled as the organization rules label them', () => {
    for (const k of Object.keys(ORG_KIND_LABEL) as OrgKind[])
      expect(COUNTS[orgKindKey(k)].label).toContain(ORG_KIND_LABEL[k]);
    for (const m of Object.keys(SETUP_MODE_LABEL) as SetupMode[])
      expect(COUNTS[setupModeKey(m)].label).toBe(SETUP_MODE_LABEL[m]);
    expect(orgKindKey('joint_branch')).toBe('orgsJointBranch');
    expect(setupModeKey('standalone')).toBe('modeStandalone');
  });

  it('the coverage counts are exactly the coverage tally', () => {
    expect(Object.keys(tallyOf(emptyCounts())).sort()).toEqual(Object.keys(emptyTally()).sort());
    // 存续主体 is the denominator of both coverages, shown with the entities; the rest are the coverages' own.
    for (const k of Object.keys(emptyTally()))
      expect(COUNTS[k as keyof Counts].group).toBe(k === 'operating' ? 'entities' : 'coverage');
  });

  it('each rate is its numerator ÷ its denominator, as the coverage domain computes it', () => {
    fc.assert(
      fc.property(countsArb, (c) => {
        const v = valuesOf(c);
        for (const k of RATE_KEYS) {
          const { numerator, denominator } = RATES[k];
          expect(v[k]).toBe(c[denominator] === 0 ? null : c[numerator] / c[denominator]);
        }
      }),
    );
  });

  it('reads measured rows: missing keys are 0, numbers in strings (int8 from pg) become numbers, unknown keys are dropped', () => {
    const c = toCounts({ operating: 5, anyOrg: '2' as unknown as number, nonsense: 9, work: null });
    expect(c.operating).toBe(5);
    expect(c.anyOrg).toBe(2);
    expect(c.work).toBe(0);
    expect(c.membersFound).toBe(0);
    expect('nonsense' in c).toBe(false);
    expect(valuesOf(c).orgCoverage).toBe(0.4);
    expect(valuesOf(emptyCounts()).orgCoverage).toBeNull();
  });

  it('the funnel narrows: each stage counts a subset of the one before (per the coverage definitions)', () => {
    expect(FUNNEL).toEqual(['operating', 'withMembers', 'membersAnyOrg']);
    for (const k of FUNNEL) expect(COUNTS[k].unit).toBe('户');
  });
});
