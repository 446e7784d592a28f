/**
 * The report workflow (逐级上报): the level itself prepares (from live figures or a monthly
 * snapshot) and may prepare again, annotates, and submits; a submission is a new immutable
 * version. The level above may return a submitted report with a reason; the level then
 * corrects and submits again (a new version, the old ones stay readable).
 */
import type { CheckFailure } from './checks.js';

export type ReportState = 'draft' | 'submitted' | 'returned';
export type ReportAction = 'prepare' | 'annotate' | 'submit' | 'return';
/** Who acts: the level the report belongs to, or the one directly above. */
export type Actor = 'own' | 'above';

export const REPORT_STATE_LABEL: Record<ReportState, string> = { draft: '填报中', submitted: '已上报', returned: '已退回' };
export const REPORT_ACTION_LABEL: Record<ReportAction, string> = { prepare: '生成报表', annotate: '填写说明', submit: '上报', return: '退回' };

const MOVES: Record<ReportAction, { actor: Actor; from: (ReportState | null)[]; to: ReportState | 'same' }> = {
  prepare: { actor: 'own', from: [null, 'draft', 'returned'], to: 'draft' },
  annotate: { actor: 'own', from: ['draft', 'returned'], to: 'same' },
  submit: { actor: 'own', from: ['draft', 'returned'], to: 'submitted' },
  return: { actor: 'above', from: ['submitted'], to: 'returned' },
};

export type ReportInput = { reason?: string | null; failures?: readonly CheckFailure[]; acknowledgement?: string | null };
export type ReportTransition = { ok: true; to: ReportState } | { ok: false; status: 403 | 409 | 422; reason: string; field?: string; failures?: readonly CheckFailure[] };

/**
 * The next state under an action, or why not: 403 for the wrong level, 409 when the state does not
 * allow it, 422 when facts are missing: a return without a reason, or a submission with failed
 * checks the preparer has not explained (the explanation goes up with the version).
 */
export function reportTransition(state: ReportState | null, action: ReportAction, actor: Actor, input: ReportInput = {}): ReportTransition {
  const move = MOVES[action];
  if (move.actor !== actor) return { ok: false, status: 403, reason: actor === 'own' ? `${REPORT_ACTION_LABEL[action]}由上级进行` : `${REPORT_ACTION_LABEL[action]}由本级进行，上级只能查看或退回` };
  if (!move.from.includes(state)) return { ok: false, status: 409, reason: state ? `报表${REPORT_STATE_LABEL[state]}，不能${REPORT_ACTION_LABEL[action]}` : '尚未生成报表' };
  if (action === 'return' && !input.reason?.trim()) return { ok: false, status: 422, reason: '退回须说明理由', field: 'reason' };
  const failures = input.failures ?? [];
  if (action === 'submit' && failures.length && !input.acknowledgement?.trim()) {
    return { ok: false, status: 422, reason: `未通过审核：${[...new Set(failures.map((f) => f.label))].join('；')}。请核实，或填写情况说明后上报`, field: 'acknowledgement', failures };
  }
  return { ok: true, to: move.to === 'same' ? state! : move.to };
}

export const reportActions = (state: ReportState | null, actor: Actor): ReportAction[] =>
  (Object.keys(MOVES) as ReportAction[]).filter((a) => MOVES[a].actor === actor && MOVES[a].from.includes(state));
