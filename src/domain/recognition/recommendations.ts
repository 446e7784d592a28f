/**
 * 联系点/示范点 推荐 (issue 13): a node recommends candidates to the level directly above it; that
 * level selects (选定), returns for more material (退回) or rejects (不予采纳). Designation itself
 * keeps its own rules (points.ts). Pure rules, no I/O.
 */
export type RecommendationState = 'pending' | 'selected' | 'returned' | 'rejected';
export type Decision = 'select' | 'return' | 'reject';

export const RECOMMENDATION_STATE_LABEL: Record<RecommendationState, string> = {
  pending: '待审核',
  selected: '已选定',
  returned: '已退回',
  rejected: '不予采纳',
};
export const DECISION_LABEL: Record<Decision, string> = { select: '选定', return: '退回', reject: '不予采纳' };

/** The level whose points a node recommends for: the level directly above it (none above the province). */
export function recommendedLevel(ownLevel: string): 'province' | 'city' | 'county' | null {
  return ({ station: 'county', county: 'city', city: 'province' } as const)[ownLevel as 'station'] ?? null;
}

/** A Chinese reason when the decision may not be taken, else null. */
export function decisionProblem(
  state: RecommendationState,
  decision: Decision,
  reason: string | undefined,
): { status: 409 | 422; reason: string; field?: string } | null {
  if (state !== 'pending')
    return { status: 409, reason: `该推荐${RECOMMENDATION_STATE_LABEL[state]}，不能再${DECISION_LABEL[decision]}` };
  if (decision !== 'select' && !reason?.trim())
    return { status: 422, reason: `${DECISION_LABEL[decision]}须说明理由`, field: 'reason' };
  return null;
}
