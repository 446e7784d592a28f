import { describe, expect, it } from 'vitest';
import { INDICATORS, emptyCounts, toCounts } from '../indicators/registry.js';
import { CHECKS, runChecks } from './checks.js';
import { FORMS, dueOn, headerGroups, periodLabel, periodOfDate, periodProblem, periodRange } from './forms.js';
import { reportActions, reportTransition } from './workflow.js';

describe('report forms', () => {
  it('take every column from the registry and group the header by the registry groups, in order', () => {
    for (const f of Object.values(FORMS)) {
      for (const k of f.columns) expect(INDICATORS[k], k).toBeDefined();
      expect(headerGroups(f).flatMap((g) => g.columns)).toEqual([...f.columns]);
    }
    const groups = headerGroups(FORMS.xgz_core);
    expect(groups[0]).toMatchObject({
      label: '市场主体',
      columns: ['operating', 'kindEnterprise', 'kindIndividual', 'kindCooperative', 'newEntities'],
    });
    expect(groups.find((g) => g.group === 'training')).toMatchObject({
      label: '书记培训',
      columns: ['secretaries', 'secretariesTrained', 'trainingCompletion'],
    });
    // The sections the seed's own figures use, each a group of the registry once.
    expect(groups.map((g) => g.label)).toEqual(
      expect.arrayContaining(['工作机构', '新业态新就业群体', '共青团', '帮扶', '诉求与走访']),
    );
    expect(new Set(groups.map((g) => g.group)).size).toBe(groups.length);
  });

  it('know their periods: ranges, due dates, labels, and refuse malformed or future ones', () => {
    expect(periodRange('quarter', '2026-Q1')).toEqual({ start: '2026-01-01', end: '2026-03-31' });
    expect(periodRange('quarter', '2026-Q4')).toEqual({ start: '2026-10-01', end: '2026-12-31' });
    expect(periodRange('year', '2025')).toEqual({ start: '2025-01-01', end: '2025-12-31' });
    expect(periodRange('quarter', '2026-Q5')).toBeNull();
    expect(dueOn(FORMS.xgz_core, '2026-Q1')).toBe('2026-04-15');
    expect(dueOn(FORMS.xgz_core, '2026-Q4')).toBe('2027-01-15');
    expect(periodOfDate('quarter', '2026-11-27')).toBe('2026-Q4');
    expect(periodLabel('quarter', '2026-Q3')).toBe('2026年第3季度');
    expect(periodProblem(FORMS.xgz_core, '2026-3', '2026-11-27')).toMatch(/YYYY-Qn/);
    expect(periodProblem(FORMS.xgz_core, '2027-Q1', '2026-11-27')).toMatch(/尚未开始/);
    expect(periodProblem(FORMS.xgz_core, '2026-Q4', '2026-11-27')).toBeNull();
  });
});

describe('consistency checks', () => {
  const good = toCounts({
    operating: 10,
    kindEnterprise: 4,
    kindIndividual: 6,
    anyOrg: 3,
    ownOrg: 2,
    work: 5,
    withMembers: 4,
    membersAnyOrg: 2,
    orgsEstablished: 2,
    orgsBranch: 2,
    modeStandalone: 1,
    modeZone: 1,
    secretaries: 2,
    secretariesTrained: 1,
  });

  it('pass consistent figures, and an empty row', () => {
    expect(
      runChecks([
        { name: '甲区', counts: good },
        { name: '乙区', counts: emptyCounts() },
      ]),
    ).toEqual([]);
  });

  it('explain each failure in Chinese, naming the row and the figures', () => {
    const bad = { ...good, anyOrg: 12, work: 12, kindCooperative: 1, modeJoint: 1, secretariesTrained: 3 };
    const f = runChecks([{ name: '甲区', counts: bad }]);
    expect(f.map((x) => x.code).sort()).toEqual([
      'kinds_add_up',
      'org_le_entities',
      'org_modes_add_up',
      'trained_le_secretaries',
    ]);
    expect(f.find((x) => x.code === 'org_le_entities')!.message).toBe('甲区：党组织覆盖的主体（12）多于存续主体（10）');
    expect(f.find((x) => x.code === 'org_modes_add_up')!.message).toMatch(/^甲区：.*合计 3，与已建党组织（2）不符$/);
    expect(new Set(CHECKS.map((c) => c.code)).size).toBe(CHECKS.length);
  });
});

describe('the report workflow', () => {
  const failure = { code: 'org_le_entities', label: '党组织覆盖的主体不超过存续主体', row: '甲区', message: '甲区：…' };

  it('goes prepare → submit → return → resubmit', () => {
    expect(reportTransition(null, 'prepare', 'own')).toEqual({ ok: true, to: 'draft' });
    expect(reportTransition('draft', 'annotate', 'own')).toEqual({ ok: true, to: 'draft' });
    expect(reportTransition('draft', 'submit', 'own')).toEqual({ ok: true, to: 'submitted' });
    expect(reportTransition('submitted', 'return', 'above', { reason: '数字有误' })).toEqual({
      ok: true,
      to: 'returned',
    });
    expect(reportTransition('returned', 'annotate', 'own')).toEqual({ ok: true, to: 'returned' });
    expect(reportTransition('returned', 'prepare', 'own')).toEqual({ ok: true, to: 'draft' });
    expect(reportTransition('returned', 'submit', 'own')).toEqual({ ok: true, to: 'submitted' });
  });

  it('refuses illegal moves: 409 for the state, 403 for the wrong level, 422 for a missing reason', () => {
    expect(reportTransition('submitted', 'prepare', 'own')).toMatchObject({
      ok: false,
      status: 409,
      // The clerk is told how to correct it, not only that it cannot be done.
      reason: '报表已上报，不能生成报表；如需更正，请直接上级退回后重新生成、上报',
    });
    expect(reportTransition('submitted', 'annotate', 'own')).toMatchObject({ ok: false, status: 409 });
    expect(reportTransition('draft', 'return', 'above', { reason: 'x' })).toMatchObject({ ok: false, status: 409 });
    expect(reportTransition(null, 'submit', 'own')).toMatchObject({ ok: false, status: 409, reason: '尚未生成报表' });
    expect(reportTransition('submitted', 'return', 'own', { reason: 'x' })).toMatchObject({ ok: false, status: 403 });
    expect(reportTransition('draft', 'submit', 'above')).toMatchObject({ ok: false, status: 403 });
    expect(reportTransition('submitted', 'return', 'above', { reason: '  ' })).toMatchObject({
      ok: false,
      status: 422,
      field: 'reason',
    });
  });

  it('refuses a submission with failed checks unless the preparer explains them', () => {
    const refused = reportTransition('draft', 'submit', 'own', { failures: [failure] });
    expect(refused).toMatchObject({ ok: false, status: 422, field: 'acknowledgement', failures: [failure] });
    expect(!refused.ok && refused.reason).toMatch(/^未通过审核：党组织覆盖的主体不超过存续主体。/);
    expect(
      reportTransition('draft', 'submit', 'own', {
        failures: [failure],
        acknowledgement: '快照早于组织关系整理，已核实',
      }),
    ).toEqual({ ok: true, to: 'submitted' });
  });

  it('lists what each level may do', () => {
    expect(reportActions('draft', 'own')).toEqual(['prepare', 'annotate', 'submit']);
    expect(reportActions('submitted', 'own')).toEqual([]);
    expect(reportActions('submitted', 'above')).toEqual(['return', 'accept']);
    // Accepted once, or outdated by a child's later version (its own level consolidates again first): returned only.
    expect(reportActions('submitted', 'above', false, true)).toEqual(['return']);
    expect(reportActions('submitted', 'above', true)).toEqual(['return']);
    expect(reportActions('returned', 'above')).toEqual([]);
  });

  it('lets only the level above mark a submitted version 审核通过, once', () => {
    expect(reportTransition('submitted', 'accept', 'above')).toEqual({ ok: true, to: 'submitted' });
    expect(reportTransition('submitted', 'accept', 'own')).toMatchObject({ ok: false, status: 403 });
    expect(reportTransition('draft', 'accept', 'above')).toMatchObject({ ok: false, status: 409 });
    expect(reportTransition('returned', 'accept', 'above')).toMatchObject({ ok: false, status: 409 });
    expect(reportTransition('submitted', 'accept', 'above', { accepted: true })).toMatchObject({
      ok: false,
      status: 409,
      reason: '该版本已审核通过',
    });
    expect(reportTransition('submitted', 'accept', 'above', { outdated: true })).toMatchObject({
      ok: false,
      status: 409,
    });
  });
});
