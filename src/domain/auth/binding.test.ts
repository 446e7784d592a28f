import { describe, expect, it } from 'vitest';
import { boundInstructorOf, boundKey, checkBinding, isUnitKey, routeAllowed } from './binding.js';
import { checkRoleSet } from './roles.js';

const none = { platformId: null, orgId: null, instructorId: null };

describe('unit and instructor bindings', () => {
  it('names the binding a scoped transaction carries', () => {
    expect(boundKey(['editor'], none)).toBe('');
    expect(boundKey(['unit_staff'], none)).toBe('none:');
    expect(boundKey(['unit_staff'], { ...none, platformId: 7 })).toBe('platform:7');
    expect(boundKey(['unit_staff'], { ...none, orgId: 3 })).toBe('org:3');
    expect(boundKey(['instructor'], { ...none, instructorId: 5 })).toBe('instructor:5');
    // An instructor account is narrowed before it is bound: it sees no one's work.
    expect(boundKey(['instructor'], none)).toBe('instructor:');
    expect([boundInstructorOf('instructor:5'), boundInstructorOf('instructor:'), boundInstructorOf('')]).toEqual([
      5,
      null,
      null,
    ]);
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
      expect(routeAllowed('platform:7', url), url).toBe(true);
    for (const url of [
      '/api/v1/entities',
      '/api/v1/appeals-other',
      '/api/v1/instructors',
      '/api/v1/visits',
      '/api/v1/workbenchx',
    ])
      expect(routeAllowed('platform:7', url), url).toBe(false);
  });

  it("lets an instructor account reach its own work only: not the county's roster, cases, appeals, exports or figures", () => {
    for (const key of ['instructor:5', 'instructor:'])
      for (const url of [
        '/api/v1/instructors/mine',
        '/api/v1/guidance-records',
        '/api/v1/guidance-records/:id',
        '/api/v1/entities',
        '/api/v1/entities/:id',
        '/api/v1/orgs/:id',
        '/api/v1/attachments/:ownerType/:ownerId',
        '/api/v1/attachments/:id/file',
        '/api/v1/workbench',
        '/api/v1/notifications/unread-count',
        '/api/v1/dictionaries',
      ])
        expect(routeAllowed(key, url), `${key} ${url}`).toBe(true);
    for (const url of [
      '/api/v1/members',
      '/api/v1/members/:id',
      '/api/v1/cases',
      '/api/v1/appeals',
      '/api/v1/appeals/:id',
      '/api/v1/entities/export',
      '/api/v1/entities/summary',
      '/api/v1/entities/:id/records',
      '/api/v1/guidance-records/export',
      '/api/v1/instructors',
      '/api/v1/instructors/:id',
      '/api/v1/imports',
      '/api/v1/dashboard',
      '/api/v1/reports',
      '/api/v1/settings',
      '/api/v1/audit',
    ])
      expect(routeAllowed('instructor:5', url), url).toBe(false);
    // Ordinary accounts are not narrowed here (their permissions and scope still apply).
    expect(routeAllowed('', '/api/v1/members')).toBe(true);
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
