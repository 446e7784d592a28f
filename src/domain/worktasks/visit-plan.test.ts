import { describe, expect, it } from 'vitest';
import { noVisitNeeded, planProgress, stillPlanned } from './visit-plan.js';

describe("a visit plan's progress", () => {
  it('counts the entities still to visit or visited; one gone before its visit needs none', () => {
    expect(stillPlanned({ status: 'active', visited: false })).toBe(true);
    expect(stillPlanned({ status: 'deregistered', visited: true })).toBe(true);
    expect(stillPlanned({ status: 'revoked', visited: false })).toBe(false);
    expect(
      planProgress([
        { id: 1, name: '甲', status: 'active', visited: true },
        { id: 2, name: '乙', status: 'active', visited: false },
        { id: 3, name: '丙', status: 'deregistered', visited: false },
        { id: 4, name: '丁', status: 'moved_out', visited: true },
      ]),
    ).toEqual({ planned: 3, visited: 2, noVisit: [{ entityId: 3, name: '丙', note: '已注销，无需走访' }] });
    expect(noVisitNeeded('revoked')).toBe('已吊销，无需走访');
    expect(noVisitNeeded('moved_out')).toBe('已迁出，无需走访');
  });
});
