import { describe, expect, it } from 'vitest';
import {
  boardByArea,
  boardStatus,
  checkFigures,
  countBoard,
  isLate,
  judgedAt,
  reachable,
  reminderDue,
  toldOfChange,
  transition,
} from './rules.js';

const DAY = 86_400_000;
const due = new Date('2026-06-30T15:59:59Z');

describe('target transitions', () => {
  it('receives once, replies to tasks only, again only after a return', () => {
    expect(transition('task', 'pending', 'receive')).toEqual({ ok: true, to: 'received' });
    expect(transition('task', 'received', 'receive').ok).toBe(false);
    expect(transition('task', 'pending', 'reply')).toEqual({ ok: true, to: 'replied' });
    expect(transition('task', 'replied', 'reply').ok).toBe(false);
    expect(transition('task', 'returned', 'reply')).toEqual({ ok: true, to: 'replied' });
    expect(transition('notice', 'received', 'reply').ok).toBe(false);
  });
  it('returns a standing reply only, and only with a reason', () => {
    expect(transition('task', 'replied', 'return', '请补充')).toEqual({ ok: true, to: 'returned' });
    expect(transition('task', 'replied', 'return', '  ').ok).toBe(false);
    expect(transition('task', 'received', 'return', '原因').ok).toBe(false);
    expect(transition('notice', 'received', 'return', '原因').ok).toBe(false);
  });
  it('the issuer accepts a standing reply once; an accepted reply is not returned afterwards', () => {
    expect(transition('task', 'replied', 'accept')).toEqual({ ok: true, to: 'replied' });
    expect(transition('task', 'replied', 'accept', null, true)).toEqual({ ok: false, reason: '回复已采纳' });
    expect(transition('task', 'received', 'accept').ok).toBe(false);
    expect(transition('task', 'returned', 'accept').ok).toBe(false);
    expect(transition('notice', 'received', 'accept').ok).toBe(false);
    expect(transition('task', 'replied', 'return', '请补充', true)).toEqual({
      ok: false,
      reason: '回复已采纳，不能再退回',
    });
  });
});

describe('the board', () => {
  it('counts each target in exactly one tile, overdue moving with the clock', () => {
    const targets = [
      { state: 'pending' as const, late: false },
      { state: 'received' as const, late: false },
      { state: 'replied' as const, late: true },
      { state: 'returned' as const, late: false },
    ];
    const before = countBoard('task', true, due, new Date(due.getTime() - DAY), targets);
    expect(before).toEqual({ total: 4, pending: 1, received: 1, done: 1, returned: 1, overdue: 0, late: 1 });
    const after = countBoard('task', true, due, new Date(due.getTime() + 1), targets);
    expect(after).toEqual({ total: 4, pending: 0, received: 0, done: 1, returned: 0, overdue: 3, late: 1 });
  });
  it('judges a called-off task as it stood when closed: no 逾期 for a deadline that passed after the close', () => {
    const closed = new Date(due.getTime() - DAY);
    const later = new Date(due.getTime() + DAY);
    expect(boardStatus('task', 'pending', true, due, judgedAt(closed, later))).toBe('pending');
    expect(boardStatus('task', 'pending', true, due, judgedAt(null, later))).toBe('overdue');
    // Closed after the deadline: overdue it was.
    expect(boardStatus('task', 'received', true, due, judgedAt(later, new Date(later.getTime() + DAY)))).toBe(
      'overdue',
    );
    expect(judgedAt(later, closed)).toBe(closed);
  });
  it("groups the targets by the issuer's child that holds them, the most behind first", () => {
    const areas = [
      { code: '320102', name: '玄武区', scopeKey: '320102' },
      { code: '320104', name: '秦淮区', scopeKey: '320104' },
      { code: '320105', name: '建邺区', scopeKey: '320105' },
    ];
    const sub = { total: 3, pending: 1, received: 0, done: 2, returned: 0, overdue: 0, late: 0 };
    let id = 0;
    const t = (scopeKey: string, status: 'done' | 'overdue' | 'pending', passedDown = [] as (typeof sub)[]) => ({
      id: ++id,
      scopeKey,
      status,
      late: false,
      passedDown,
    });
    const got = boardByArea(areas, [
      t('320102001', 'done'),
      t('320102002', 'done'),
      t('320104', 'pending', [sub, sub]),
      t('320104001', 'done'),
      t('320199001', 'overdue'), // under no listed area: left out
    ]);
    expect(got.map((g) => g.area.name)).toEqual(['秦淮区', '玄武区']);
    expect(got[0].counts).toMatchObject({ total: 2, done: 1, pending: 1 });
    expect(got[0].targetIds).toEqual([3, 4]);
    expect(got[0].passedDown).toMatchObject({ total: 6, done: 4, pending: 2 });
    expect(got[1].counts).toMatchObject({ total: 2, done: 2 });
    expect(got[1].passedDown).toBeNull();
    // Equal shares: the one with more overdue comes first.
    const tie = boardByArea(areas, [t('320102001', 'pending'), t('320105001', 'overdue')]);
    expect(tie.map((g) => g.area.code)).toEqual(['320105', '320102']);
  });
  it('a notice is done when received, or when delivered if no receipt is asked', () => {
    expect(boardStatus('notice', 'pending', true, null, new Date())).toBe('pending');
    expect(boardStatus('notice', 'received', true, null, new Date())).toBe('done');
    expect(boardStatus('notice', 'pending', false, null, new Date())).toBe('done');
  });
  it('marks replies after the deadline late', () => {
    expect(isLate(due, new Date(due.getTime() + 1))).toBe(true);
    expect(isLate(due, due)).toBe(false);
    expect(isLate(null, new Date())).toBe(false);
  });
});

describe('reminders and reach', () => {
  it('reminds once within the window before the deadline, never when done or past it', () => {
    expect(reminderDue(due, 3, new Date(due.getTime() - 2 * DAY), false, false)).toBe(true);
    expect(reminderDue(due, 3, new Date(due.getTime() - 4 * DAY), false, false)).toBe(false);
    expect(reminderDue(due, 3, new Date(due.getTime() - 2 * DAY), false, true)).toBe(false);
    expect(reminderDue(due, 3, new Date(due.getTime() - 2 * DAY), true, false)).toBe(false);
    expect(reminderDue(due, 3, new Date(due.getTime() + 1), false, false)).toBe(false);
  });
  it('reaches only nodes strictly below the issuer', () => {
    expect(reachable('3201', '320102')).toBe(true);
    expect(reachable('320102', '320102001')).toBe(true);
    expect(reachable('320102', '320102')).toBe(false);
    expect(reachable('320102', '320104001')).toBe(false);
    expect(reachable('', '32')).toBe(true);
  });
  it('asks every figure of a task, as a number ≥ 0, and nothing else', () => {
    const asked = [{ key: 'visited', label: '走访站点数' }];
    expect(checkFigures(asked, { visited: 3 })).toBeNull();
    expect(checkFigures(asked, {})).toContain('走访站点数');
    expect(checkFigures(asked, { visited: -1 })).toContain('不小于 0');
    expect(checkFigures(asked, { visited: 1, extra: 2 })).toContain('extra');
    expect(checkFigures([], undefined)).toBeNull();
  });
});

import { inDueOrder, periodDue, urgencyOf } from './todo.js';
import { FORMS } from '../reports/forms.js';

describe('the 待办 order', () => {
  it('puts the overdue first, then the soonest due, then the new', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    const items = [
      { title: 'b', dueAt: null, urgency: urgencyOf(null, now, DAY, true) },
      { title: 'c', dueAt: '2026-06-01T12:00:00.000Z', urgency: urgencyOf(new Date('2026-06-01T12:00:00Z'), now, DAY) },
      { title: 'a', dueAt: '2026-05-30T00:00:00.000Z', urgency: urgencyOf(new Date('2026-05-30T00:00:00Z'), now, DAY) },
      { title: 'd', dueAt: '2026-07-01T00:00:00.000Z', urgency: urgencyOf(new Date('2026-07-01T00:00:00Z'), now, DAY) },
    ];
    expect(inDueOrder(items).map((i) => [i.title, i.urgency])).toEqual([
      ['a', 'overdue'],
      ['c', 'due_soon'],
      ['b', 'new'],
      ['d', 'normal'],
    ]);
  });
  it('asks for the latest ended period of each report form', () => {
    expect(periodDue(FORMS.xgz_core, '2026-12-02')).toEqual({
      period: '2026-Q3',
      label: '2026年第3季度',
      dueOn: '2026-10-15',
    });
    expect(periodDue(FORMS.xgz_core, '2026-01-05')).toMatchObject({ period: '2025-Q4', dueOn: '2026-01-15' });
    expect(periodDue(FORMS.xgz_yearly, '2026-01-05')).toMatchObject({ period: '2025', dueOn: '2026-01-31' });
  });
});

import { levelOfScopeKey } from '../jurisdiction/codes.js';
describe('levels from scope keys', () => {
  it('reads the level from the key length', () => {
    expect(['', '32', '3201', '320102', '320102001'].map(levelOfScopeKey)).toEqual([
      'nation',
      'province',
      'city',
      'county',
      'station',
    ]);
  });
});

describe('who is told of a change to what was sent', () => {
  it('a text change reaches every node, signed or replied; a deadline alone only those not done', () => {
    expect(toldOfChange('notice', 'received', true, true)).toBe(true);
    expect(toldOfChange('notice', 'pending', false, true)).toBe(true);
    expect(toldOfChange('task', 'replied', true, true)).toBe(true);
    expect(toldOfChange('task', 'replied', true, false)).toBe(false);
    expect(toldOfChange('task', 'received', true, false)).toBe(true);
    expect(toldOfChange('notice', 'received', true, false)).toBe(false);
    expect(toldOfChange('notice', 'pending', true, false)).toBe(true);
  });
});
