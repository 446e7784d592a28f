import { describe, expect, it } from 'vitest';
import { boundKey, checkBinding, isUnitKey, unitRouteAllowed } from './binding.js';
import { checkRoleSet } from './roles.js';

const none = { platformId: null, orgId: null, instructorId: null };

describe('unit and instructor bindings', () => {
  it('names the binding a scoped transaction carries', () => {
    expect(boundKey(['editor'], none)).toBe('');
    expect(boundKey(['unit_staff'], none)).toBe('none:');
    expect(boundKey(['unit_staff'], { ...none, platformId: 7 })).toBe('platform:7');
    expect(boundKey(['unit_staff'], { ...none, orgId: 3 })).toBe('org:3');
    expect(boundKey(['instructor'], { ...none, instructorId: 5 })).toBe('instructor:5');
    expect([
      isUnitKey('platform:7'),
      isUnitKey('org:3'),
      isUnitKey('none:'),
      isUnitKey('instructor:5'),
      isUnitKey(''),
    ]).toEqual([true, true, true, false, false]);
  });

  it('lets a unit account reach its cases, its 待办 and notifications only', () => {
    for (const url of [
      '/api/v1/appeals',
      '/api/v1/appeals/:id',
      '/api/v1/appeals/:id/actions',
      '/api/v1/workbench',
      '/api/v1/notifications/unread-count',
    ])
      expect(unitRouteAllowed(url), url).toBe(true);
    for (const url of [
      '/api/v1/entities',
      '/api/v1/appeals-other',
      '/api/v1/instructors',
      '/api/v1/visits',
      '/api/v1/workbenchx',
    ])
      expect(unitRouteAllowed(url), url).toBe(false);
  });

  it('refuses bindings that do not fit the roles, in Chinese', () => {
    expect(checkBinding(['unit_staff'], { ...none, platformId: 1 })).toBeNull();
    expect(checkBinding(['instructor'], none)).toBeNull();
    expect(checkBinding(['unit_staff'], none)).toMatch(/须绑定/);
    expect(checkBinding(['unit_staff'], { ...none, platformId: 1, orgId: 2 })).toMatch(/只能绑定一个/);
    expect(checkBinding(['viewer'], { ...none, orgId: 2 })).toMatch(/联系点\/行业党委工作人员/);
    expect(checkBinding(['editor'], { ...none, instructorId: 2 })).toMatch(/党建工作指导员/);
    expect(checkRoleSet(['unit_staff', 'viewer'])).toMatch(/不能兼任/);
    expect(checkRoleSet(['unit_staff'])).toBeNull();
  });
});
