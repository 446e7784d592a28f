import { describe, expect, it } from 'vitest';
import { allowedActions, transition, type CaseAction, type CaseKind, type CaseState } from './workflow.js';

const STATES: CaseState[] = ['open', 'contacted', 'confirmed', 'dismissed', 'transferred', 'resolved'];
const ACTIONS: CaseAction[] = ['contact', 'confirm', 'dismiss', 'transfer', 'reopen'];
const KINDS: CaseKind[] = ['hidden_member', 'pocket_member', 'entity_without_org', 'declared_not_found', 'self_report'];

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
]);

describe('case state machine', () => {
  it.each(KINDS)('allows exactly the legal moves for %s and refuses every other with a reason', (kind) => {
    for (const s of STATES)
      for (const a of ACTIONS) {
        const r = transition(kind, s, a);
        const legal = [...LEGAL].find((l) => l.startsWith(`${s}:${a}:`));
        const applies = a !== 'transfer' || ['hidden_member', 'pocket_member', 'self_report'].includes(kind);
        if (legal && applies) expect(r).toEqual({ ok: true, to: legal.split(':')[2] });
        else expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/不能/) });
      }
  });
  it('lists the actions open to a case', () => {
    expect(allowedActions('hidden_member', 'confirmed')).toEqual(['transfer']);
    expect(allowedActions('entity_without_org', 'confirmed')).toEqual([]);
    expect(allowedActions('declared_not_found', 'open')).toEqual(['contact', 'confirm', 'dismiss']);
  });
});
