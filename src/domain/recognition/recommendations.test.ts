import { describe, expect, it } from 'vitest';
import { decisionProblem, recommendedLevel } from './recommendations.js';

describe('point recommendations', () => {
  it('go to the level directly above', () => {
    expect(['station', 'county', 'city', 'province', 'nation'].map(recommendedLevel)).toEqual([
      'county',
      'city',
      'province',
      null,
      null,
    ]);
  });
  it('are decided once, with a reason unless selected', () => {
    expect(decisionProblem('pending', 'select', undefined)).toBeNull();
    expect(decisionProblem('pending', 'return', ' ')).toMatchObject({ status: 422, field: 'reason' });
    expect(decisionProblem('pending', 'reject', '条件不足')).toBeNull();
    expect(decisionProblem('selected', 'reject', '改变主意')).toMatchObject({ status: 409 });
    expect(decisionProblem('returned', 'select', undefined)).toMatchObject({ status: 409 });
  });
});
