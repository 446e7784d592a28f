/**
 * An organization's lifecycle: 筹建 (preparing) → 已建 (established) → 撤销 (dissolved), or 筹建 →
 * 撤销; never back. The orgs routes refuse other moves with these words and the organization
 * drawer offers only these moves.
 */
export type OrgStatus = 'preparing' | 'established' | 'dissolved';

export const ORG_NEXT = {
  preparing: ['established', 'dissolved'],
  established: ['dissolved'],
  dissolved: [],
} as const satisfies Record<OrgStatus, readonly OrgStatus[]>;

/** Why a status may not change from `from` to `to` (null when it may, or when it stays). */
export function statusChangeProblem(from: OrgStatus, to: OrgStatus): string | null {
  if (from === to || (ORG_NEXT[from] as readonly OrgStatus[]).includes(to)) return null;
  if (from === 'dissolved') return '已撤销的组织不能恢复，请新建组织';
  return '已建组织不能退回筹建';
}
