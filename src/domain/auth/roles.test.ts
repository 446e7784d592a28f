import { describe, expect, it } from 'vitest';
import { ADMIN_DUTIES, ROLE_CODES, checkRoleSet, permissionsOf, requiresTotp } from './roles.js';

describe('三员分立 role rules', () => {
  it('refuses any two administrator duties on one account', () => {
    for (const a of ADMIN_DUTIES)
      for (const b of ADMIN_DUTIES) if (a !== b) expect(checkRoleSet([a, b])).toMatch(/三员分立/);
  });
  it('refuses a duty combined with a business role', () => {
    expect(checkRoleSet(['auditor', 'viewer'])).toMatch(/不能兼任业务角色/);
  });
  it('accepts a single duty, and business roles together', () => {
    for (const d of ADMIN_DUTIES) expect(checkRoleSet([d])).toBeNull();
    expect(checkRoleSet(['editor', 'station_staff'])).toBeNull();
  });
  it('keeps an instructor account to its own work: the role is held alone', () => {
    expect(checkRoleSet(['instructor'])).toBeNull();
    expect(checkRoleSet(['editor', 'instructor'])).toMatch(/党建工作指导员账号只做本人的指导工作/);
  });
  it('refuses unknown, duplicate and empty role sets', () => {
    expect(checkRoleSet(['root'])).toMatch(/未知角色/);
    expect(checkRoleSet(['editor', 'editor'])).toMatch(/重复/);
    expect(checkRoleSet([])).toMatch(/至少/);
  });
  it('keeps the duties apart: no two duties share a power to change anything, and no business role holds a duty permission', () => {
    const duty = ADMIN_DUTIES.map((d) => permissionsOf([d]));
    for (let i = 0; i < duty.length; i++)
      for (let j = i + 1; j < duty.length; j++) {
        expect([...duty[i]].filter((p) => duty[j].has(p) && !p.endsWith('.read'))).toEqual([]);
      }
    const business = permissionsOf(ROLE_CODES.filter((r) => !ADMIN_DUTIES.includes(r)));
    for (const p of ['accounts.manage', 'accounts.grant_duties', 'audit.read', 'settings.security'] as const)
      expect(business.has(p)).toBe(false);
  });
  it('gives no duty any business data: the system administrator reaches accounts and the tree, not the ledger', () => {
    for (const d of ADMIN_DUTIES) {
      const held = permissionsOf([d]);
      for (const p of [
        'data.read',
        'data.write',
        'personal.reveal',
        'guidance.write',
        'units.read',
        'units.manage',
        'jurisdiction.manage',
      ] as const)
        expect(held.has(p), `${d} ${p}`).toBe(false);
    }
    // Credentials: only the security administrator issues a business one-time password; nobody's API reaches a duty's.
    expect(ROLE_CODES.filter((r) => permissionsOf([r]).has('accounts.reset'))).toEqual(['secadmin']);
  });
  it('asks a second factor of duty holders always, of others only when the deployment says so', () => {
    expect(requiresTotp(['auditor'], false)).toBe(true);
    expect(requiresTotp(['editor'], false)).toBe(false);
    expect(requiresTotp(['editor'], true)).toBe(true);
  });
});
