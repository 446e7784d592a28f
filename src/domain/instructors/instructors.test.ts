import { describe, expect, it } from 'vitest';
import { assignmentRefusal, endRefusal, guidanceRefusal } from './instructors.js';

const today = '2026-11-27';

describe('instructor assignments', () => {
  it('start today or earlier, by an active instructor', () => {
    expect(assignmentRefusal({ instructorStatus: 'active', startOn: today, today })).toBeNull();
    expect(assignmentRefusal({ instructorStatus: 'active', startOn: '2025-03-01', today })).toBeNull();
    expect(assignmentRefusal({ instructorStatus: 'active', startOn: '2026-11-28', today })).toMatchObject({
      field: 'startOn',
    });
    expect(assignmentRefusal({ instructorStatus: 'inactive', startOn: today, today })).toMatchObject({
      field: 'instructorId',
    });
  });

  it('end once, not before they started and not ahead of today', () => {
    expect(endRefusal({ startOn: '2026-01-01', endOn: null, end: '2026-01-01', today })).toBeNull();
    expect(endRefusal({ startOn: '2026-01-01', endOn: null, end: today, today })).toBeNull();
    expect(endRefusal({ startOn: '2026-01-01', endOn: null, end: '2025-12-31', today })?.message).toContain(
      '2026-01-01',
    );
    expect(endRefusal({ startOn: '2026-01-01', endOn: null, end: '2026-11-28', today })).toMatchObject({
      field: 'endOn',
    });
    expect(endRefusal({ startOn: '2026-01-01', endOn: '2026-05-01', end: today, today })?.message).toContain(
      '已于 2026-05-01 结束',
    );
  });

  it('guidance is logged after it took place', () => {
    expect(guidanceRefusal(today, today)).toBeNull();
    expect(guidanceRefusal('2026-11-28', today)).toMatchObject({ field: 'onDate' });
  });
});
