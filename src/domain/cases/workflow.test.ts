import { describe, expect, it } from 'vitest';
import { allowedActions, transition, type CaseAction, type CaseKind, type CaseState } from './workflow.js';

const STATES: CaseState[] = ['open', 'contacted', 'confirmed', 'dismissed', 'transferred', 'resolved'];
const ACTIONS: CaseAction[] = ['contact', 'confirm', 'dismiss', 'transfer', 'reopen', 'conclude'];
const KINDS: CaseKind[] = [
  'hidden_member',
  'pocket_member',
  'entity_without_org',
  'declared_not_found',
  'self_report',
  'roster_absent',
];

/** Every legal move, written out: the table the state machine must match exactly. */
const LEGAL = new Set([
  'open:contact:contacted',
  'open:confirm:confirmed',
  'open:dismiss:dismissed',
  'contacted:contact:contacted',
  'contacted:confirm:confirmed',
  'contacted:dismiss:dismissed',
  'confirmed:transfer:transferred',
  'dismissed:reopen:open',
  'open:conclude:confirmed',
  'contacted:conclude:confirmed',
]);

/** Which kinds each action applies to (every kind, where not named). */
const APPLIES: Partial<Record<CaseAction, CaseKind[]>> = {
  transfer: ['hidden_member', 'pocket_member', 'self_report'],
  confirm: KINDS.filter((k) => k !== 'roster_absent'),
  dismiss: KINDS.filter((k) => k !== 'roster_absent'),
  conclude: ['roster_absent'],
};

describe('case state machine', () => {
  it.each(KINDS)('allows exactly the legal moves for %s and refuses every other with a reason', (kind) => {
    for (const s of STATES)
      for (const a of ACTIONS) {
        const r = transition(kind, s, a);
        const legal = [...LEGAL].find((l) => l.startsWith(`${s}:${a}:`));
        const applies = APPLIES[a]?.includes(kind) ?? true;
        if (legal && applies) expect(r).toEqual({ ok: true, to: legal.split(':')[2] });
        else expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/不能/) });
      }
  });
  it('lists the actions open to a case', () => {
    expect(allowedActions('hidden_member', 'confirmed')).toEqual(['transfer']);
    expect(allowedActions('entity_without_org', 'confirmed')).toEqual([]);
    expect(allowedActions('declared_not_found', 'open')).toEqual(['contact', 'confirm', 'dismiss']);
    expect(allowedActions('roster_absent', 'open')).toEqual(['contact', 'conclude']);
    expect(allowedActions('roster_absent', 'dismissed')).toEqual(['reopen']);
  });
  it('concludes a member missing from the roster in the state its result says', () => {
    expect(transition('roster_absent', 'open', 'conclude', 'transferred_out')).toEqual({ ok: true, to: 'transferred' });
    expect(transition('roster_absent', 'contacted', 'conclude', 'stopped')).toEqual({ ok: true, to: 'confirmed' });
    expect(transition('roster_absent', 'open', 'conclude', 'deceased')).toEqual({ ok: true, to: 'confirmed' });
    expect(transition('roster_absent', 'open', 'conclude', 'on_roll')).toEqual({ ok: true, to: 'dismissed' });
    expect(transition('roster_absent', 'confirmed', 'conclude', 'on_roll')).toMatchObject({ ok: false });
  });
});
