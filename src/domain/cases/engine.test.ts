import { describe, expect, it } from 'vitest';
import {
  ACTIONS,
  DEFAULT_DEADLINES,
  STATES,
  allowedActions,
  canReopen,
  closesUnanswered,
  dueAt,
  escalationDue,
  isOverdue,
  restartsClock,
  stepEndedBy,
  transition,
  type CaseActor,
} from './engine.js';
import { routeCase, transferTarget } from './routing.js';

/** Every legal move with who may make it, written out: the table the engine must match exactly. */
const LEGAL = new Set([
  ...['intake', 'routed', 'accepted', 'handling'].flatMap((s) => [
    `${s}:route:routed:staff`,
    `${s}:route:routed:system`,
  ]),
  'routed:accept:accepted:staff',
  'accepted:note:handling:staff',
  'handling:note:handling:staff',
  'accepted:resolve:resolved:staff',
  'handling:resolve:resolved:staff',
  ...['routed', 'accepted', 'handling', 'resolved'].flatMap((s) => [
    `${s}:close:closed:staff`,
    `${s}:close:closed:system`,
  ]),
  'resolved:feedback:closed:public',
  'resolved:reopen:accepted:public',
  'closed:reopen:accepted:public',
]);
const ACTORS: CaseActor[] = ['staff', 'public', 'system'];
const D = DEFAULT_DEADLINES;
const day = 86_400_000;
const t0 = new Date('2026-03-02T08:00:00Z');
const at = (days: number) => new Date(t0.getTime() + days * day);

describe('case engine: transitions', () => {
  it('allows exactly the legal moves and refuses every other with a Chinese reason', () => {
    let legal = 0;
    for (const s of STATES)
      for (const a of ACTIONS)
        for (const by of ACTORS) {
          const r = transition(s, a, by);
          const row = [...LEGAL].find((l) => l.startsWith(`${s}:${a}:`) && l.endsWith(`:${by}`));
          if (row) {
            expect(r, `${s} ${a} ${by}`).toEqual({ ok: true, to: row.split(':')[2] });
            legal++;
          } else expect(r, `${s} ${a} ${by}`).toMatchObject({ ok: false, reason: expect.stringMatching(/不能/) });
        }
    expect(legal).toBe(LEGAL.size);
  });
  it('lists what each actor may do', () => {
    expect(allowedActions('routed', 'staff')).toEqual(['route', 'accept', 'close']);
    expect(allowedActions('handling', 'staff')).toEqual(['route', 'note', 'resolve', 'close']);
    expect(allowedActions('resolved', 'public')).toEqual(['feedback', 'reopen']);
    expect(allowedActions('closed', 'staff')).toEqual([]);
  });
  it('times the step a move ends and restarts the clock when the step changes', () => {
    expect(stepEndedBy('intake', 'route')).toBe('route');
    expect(stepEndedBy('routed', 'route')).toBeNull(); // a transfer: the new unit's wait starts
    expect(stepEndedBy('routed', 'accept')).toBe('accept');
    expect(stepEndedBy('handling', 'resolve')).toBe('resolve');
    expect(stepEndedBy('resolved', 'feedback')).toBe('feedback');
    expect(stepEndedBy('accepted', 'note')).toBeNull();
    expect(restartsClock('accepted', 'note', 'handling')).toBe(false);
    expect(restartsClock('handling', 'note', 'handling')).toBe(false);
    expect(restartsClock('routed', 'route', 'routed')).toBe(true);
    expect(restartsClock('routed', 'accept', 'accepted')).toBe(true);
  });
});

describe('case engine: deadlines, escalation, reopen window', () => {
  it('computes the due time of each step from when it started', () => {
    expect(dueAt('routed', t0, D)).toEqual(at(2));
    expect(dueAt('intake', t0, D)).toEqual(at(1));
    expect(dueAt('handling', t0, D)).toEqual(at(15));
    expect(dueAt('resolved', t0, D)).toBeNull();
    expect(isOverdue('routed', t0, D, at(2))).toBe(false);
    expect(isOverdue('routed', t0, D, new Date(at(2).getTime() + 1))).toBe(true);
    expect(isOverdue('closed', t0, D, at(100))).toBe(false);
  });
  it('escalates one level per overdue period, one level per run, up to the top of the tree', () => {
    const c = { state: 'routed' as const, stepStartedAt: t0, level: 0 };
    expect(escalationDue(c, D, at(1.9), 4)).toBe(0);
    expect(escalationDue(c, D, at(2.1), 4)).toBe(1);
    expect(escalationDue(c, D, at(30), 4)).toBe(1); // long overdue, but one level per run
    expect(escalationDue({ ...c, level: 1 }, D, at(3.9), 4)).toBe(1); // the level above has one period to act
    expect(escalationDue({ ...c, level: 1 }, D, at(4.1), 4)).toBe(2);
    expect(escalationDue({ ...c, level: 4 }, D, at(100), 4)).toBe(4);
    expect(escalationDue({ ...c, level: 0 }, D, at(100), 0)).toBe(0);
    expect(escalationDue({ state: 'resolved', stepStartedAt: t0, level: 0 }, D, at(100), 4)).toBe(0);
  });
  it('lets the person reopen within N days of the resolution, and closes unanswered cases after', () => {
    expect(canReopen('resolved', t0, D, at(7))).toBe(true);
    expect(canReopen('closed', t0, D, at(6))).toBe(true);
    expect(canReopen('resolved', t0, D, at(7.01))).toBe(false);
    expect(canReopen('handling', t0, D, at(1))).toBe(false);
    expect(canReopen('resolved', null, D, at(1))).toBe(false);
    expect(canReopen('resolved', t0, { ...D, reopenDays: 30 }, at(20))).toBe(true);
    expect(closesUnanswered('resolved', t0, D, at(7.01))).toBe(true);
    expect(closesUnanswered('resolved', t0, D, at(6))).toBe(false);
    expect(closesUnanswered('closed', t0, D, at(60))).toBe(false);
  });
});

describe('routing', () => {
  const station = { code: '320102901', level: 'station', parentCode: '320102' };
  const county = { code: '320102', level: 'county', parentCode: '320100' };
  it('sends a rider appeal to the station of the place, or the county bureau', () => {
    expect(routeCase({ door: 'rider', category: 'parking', place: station })).toEqual({
      ok: true,
      unit: { kind: 'station', code: '320102901', line: null },
    });
    expect(routeCase({ door: 'rider', category: 'entry', place: county })).toEqual({
      ok: true,
      unit: { kind: 'bureau', code: '320102', line: null },
    });
  });
  it('sends a food-safety clue to the county food line, wherever it was raised', () => {
    expect(routeCase({ door: 'rider', category: 'food_clue', place: station })).toEqual({
      ok: true,
      unit: { kind: 'bureau', code: '320102', line: 'food' },
    });
  });
  it("sends a rights problem to the named platform's contact point, else the rider industry committee, else the station", () => {
    const platformContact = { code: '320000', ref: 7 };
    const committee = { code: '320100', ref: 42 };
    expect(routeCase({ door: 'rider', category: 'rights', place: station, platformContact, committee })).toEqual({
      ok: true,
      unit: { kind: 'platform', code: '320000', line: null, ref: 7 },
    });
    expect(routeCase({ door: 'rider', category: 'rights', place: station, platformContact: null, committee })).toEqual({
      ok: true,
      unit: { kind: 'committee', code: '320100', line: null, ref: 42 },
    });
    expect(routeCase({ door: 'rider', category: 'rights', place: station })).toEqual({
      ok: true,
      unit: { kind: 'station', code: '320102901', line: null },
    });
    // Only rights problems: a parking problem stays with the station whatever the rider names.
    expect(routeCase({ door: 'rider', category: 'parking', place: station, platformContact, committee })).toEqual({
      ok: true,
      unit: { kind: 'station', code: '320102901', line: null },
    });
  });
  it('sends a visit problem to the county business line it names', () => {
    expect(routeCase({ door: 'visit', category: 'metrology', place: station })).toEqual({
      ok: true,
      unit: { kind: 'bureau', code: '320102', line: 'metrology' },
    });
  });
  it("sends a plaque report to the plaque's station", () => {
    expect(routeCase({ door: 'plaque', category: 'conduct', place: station })).toEqual({
      ok: true,
      unit: { kind: 'station', code: '320102901', line: null },
    });
  });
  it('refuses a place above county level', () => {
    expect(
      routeCase({ door: 'rider', category: 'other', place: { code: '320100', level: 'city', parentCode: '320000' } }),
    ).toMatchObject({ ok: false });
  });
  it('transfers to a station (no business line) or a bureau line', () => {
    expect(transferTarget(station, null)).toEqual({
      ok: true,
      unit: { kind: 'station', code: '320102901', line: null },
    });
    expect(transferTarget(station, 'food')).toMatchObject({ ok: false });
    expect(transferTarget(county, 'quality')).toEqual({
      ok: true,
      unit: { kind: 'bureau', code: '320102', line: 'quality' },
    });
    expect(transferTarget({ code: '000000', level: 'nation', parentCode: null }, null)).toMatchObject({ ok: false });
  });
});
