/**
 * The verification work list's state machine (组织找党员). A case is raised open; staff record
 * contact, then confirm or dismiss it (a dismissal needs a reason); a confirmed member (hidden,
 * pocket or self-reported) can have the org-relation transfer recorded; a dismissal can be reopened.
 * An open or contacted case whose condition no longer holds is closed by the system ('resolved',
 * domain/cases/conditions.ts); no person moves it on from there (a new case is raised if it returns).
 *
 * A member missing from a later full roster (roster_absent) is not confirmed or dismissed but
 * concluded with what became of the member (ABSENT_RESULT): 已转出, 停止党籍 or 去世 end their
 * membership on this roster; 仍在册 dismisses the case (it can be reopened like any dismissal).
 */
export const CASE_STATES = ['open', 'contacted', 'confirmed', 'dismissed', 'transferred', 'resolved'] as const;
export type CaseState = (typeof CASE_STATES)[number];
/** Still to verify (待核实线索): neither confirmed, dismissed, transferred nor closed by the system. */
export const PENDING_STATES: CaseState[] = ['open', 'contacted'];
export const isPending = (state: string): boolean => (PENDING_STATES as string[]).includes(state);
export type CaseAction = 'contact' | 'confirm' | 'dismiss' | 'transfer' | 'reopen' | 'conclude';
export const CASE_KINDS = [
  'hidden_member',
  'pocket_member',
  'entity_without_org',
  'declared_not_found',
  'self_report',
  'roster_absent',
] as const;
export type CaseKind = (typeof CASE_KINDS)[number];

/** What a roster_absent case may conclude about the member. */
export const ABSENT_RESULTS = ['transferred_out', 'stopped', 'deceased', 'on_roll'] as const;
export type AbsentResult = (typeof ABSENT_RESULTS)[number];
/** A member's status that ends their membership on the roster holding them (a later roster naming them again restores it). */
export type EndedStatus = 'transferred_out' | 'stopped' | 'deceased';
export const ENDED_STATUSES: EndedStatus[] = ['transferred_out', 'stopped', 'deceased'];
/** Whether a member's status ends their membership (as xgz_member_on_roll says in SQL, migration 0085). */
export const isEnded = (status: string | null | undefined): status is EndedStatus =>
  (ENDED_STATUSES as (string | null | undefined)[]).includes(status);
/**
 * Each conclusion: its words, the case's state after it, and the member's status it records (null:
 * the member stays as they are). 已转出 is the relation transferred; 停止党籍 and 去世 confirm the
 * member left the roll; 仍在册 dismisses the absence.
 */
export const ABSENT_RESULT: Record<
  AbsentResult,
  { label: string; state: CaseState; memberStatus: EndedStatus | null }
> = {
  transferred_out: { label: '已转出', state: 'transferred', memberStatus: 'transferred_out' },
  stopped: { label: '停止党籍', state: 'confirmed', memberStatus: 'stopped' },
  deceased: { label: '去世', state: 'confirmed', memberStatus: 'deceased' },
  on_roll: { label: '仍在册', state: 'dismissed', memberStatus: null },
};

/** The kinds about a member found (or reported) in an entity: confirmed or dismissed. */
const FOUND_KINDS = CASE_KINDS.filter((k) => k !== 'roster_absent');

const MOVES: Record<CaseAction, { from: CaseState[]; to: CaseState; kinds?: readonly CaseKind[] }> = {
  contact: { from: PENDING_STATES, to: 'contacted' },
  confirm: { from: PENDING_STATES, to: 'confirmed', kinds: FOUND_KINDS },
  dismiss: { from: PENDING_STATES, to: 'dismissed', kinds: FOUND_KINDS },
  transfer: { from: ['confirmed'], to: 'transferred', kinds: ['hidden_member', 'pocket_member', 'self_report'] },
  reopen: { from: ['dismissed'], to: 'open' },
  // Its state is the result's (ABSENT_RESULT); 'confirmed' stands for it where no result is given.
  conclude: { from: PENDING_STATES, to: 'confirmed', kinds: ['roster_absent'] },
};

export const STATE_LABEL: Record<CaseState, string> = {
  open: '待核实',
  contacted: '已联系',
  confirmed: '已确认',
  dismissed: '已排除',
  transferred: '已转接组织关系',
  resolved: '情况已变化，自动关闭',
};
export const CASE_KIND_LABEL: Record<CaseKind, string> = {
  hidden_member: '隐形党员',
  pocket_member: '口袋党员',
  entity_without_org: '有党员未建组织',
  declared_not_found: '申报有党员但未找到',
  self_report: '党员报到（本人报告）',
  roster_absent: '名册中已不存在',
};
export const ACTION_LABEL: Record<CaseAction, string> = {
  contact: '记录联系',
  confirm: '确认',
  dismiss: '排除',
  transfer: '记录组织关系转接',
  reopen: '重新核实',
  conclude: '记录核实结果',
};

/** The next state (a conclusion's, by its result), or a Chinese reason the move is not allowed. */
export function transition(
  kind: CaseKind,
  state: CaseState,
  action: CaseAction,
  result?: AbsentResult,
): { ok: true; to: CaseState } | { ok: false; reason: string } {
  const move = MOVES[action];
  if (move.kinds && !move.kinds.includes(kind)) return { ok: false, reason: `此类线索不能${ACTION_LABEL[action]}` };
  if (!move.from.includes(state))
    return { ok: false, reason: `线索${STATE_LABEL[state]}，不能${ACTION_LABEL[action]}` };
  return { ok: true, to: action === 'conclude' && result ? ABSENT_RESULT[result].state : move.to };
}

export const allowedActions = (kind: CaseKind, state: CaseState): CaseAction[] =>
  (Object.keys(MOVES) as CaseAction[]).filter((a) => transition(kind, state, a).ok);
