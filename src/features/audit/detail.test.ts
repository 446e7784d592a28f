import { describe, expect, it } from 'vitest';
import { describeDetail, detailText } from './detail.js';

describe("an audit record's detail in words", () => {
  it('names keys, formats values and nests records as "修改前 · 名称"', () => {
    expect(
      describeDetail('account.update', {
        before: { displayName: '张三', disabled: false, roles: ['editor', 'viewer'] },
        after: { displayName: '张三', disabled: true },
        sessionsEnded: 2,
        at: undefined,
      }),
    ).toEqual([
      { label: '修改前 · 姓名', value: '张三' },
      { label: '修改前 · 停用', value: '否' },
      { label: '修改前 · 角色', value: '局业务编辑、局业务查看' },
      { label: '修改后 · 姓名', value: '张三' },
      { label: '修改后 · 停用', value: '是' },
      { label: '结束的会话', value: '2' },
      { label: 'at', value: '空' },
    ]);
  });

  it("names the codes the action's family uses, and shows times on the deployment's clock", () => {
    expect(describeDetail('case.confirm', { kind: 'hidden_member', from: 'open', to: 'confirmed' })).toEqual([
      { label: '类型', value: '隐形党员' },
      { label: '原状态', value: '待核实' },
      { label: '新状态', value: '已确认' },
    ]);
    expect(describeDetail('auth.login', { reason: 'password', lockedHere: false })[0]).toEqual({
      label: '原因',
      value: '密码错误',
    });
    expect(describeDetail('auth.logout', { sessionCreatedAt: '2026-03-05T16:30:05.000Z' })).toEqual([
      { label: '会话开始时间', value: '2026-03-06 00:30:05' },
    ]);
  });

  it('masks whatever looks like an ID number or a mobile number', () => {
    const text = detailText('entity.person_add', { idNumber: '11010519491231002X', phone: '13812345678' });
    expect(text).not.toContain('11010519491231002X');
    expect(text).not.toContain('13812345678');
    expect(text).toContain('身份证号：');
    expect(text).toContain('138****5678');
  });

  it('has no lines for no detail', () => {
    expect(describeDetail('auth.logout', null)).toEqual([]);
  });
});
