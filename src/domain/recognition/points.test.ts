import { describe, expect, it } from 'vitest';
import { criteriaProblem, mayDesignate, reviewDue, reviewProblem } from './points.js';

const lists = { contact: ['a', 'b'], demo: ['x'] };

describe('points', () => {
  it('lets a bureau designate at its level or below, never above; a station designates nothing', () => {
    expect(mayDesignate('county', 'county')).toBe(true);
    expect(mayDesignate('county', 'city')).toBe(false);
    expect(mayDesignate('city', 'county')).toBe(true);
    expect(mayDesignate('nation', 'province')).toBe(true);
    expect(mayDesignate('province', 'province')).toBe(true);
    for (const l of ['province', 'city', 'county'] as const) expect(mayDesignate('station', l)).toBe(false);
  });

  it('checks criteria against the configured lists; a demonstration point needs every contact condition', () => {
    expect(criteriaProblem('contact', ['a'], lists)).toBeNull();
    expect(criteriaProblem('contact', ['x'], lists)).toMatchObject({
      field: 'criteria',
      reason: expect.stringContaining('x'),
    });
    expect(criteriaProblem('demo', ['a', 'x'], lists, { b: '台账规范' })).toMatchObject({
      status: 422,
      reason: expect.stringContaining('台账规范'),
    });
    expect(criteriaProblem('demo', ['a', 'b', 'x'], lists)).toBeNull();
    expect(criteriaProblem('demo', ['a', 'b', 'q'], lists)?.reason).toContain('q');
  });

  it('reviews once a year, between the designation year and now; revoking needs a reason; a revoked point is done', () => {
    const p = { status: 'active' as const, designatedOn: '2024-05-01', reviewedYears: [2025] };
    const today = '2026-11-27';
    expect(reviewProblem(p, { year: 2026, outcome: 'keep' }, today)).toBeNull();
    expect(reviewProblem(p, { year: 2025, outcome: 'keep' }, today)).toMatchObject({ status: 409, field: 'year' });
    expect(reviewProblem(p, { year: 2023, outcome: 'keep' }, today)).toMatchObject({ status: 422, field: 'year' });
    expect(reviewProblem(p, { year: 2027, outcome: 'keep' }, today)).toMatchObject({ status: 422, field: 'year' });
    expect(reviewProblem(p, { year: 2026, outcome: 'revoke', reason: ' ' }, today)).toMatchObject({
      status: 422,
      field: 'reason',
    });
    expect(reviewProblem(p, { year: 2026, outcome: 'revoke', reason: '不再符合条件' }, today)).toBeNull();
    expect(reviewProblem({ ...p, status: 'revoked' }, { year: 2026, outcome: 'keep' }, today)).toMatchObject({
      status: 409,
    });
  });

  it('is due for review when standing, named before this year and not reviewed this year', () => {
    expect(reviewDue({ status: 'active', designatedOn: '2025-03-01', reviewedYears: [] }, '2026-01-10')).toBe(true);
    expect(reviewDue({ status: 'active', designatedOn: '2025-03-01', reviewedYears: [2026] }, '2026-01-10')).toBe(
      false,
    );
    expect(reviewDue({ status: 'active', designatedOn: '2026-01-02', reviewedYears: [] }, '2026-01-10')).toBe(false);
    expect(reviewDue({ status: 'revoked', designatedOn: '2020-01-02', reviewedYears: [] }, '2026-01-10')).toBe(false);
  });
});
