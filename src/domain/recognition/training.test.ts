import { describe, expect, it } from 'vitest';
import { secretaryStatus, trainingIndicator, type SecretaryFacts } from './training.js';

const base: SecretaryFacts = {
  party: true,
  orgDissolved: false,
  orgFoundedOn: '2020-01-01',
  termStart: '2025-03-31',
  termEnd: '2028-03-30',
  leftOn: null,
  completedClassEnds: [],
};
const asOf = '2026-11-27';

describe('secretary training indicator', () => {
  it('counts secretaries in office of live party organizations only', () => {
    expect(secretaryStatus(base, asOf).counts).toBe(true);
    expect(secretaryStatus({ ...base, party: false }, asOf).counts).toBe(false);
    expect(secretaryStatus({ ...base, orgDissolved: true }, asOf).counts).toBe(false);
    expect(secretaryStatus({ ...base, termEnd: '2026-11-26' }, asOf).counts).toBe(false);
    expect(secretaryStatus({ ...base, termEnd: asOf }, asOf).counts).toBe(true);
    expect(secretaryStatus({ ...base, termStart: '2026-11-28' }, asOf).counts).toBe(false);
    // Left office (membership ended) on or before the date: no longer counted; leaving later does not change the date's count.
    expect(secretaryStatus({ ...base, leftOn: asOf }, asOf).counts).toBe(false);
    expect(secretaryStatus({ ...base, leftOn: '2026-11-28' }, asOf).counts).toBe(true);
  });

  it('takes a completed class that ended within 12 months of taking office, edges included, month end clamped', () => {
    const at = (d: string, termStart = base.termStart) =>
      secretaryStatus({ ...base, termStart, completedClassEnds: [d] }, asOf);
    expect(at('2025-03-31')).toMatchObject({ trained: true });
    expect(at('2026-03-31')).toMatchObject({ trained: true });
    expect(at('2026-04-01')).toMatchObject({ trained: false, pending: false });
    expect(at('2025-03-30')).toMatchObject({ trained: false });
    // 2024-02-29 + 12 months = 2025-02-28.
    expect(at('2025-02-28', '2024-02-29')).toMatchObject({ trained: true });
    expect(at('2025-03-01', '2024-02-29')).toMatchObject({ trained: false });
    // A class that has not ended by the reference date does not count yet.
    expect(secretaryStatus({ ...base, termStart: '2026-06-01', completedClassEnds: ['2026-12-10'] }, asOf)).toEqual({
      counts: true,
      trained: false,
      pending: true,
    });
  });

  it('is pending while the 12 months run, and no longer after', () => {
    expect(secretaryStatus({ ...base, termStart: '2025-11-27' }, asOf)).toEqual({
      counts: true,
      trained: false,
      pending: true,
    });
    expect(secretaryStatus({ ...base, termStart: '2025-11-26' }, asOf)).toEqual({
      counts: true,
      trained: false,
      pending: false,
    });
  });

  it('gives the share for all secretaries and for those of organizations founded this year', () => {
    const rows: SecretaryFacts[] = [
      { ...base, completedClassEnds: ['2025-06-01'] },
      { ...base },
      { ...base, orgFoundedOn: '2026-02-01', termStart: '2026-02-01', completedClassEnds: ['2026-05-01'] },
      { ...base, orgFoundedOn: '2026-03-01', termStart: '2026-03-01' },
      {
        ...base,
        orgFoundedOn: '2026-03-01',
        termStart: '2026-03-01',
        party: false,
        completedClassEnds: ['2026-05-01'],
      },
    ];
    expect(trainingIndicator(rows, asOf)).toEqual({
      all: { secretaries: 4, trained: 2, pending: 1, share: 0.5 },
      newOrgs: { secretaries: 2, trained: 1, pending: 1, share: 0.5 },
    });
    expect(trainingIndicator([], asOf).all.share).toBeNull();
  });
});
