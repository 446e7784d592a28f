/**
 * Exit driven by status and credit lists: the causes that suspend an entity's 三亮 plaques and
 * flag its honours and points, and the states of the review staff see. The effects themselves are
 * applied in the database (migration 0034) on the change, whatever path made it.
 */
export type ExitCause = 'deregistered' | 'revoked' | 'abnormal' | 'untrustworthy';
export type ExitReviewState = 'open' | 'reviewed' | 'lift_pending' | 'closed';
export type ExitEffect =
  | 'review_open'
  | 'review_reopen'
  | 'plaque_suspend'
  | 'honour_flag'
  | 'point_flag'
  | 'review_lift_pending'
  | 'review_close'
  | 'plaque_resume'
  | 'point_unflag';

export const EXIT_CAUSE_LABEL: Record<ExitCause, string> = {
  deregistered: '主体注销',
  revoked: '吊销营业执照',
  abnormal: '列入经营异常名录',
  untrustworthy: '列入严重违法失信名单',
};
export const EXIT_STATE_LABEL: Record<ExitReviewState, string> = {
  open: '待复核',
  reviewed: '已复核（暂停公示中）',
  lift_pending: '已移出，待确认恢复',
  closed: '已结束',
};
export const EXIT_EFFECT_LABEL: Record<ExitEffect, string> = {
  review_open: '生成退出复核',
  review_reopen: '复核重新打开',
  plaque_suspend: '牌匾暂停公示',
  honour_flag: '荣誉标记复核',
  point_flag: '联系点/示范点标记复核',
  review_lift_pending: '原因已消除，待确认恢复',
  review_close: '复核结束',
  plaque_resume: '牌匾恢复公示',
  point_unflag: '联系点/示范点解除标记',
};

export type ExitReviewAction = 'review' | 'lift';
/** What staff may do with a review in a state: note it reviewed (while the cause holds), or confirm the lift (once it is gone). */
export function exitActions(state: ExitReviewState): ExitReviewAction[] {
  if (state === 'open') return ['review'];
  if (state === 'lift_pending') return ['lift'];
  return [];
}
/** Whether the action is allowed now, else the refusal (a conflict with the state). */
export function decideExit(
  state: ExitReviewState,
  action: ExitReviewAction,
): { ok: true } | { ok: false; message: string } {
  if (exitActions(state).includes(action)) return { ok: true };
  if (action === 'lift')
    return {
      ok: false,
      message: state === 'closed' ? '该复核已结束' : '原因尚未消除（仍在名单中或登记状态未恢复），不能恢复公示',
    };
  return { ok: false, message: state === 'closed' ? '该复核已结束' : '该复核已处理' };
}
