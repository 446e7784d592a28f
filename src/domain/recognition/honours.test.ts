import { describe, expect, it } from 'vitest';
import { honourActions, honourTransition, nominationProblem, type HonourAction, type HonourState } from './honours.js';

const STATES: HonourState[] = ['nominated', 'approved', 'rejected', 'awarded', 'revoked'];
const ACTIONS: HonourAction[] = ['approve', 'reject', 'award', 'revoke', 'clear_flag'];
/** Every legal move of an unflagged honour with complete input, written out. */
const LEGAL = new Set([
  'nominated:approve:approved',
  'nominated:reject:rejected',
  'approved:award:awarded',
  'awarded:revoke:revoked',
]);
const full = { reason: '理由', level: 'city' as const, year: 2025, today: '2026-03-01' };

describe('honour state machine', () => {
  it('allows exactly the legal moves and refuses every other with 409 and a reason', () => {
    for (const s of STATES)
      for (const a of ACTIONS) {
        const r = honourTransition({ state: s, flagged: false }, a, full);
        const legal = [...LEGAL].find((l) => l.startsWith(`${s}:${a}:`));
        if (legal) expect(r).toEqual({ ok: true, to: legal.split(':')[2], clearsFlag: a === 'revoke' });
        else expect(r).toMatchObject({ ok: false, status: 409, reason: expect.stringMatching(/不能|没有/) });
      }
  });

  it('a flag blocks approval and award until cleared with a reason; rejection and revocation still go', () => {
    expect(honourTransition({ state: 'nominated', flagged: true }, 'approve', full)).toMatchObject({
      ok: false,
      status: 422,
      reason: expect.stringContaining('待复核'),
    });
    expect(honourTransition({ state: 'approved', flagged: true }, 'award', full)).toMatchObject({
      ok: false,
      status: 422,
    });
    expect(honourTransition({ state: 'nominated', flagged: true }, 'reject', full)).toEqual({
      ok: true,
      to: 'rejected',
      clearsFlag: false,
    });
    expect(honourTransition({ state: 'awarded', flagged: true }, 'revoke', full)).toEqual({
      ok: true,
      to: 'revoked',
      clearsFlag: true,
    });
    expect(honourTransition({ state: 'awarded', flagged: true }, 'clear_flag', full)).toEqual({
      ok: true,
      to: 'awarded',
      clearsFlag: true,
    });
    expect(honourTransition({ state: 'awarded', flagged: true }, 'clear_flag', { today: full.today })).toMatchObject({
      ok: false,
      status: 422,
    });
    expect(honourTransition({ state: 'rejected', flagged: true }, 'clear_flag', full)).toMatchObject({
      ok: false,
      status: 409,
    });
  });

  it('needs a reason to reject or revoke, and a level and a year not in the future to award', () => {
    expect(
      honourTransition({ state: 'nominated', flagged: false }, 'reject', { today: full.today, reason: '  ' }),
    ).toMatchObject({ ok: false, status: 422, reason: '审核不通过须说明理由' });
    expect(honourTransition({ state: 'awarded', flagged: false }, 'revoke', { today: full.today })).toMatchObject({
      ok: false,
      status: 422,
      reason: '撤销须说明理由',
    });
    expect(
      honourTransition({ state: 'approved', flagged: false }, 'award', { today: full.today, year: 2025 }),
    ).toMatchObject({ ok: false, reason: '授予须选择荣誉级别' });
    expect(
      honourTransition({ state: 'approved', flagged: false }, 'award', {
        today: full.today,
        level: 'county',
        year: 2027,
      }),
    ).toMatchObject({ ok: false, reason: expect.stringContaining('2026') });
    expect(
      honourTransition({ state: 'approved', flagged: false }, 'award', {
        today: full.today,
        level: 'county',
        year: 2026,
      }),
    ).toMatchObject({ ok: true, to: 'awarded' });
  });

  it('lists the actions a page may offer', () => {
    const h = (state: HonourState, flagged: boolean) => ({ state, flagged, level: null });
    expect(honourActions(h('nominated', false), 'county')).toEqual(['approve', 'reject']);
    expect(honourActions(h('nominated', true), 'county')).toEqual(['reject', 'clear_flag']);
    expect(honourActions({ state: 'awarded', flagged: true, level: 'county' }, 'county')).toEqual([
      'revoke',
      'clear_flag',
    ]);
    expect(honourActions(h('revoked', false), 'county')).toEqual([]);
  });

  it('offers an actor only what its level may do: a station nominates, nobody revokes above itself', () => {
    expect(honourActions({ state: 'nominated', flagged: false, level: null }, 'station')).toEqual([]);
    expect(honourActions({ state: 'approved', flagged: false, level: null }, 'station')).toEqual([]);
    const cityAward = { state: 'awarded' as const, flagged: true, level: 'city' as const };
    expect(honourActions(cityAward, 'county')).toEqual([]);
    expect(honourActions(cityAward, 'city')).toEqual(['revoke', 'clear_flag']);
  });

  it('asks each kind for its subject: a market, an entity, or a member in an entity', () => {
    expect(nominationProblem('honest_market', { entityId: 1 })).toEqual({
      field: 'zoneId',
      message: expect.any(String),
    });
    expect(nominationProblem('honest_market', { zoneKind: 'park' })?.field).toBe('zoneId');
    expect(nominationProblem('honest_market', { zoneKind: 'market' })).toBeNull();
    expect(nominationProblem('honest_enterprise', {})?.field).toBe('entityId');
    expect(nominationProblem('honest_enterprise', { entityId: 3 })).toBeNull();
    expect(nominationProblem('star_operator', { entityId: 3 })?.field).toBe('memberId');
    expect(nominationProblem('model_post', { entityId: 3, memberId: 9 })).toBeNull();
    // A kind added to the configurable list later honours an entity.
    expect(nominationProblem('new_kind', { entityId: 3 })).toBeNull();
  });
});
