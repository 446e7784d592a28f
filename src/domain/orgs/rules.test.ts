import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ruleSettings } from '../settings/settings.js';
import {
  BRANCH_COMMITTEE_MAX_SEATS,
  OFFICER_ROLE_LABEL,
  ORG_KIND_LABEL,
  SETUP_MODE_LABEL,
  addMonths,
  checkJointGroup,
  checkOrg,
  leadershipForm,
  mustStandalone,
  orgKindFor,
  termDue,
  termEnd,
  type OrgForCheck,
} from './rules.js';

const S = ruleSettings.parse({});
const TODAY = '2025-06-15';
const rules = (findings: { rule: string }[]) => findings.map((f) => f.rule);

/** A unit with `full` full and `prob` probationary members. */
const unit = (full: number, prob = 0) => ({ fullMembers: full, members: full + prob });
const org = (over: Partial<OrgForCheck> = {}): OrgForCheck => ({
  kind: 'branch',
  setupMode: 'standalone',
  units: 1,
  fullMembers: 5,
  officers: [],
  ...over,
});
const sec = (fullSince: string | null = '2020-01-01') => ({ role: 'secretary' as const, fullSince });
const officers = (role: 'deputy' | 'committee', n: number) =>
  Array.from({ length: n }, () => ({ role, fullSince: '2020-01-01' }));

describe('defaults and labels', () => {
  it('reads the thresholds from the rule settings', () => {
    expect(S).toEqual({
      standaloneMinFullMembers: 3,
      jointBranchMaxUnits: 5,
      branchMaxMembers: 50,
      generalBranchMaxMembers: 100,
      branchCommitteeMinFullMembers: 7,
      branchTermYears: 3,
      termReminderMonths: 6,
      secretaryMinFullYears: 1,
    });
  });
  it('labels kinds, setup modes and officer roles in Chinese', () => {
    expect(ORG_KIND_LABEL).toEqual({
      committee: '党委',
      general_branch: '党总支',
      branch: '党支部',
      joint_branch: '联合党支部',
    });
    expect(SETUP_MODE_LABEL.standalone).toBe('单独建');
    expect(SETUP_MODE_LABEL.joint).toBe('联合建');
    expect(SETUP_MODE_LABEL.affiliated).toBe('挂靠建');
    expect(SETUP_MODE_LABEL.industry).toBe('依托行业或产业链龙头企业');
    expect(SETUP_MODE_LABEL.station).toBe('依托基层所或个私协会');
    expect(SETUP_MODE_LABEL.zone).toBe('依托专业市场、商圈、楼宇、园区');
    expect(OFFICER_ROLE_LABEL).toEqual({ secretary: '书记', deputy: '副书记', committee: '委员' });
  });
});

describe('standalone, kind and leadership thresholds (full members only)', () => {
  it('must stand alone from 3 full members, not at 2', () => {
    expect(mustStandalone(2, S)).toBe(false);
    expect(mustStandalone(3, S)).toBe(true);
    expect(mustStandalone(0, S)).toBe(false);
  });
  it('does not count probationary members: 2 full + 3 probationary is not standalone', () => {
    const u = unit(2, 3);
    expect(u.members).toBe(5);
    expect(mustStandalone(u.fullMembers, S)).toBe(false);
  });
  it('chooses branch up to 50, general branch up to 100, committee above', () => {
    expect(orgKindFor(1, S)).toBe('branch');
    expect(orgKindFor(50, S)).toBe('branch');
    expect(orgKindFor(51, S)).toBe('general_branch');
    expect(orgKindFor(100, S)).toBe('general_branch');
    expect(orgKindFor(101, S)).toBe('committee');
  });
  it('sets up a branch committee from 7 full members, only a secretary at 6', () => {
    expect(leadershipForm(6, S)).toBe('secretary');
    expect(leadershipForm(7, S)).toBe('committee');
  });
  it('follows a province that sets other thresholds', () => {
    const p = ruleSettings.parse({
      standaloneMinFullMembers: 5,
      branchMaxMembers: 30,
      generalBranchMaxMembers: 60,
      branchCommitteeMinFullMembers: 9,
    });
    expect([mustStandalone(4, p), mustStandalone(5, p)]).toEqual([false, true]);
    expect([orgKindFor(30, p), orgKindFor(31, p), orgKindFor(60, p), orgKindFor(61, p)]).toEqual([
      'branch',
      'general_branch',
      'general_branch',
      'committee',
    ]);
    expect([leadershipForm(8, p), leadershipForm(9, p)]).toEqual(['secretary', 'committee']);
  });
  it('orders the kinds monotonically in the number of full members', () => {
    const rank = { branch: 0, general_branch: 1, committee: 2 };
    fc.assert(
      fc.property(fc.nat(500), fc.nat(500), (a, b) =>
        a <= b ? rank[orgKindFor(a, S)] <= rank[orgKindFor(b, S)] : true,
      ),
    );
  });
});

describe('checkJointGroup', () => {
  it('accepts 3 full members over 2 units, and 5 units', () => {
    expect(checkJointGroup([unit(2), unit(1)], S)).toEqual([]);
    expect(checkJointGroup([unit(1), unit(1), unit(1), unit(0, 1), unit(0, 2)], S)).toEqual([]);
  });
  it('refuses 6 units', () => {
    const f = checkJointGroup([unit(1), unit(1), unit(1), unit(0, 1), unit(0, 1), unit(0, 1)], S);
    expect(f).toEqual([
      { rule: 'joint_max_units', severity: 'refuse', message: '联合党支部涉及 6 家单位，一般不超过 5 家' },
    ]);
  });
  it('refuses fewer than 3 full members, however many probationary', () => {
    const f = checkJointGroup([unit(1, 3), unit(1, 3)], S);
    expect(f).toEqual([
      { rule: 'joint_min_full', severity: 'refuse', message: '各单位正式党员合计 2 名，不足 3 名，不能组建联合党支部' },
    ]);
    expect(rules(checkJointGroup([], S))).toEqual(['joint_min_full']);
  });
  it('accepts 50 full members and refuses 51', () => {
    expect(checkJointGroup([unit(25), unit(25)], S)).toEqual([]);
    const f = checkJointGroup([unit(25), unit(26)], S);
    expect(rules(f)).toEqual(['joint_max_full']);
    expect(f[0].message).toContain('51');
    expect(f[0].message).toContain('50');
  });
  it('reports every broken rule at once', () => {
    expect(
      rules(
        checkJointGroup(
          Array.from({ length: 6 }, () => unit(0, 1)),
          S,
        ),
      ),
    ).toEqual(['joint_max_units', 'joint_min_full']);
  });
});

describe('checkOrg', () => {
  it('finds nothing wrong with an ordinary branch', () => {
    expect(checkOrg(org({ officers: [sec(), ...officers('deputy', 1)] }), S, TODAY)).toEqual([]);
  });
  it('refuses a joint branch over 6 units, accepts 5', () => {
    expect(checkOrg(org({ kind: 'joint_branch', setupMode: 'joint', units: 5 }), S, TODAY)).toEqual([]);
    const f = checkOrg(org({ kind: 'joint_branch', setupMode: 'joint', units: 6 }), S, TODAY);
    expect(f).toEqual([
      { rule: 'joint_max_units', severity: 'refuse', message: '联合党支部覆盖 6 家单位，一般不超过 5 家' },
    ]);
  });
  it('does not apply the unit cap to other kinds', () => {
    expect(checkOrg(org({ kind: 'branch', setupMode: 'zone', units: 8 }), S, TODAY)).toEqual([]);
  });
  it('warns a branch or joint branch above 50 full members to become a general branch', () => {
    expect(checkOrg(org({ fullMembers: 50 }), S, TODAY)).toEqual([]);
    const f = checkOrg(org({ fullMembers: 51 }), S, TODAY);
    expect(f).toEqual([
      { rule: 'branch_max_members', severity: 'warn', message: '党支部正式党员 51 名，超过 50 名，应调整为党总支' },
    ]);
    expect(
      rules(checkOrg(org({ kind: 'joint_branch', setupMode: 'joint', units: 3, fullMembers: 51 }), S, TODAY)),
    ).toEqual(['branch_max_members']);
  });
  it('warns a general branch above 100 full members to become a committee', () => {
    expect(checkOrg(org({ kind: 'general_branch', fullMembers: 100 }), S, TODAY)).toEqual([]);
    const f = checkOrg(org({ kind: 'general_branch', fullMembers: 101 }), S, TODAY);
    expect(f).toEqual([
      {
        rule: 'general_branch_max_members',
        severity: 'warn',
        message: '党总支正式党员 101 名，超过 100 名，应调整为基层党委',
      },
    ]);
  });
  it('refuses committee members with 6 full members, accepts them with 7', () => {
    const withCommittee = [sec(), ...officers('committee', 2)];
    expect(checkOrg(org({ fullMembers: 7, officers: withCommittee }), S, TODAY)).toEqual([]);
    const f = checkOrg(org({ fullMembers: 6, officers: withCommittee }), S, TODAY);
    expect(rules(f)).toEqual(['committee_min_full']);
    expect(f[0].severity).toBe('refuse');
    expect(f[0].message).toContain('不足 7 名正式党员不设支部委员会');
  });
  it('allows a secretary and deputy below 7 full members', () => {
    expect(checkOrg(org({ fullMembers: 3, officers: [sec(), ...officers('deputy', 1)] }), S, TODAY)).toEqual([]);
  });
  it('warns a branch committee of more than 7 seats', () => {
    const seven = [sec(), ...officers('deputy', 1), ...officers('committee', 5)];
    expect(seven).toHaveLength(BRANCH_COMMITTEE_MAX_SEATS);
    expect(checkOrg(org({ fullMembers: 30, officers: seven }), S, TODAY)).toEqual([]);
    const f = checkOrg(org({ fullMembers: 30, officers: [...seven, ...officers('committee', 1)] }), S, TODAY);
    expect(f).toEqual([{ rule: 'committee_max_seats', severity: 'warn', message: '支部委员会 8 人，一般不超过 7 人' }]);
  });
  it('does not cap the committee seats of a party committee', () => {
    expect(
      checkOrg(org({ kind: 'committee', fullMembers: 150, officers: [sec(), ...officers('committee', 8)] }), S, TODAY),
    ).toEqual([]);
  });
  it('refuses two secretaries', () => {
    const f = checkOrg(org({ officers: [sec(), sec()] }), S, TODAY);
    expect(f).toEqual([{ rule: 'single_secretary', severity: 'refuse', message: '设有 2 名书记，只能设 1 名书记' }]);
  });
  it('warns a secretary with less than a year of full membership, counting to the day', () => {
    expect(checkOrg(org({ officers: [sec('2024-06-15')] }), S, TODAY)).toEqual([]);
    const f = checkOrg(org({ officers: [sec('2024-06-16')] }), S, TODAY);
    expect(f).toEqual([
      {
        rule: 'secretary_full_years',
        severity: 'warn',
        message: '书记 2024-06-16 转为正式党员，至今正式党龄不满 1 年',
      },
    ]);
  });
  it('warns when the secretary has no recorded full-membership date', () => {
    expect(rules(checkOrg(org({ officers: [sec(null)] }), S, TODAY))).toEqual(['secretary_full_since_unknown']);
  });
  it('does not check the full-membership date of deputies and committee members', () => {
    const recent = [
      { role: 'deputy' as const, fullSince: '2025-06-01' },
      { role: 'committee' as const, fullSince: null },
    ];
    expect(checkOrg(org({ fullMembers: 9, officers: [sec(), ...recent] }), S, TODAY)).toEqual([]);
  });
  it('warns a standalone organization below 3 full members, not a joint one', () => {
    expect(checkOrg(org({ fullMembers: 3 }), S, TODAY)).toEqual([]);
    const f = checkOrg(org({ fullMembers: 2 }), S, TODAY);
    expect(f).toEqual([
      {
        rule: 'standalone_min_full',
        severity: 'warn',
        message: '单独建的党支部正式党员 2 名，不足 3 名，宜改为联合建或挂靠建',
      },
    ]);
    expect(checkOrg(org({ kind: 'joint_branch', setupMode: 'joint', units: 2, fullMembers: 2 }), S, TODAY)).toEqual([]);
  });
  it('lists several findings together, refusals alongside warnings', () => {
    const bad = org({
      kind: 'joint_branch',
      setupMode: 'joint',
      units: 6,
      fullMembers: 4,
      officers: [sec('2025-01-01'), sec(), ...officers('committee', 1)],
    });
    expect(rules(checkOrg(bad, S, TODAY))).toEqual([
      'joint_max_units',
      'committee_min_full',
      'single_secretary',
      'secretary_full_years',
    ]);
  });
  it('writes every message in Chinese', () => {
    const bad = org({
      kind: 'joint_branch',
      setupMode: 'standalone',
      units: 9,
      fullMembers: 60,
      officers: [sec(null), sec('2025-06-01'), ...officers('committee', 7)],
    });
    const f = checkOrg(bad, S, TODAY);
    expect(f.length).toBeGreaterThan(3);
    for (const x of f) expect(x.message).toMatch(/[\u4e00-\u9fff]/);
  });
});

describe('terms and reminders (换届提醒)', () => {
  it('ends a term 3 years after it starts', () => {
    expect(termEnd('2022-03-10', S)).toBe('2025-03-10');
    expect(termEnd('2023-12-31', S)).toBe('2026-12-31');
    expect(termEnd('2022-03-10', ruleSettings.parse({ branchTermYears: 5 }))).toBe('2027-03-10');
  });
  it('clamps a 29 February start to 28 February', () => {
    expect(termEnd('2024-02-29', S)).toBe('2027-02-28');
    expect(termEnd('2024-02-29', ruleSettings.parse({ branchTermYears: 4 }))).toBe('2028-02-29');
  });
  it('is overdue the day after the term ends, due on the end day and within 6 months, quiet before', () => {
    expect(termDue('2025-06-14', TODAY, S)).toBe('overdue');
    expect(termDue('2025-06-15', TODAY, S)).toBe('due');
    expect(termDue('2025-12-15', TODAY, S)).toBe('due');
    expect(termDue('2025-12-16', TODAY, S)).toBeNull();
    expect(termDue('2028-01-01', TODAY, S)).toBeNull();
  });
  it('follows the configured reminder window', () => {
    const p = ruleSettings.parse({ termReminderMonths: 1 });
    expect(termDue('2025-07-15', TODAY, p)).toBe('due');
    expect(termDue('2025-07-16', TODAY, p)).toBeNull();
  });
  it('reminds across a month end and a year end', () => {
    expect(termDue('2026-02-28', '2025-08-31', S)).toBe('due');
    expect(termDue('2026-03-01', '2025-08-31', S)).toBeNull();
  });
  it('is due exactly when the end falls in [today, today + window] and overdue before', () => {
    const day = fc
      .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2040-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(day, day, (end, today) => {
        const due = termDue(end, today, S);
        if (end < today) return due === 'overdue';
        return (due === 'due') === end <= addMonths(today, 6) && due !== 'overdue';
      }),
    );
  });
  it('refuses malformed dates', () => {
    expect(() => termEnd('2025-13-01', S)).toThrow(/YYYY-MM-DD/);
    expect(() => termDue('2025-02-30', TODAY, S)).toThrow(/YYYY-MM-DD/);
    expect(() => termDue('2025-01-01', '15/06/2025', S)).toThrow(/YYYY-MM-DD/);
  });
  it('adds months on the calendar', () => {
    expect(addMonths('2025-01-31', 1)).toBe('2025-02-28');
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2025-03-31', -1)).toBe('2025-02-28');
    expect(addMonths('2025-11-15', 2)).toBe('2026-01-15');
    expect(addMonths('2025-01-15', -1)).toBe('2024-12-15');
  });
});

describe('the organization lifecycle', () => {
  it('moves forward only', async () => {
    const { ORG_NEXT, statusChangeProblem } = await import('./lifecycle.js');
    expect(ORG_NEXT.preparing).toEqual(['established', 'dissolved']);
    expect(statusChangeProblem('preparing', 'established')).toBeNull();
    expect(statusChangeProblem('established', 'established')).toBeNull();
    expect(statusChangeProblem('established', 'dissolved')).toBeNull();
    expect(statusChangeProblem('established', 'preparing')).toBe('已建组织不能退回筹建');
    expect(statusChangeProblem('dissolved', 'established')).toBe('已撤销的组织不能恢复，请新建组织');
    expect(statusChangeProblem('dissolved', 'preparing')).toBe('已撤销的组织不能恢复，请新建组织');
  });
});
