/**
 * The report workflow (逐级上报): the level itself prepares (from live figures or a monthly
 * snapshot) and may prepare again, annotates, and submits; a submission is a new immutable
 * version. The level above may return a submitted report with a reason; the level then
 * corrects and submits again (a new version, the old ones stay readable), or marks it 审核通过
 * (accepted: that version is checked; the mark lapses with a new version or a return).
 */
import type { CheckFailure } from './checks.js';
import type { Difference } from './consolidation.js';

export type ReportState = 'draft' | 'submitted' | 'returned';
export type ReportAction = 'prepare' | 'annotate' | 'submit' | 'return' | 'accept';
/** Who acts: the level the report belongs to, or the one directly above. */
export type Actor = 'own' | 'above';

export const REPORT_STATE_LABEL: Record<ReportState, string> = {
  draft: '填报中',
  submitted: '已上报',
  returned: '已退回',
};
export const REPORT_ACTION_LABEL: Record<ReportAction, string> = {
  prepare: '生成报表',
  annotate: '填写说明',
  submit: '上报',
  return: '退回',
  accept: '审核通过',
};

const MOVES: Record<ReportAction, { actor: Actor; from: (ReportState | null)[]; to: ReportState | 'same' }> = {
  prepare: { actor: 'own', from: [null, 'draft', 'returned'], to: 'draft' },
  annotate: { actor: 'own', from: ['draft', 'returned'], to: 'same' },
  submit: { actor: 'own', from: ['draft', 'returned'], to: 'submitted' },
  return: { actor: 'above', from: ['submitted'], to: 'returned' },
  accept: { actor: 'above', from: ['submitted'], to: 'same' },
};

/** What a level does to correct a report it has submitted (a version is immutable): the level above returns it first. */
const CORRECT_SUBMITTED = '；如需更正，请直接上级退回后重新生成、上报';

export type ReportInput = {
  reason?: string | null;
  failures?: readonly CheckFailure[];
  acknowledgement?: string | null;
  /** Children neither submitted nor marked 缺报 (a submission waits for them). */
  waiting?: readonly { code: string; name: string; state: ReportState | null }[];
  /** Differences from the live figures beyond the tolerance, and the preparer's explanation of them. */
  unexplained?: readonly Difference[];
  explanation?: string | null;
  /** A submitted report a child's later submission made outdated: it may be prepared again. */
  outdated?: boolean;
  /** Its submitted version is already marked 审核通过 by the level above. */
  accepted?: boolean;
};
export type ReportTransition =
  | { ok: true; to: ReportState }
  | {
      ok: false;
      status: 403 | 409 | 422;
      reason: string;
      field?: string;
      failures?: readonly CheckFailure[];
      errors?: readonly { field: string; message: string }[];
    };

/**
 * The next state under an action, or why not: 403 for the wrong level, 409 when the state does not
 * allow it, 422 when facts are missing: a return without a reason, or a submission with failed
 * checks the preparer has not explained (the explanation goes up with the version).
 */
export function reportTransition(
  state: ReportState | null,
  action: ReportAction,
  actor: Actor,
  input: ReportInput = {},
): ReportTransition {
  const move = MOVES[action];
  if (move.actor !== actor)
    return {
      ok: false,
      status: 403,
      reason:
        actor === 'own'
          ? `${REPORT_ACTION_LABEL[action]}由上级进行`
          : `${REPORT_ACTION_LABEL[action]}由本级进行，上级只能查看、审核通过或退回`,
    };
  if (action === 'prepare' && state === 'submitted' && input.outdated) return { ok: true, to: 'draft' };
  if (!move.from.includes(state))
    return {
      ok: false,
      status: 409,
      reason: state
        ? `报表${REPORT_STATE_LABEL[state]}，不能${REPORT_ACTION_LABEL[action]}${state === 'submitted' && actor === 'own' && !input.outdated ? CORRECT_SUBMITTED : ''}`
        : '尚未生成报表',
    };
  if (action === 'accept' && (input.accepted || input.outdated))
    return {
      ok: false,
      status: 409,
      reason: input.accepted ? '该版本已审核通过' : '该报表待更新（其下级已重新上报），待本级重新汇总上报后再审核',
    };
  if (action === 'return' && !input.reason?.trim())
    return { ok: false, status: 422, reason: '退回须说明理由', field: 'reason' };
  const waiting = action === 'submit' ? (input.waiting ?? []) : [];
  if (waiting.length) {
    const names = waiting.map((c) => c.name).join('、');
    return {
      ok: false,
      status: 422,
      field: 'missing',
      reason: `下级尚未上报：${names}。须待其上报，或标记缺报并说明原因后上报`,
      errors: waiting.map((c) => ({
        field: 'missing',
        message: `${c.name}（${c.code}）${c.state === 'returned' ? '已退回，尚未重新上报' : '尚未上报'}`,
      })),
    };
  }
  const failures = input.failures ?? [];
  if (action === 'submit' && failures.length && !input.acknowledgement?.trim()) {
    return {
      ok: false,
      status: 422,
      reason: `未通过审核：${[...new Set(failures.map((f) => f.label))].join('；')}。请核实，或填写情况说明后上报`,
      field: 'acknowledgement',
      failures,
    };
  }
  const unexplained = action === 'submit' ? (input.unexplained ?? []) : [];
  if (unexplained.length && !input.explanation?.trim()) {
    return {
      ok: false,
      status: 422,
      field: 'explanation',
      reason: `汇总数与实时数差异超出允许范围：${unexplained.map((d) => d.label).join('、')}。请填写差异说明后上报`,
      errors: unexplained.map((d) => ({
        field: 'explanation',
        message: `${d.label}：汇总 ${d.consolidated}，实时 ${d.live}（${d.explanation}）`,
      })),
    };
  }
  return { ok: true, to: move.to === 'same' ? state! : move.to };
}

export const reportActions = (
  state: ReportState | null,
  actor: Actor,
  outdated = false,
  accepted = false,
): ReportAction[] =>
  (Object.keys(MOVES) as ReportAction[]).filter(
    (a) =>
      MOVES[a].actor === actor &&
      (MOVES[a].from.includes(state) || (a === 'prepare' && state === 'submitted' && outdated)) &&
      (a !== 'accept' || !(accepted || outdated)),
  );
