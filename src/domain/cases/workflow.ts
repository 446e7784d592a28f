/**
 * The verification work list's state machine (组织找党员). A case is raised open; staff record
 * contact, then confirm or dismiss it (a dismissal needs a reason); a confirmed member (hidden,
 * pocket or self-reported) can have the org-relation transfer recorded; a dismissal can be reopened.
 * An open or contacted case whose condition no longer holds is closed by the system ('resolved',
 * domain/cases/conditions.ts); no person moves it on from there (a new case is raised if it returns).
 */
export const CASE_STATES = ['open', 'contacted', 'confirmed', 'dismissed', 'transferred', 'resolved'] as const;
export type CaseState = (typeof CASE_STATES)[number];
export type CaseAction = 'contact' | 'confirm' | 'dismiss' | 'transfer' | 'reopen';
export const CASE_KINDS = [
  'hidden_member',
  'pocket_member',
  'entity_without_org',
  'declared_not_found',
  'self_report',
] as const;
export type CaseKind = (typeof CASE_KINDS)[number];

const MOVES: Record<CaseAction, { from: CaseState[]; to: CaseState; kinds?: CaseKind[] }> = {
  contact: { from: ['open', 'contacted'], to: 'contacted' },
  confirm: { from: ['open', 'contacted'], to: 'confirmed' },
  dismiss: { from: ['open', 'contacted'], to: 'dismissed' },
  transfer: { from: ['confirmed'], to: 'transferred', kinds: ['hidden_member', 'pocket_member', 'self_report'] },
  reopen: { from: ['dismissed'], to: 'open' },
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
};
export const ACTION_LABEL: Record<CaseAction, string> = {
  contact: '记录联系',
  confirm: '确认',
  dismiss: '排除',
  transfer: '记录组织关系转接',
  reopen: '重新核实',
};

/** The next state, or a Chinese reason the move is not allowed. */
export function transition(
  kind: CaseKind,
  state: CaseState,
  action: CaseAction,
): { ok: true; to: CaseState } | { ok: false; reason: string } {
  const move = MOVES[action];
  if (move.kinds && !move.kinds.includes(kind)) return { ok: false, reason: `此类线索不能${ACTION_LABEL[action]}` };
  if (!move.from.includes(state))
    return { ok: false, reason: `线索${STATE_LABEL[state]}，不能${ACTION_LABEL[action]}` };
  return { ok: true, to: move.to };
}

export const allowedActions = (kind: CaseKind, state: CaseState): CaseAction[] =>
  (Object.keys(MOVES) as CaseAction[]).filter((a) => transition(kind, state, a).ok);
