/**
 * Accounts bound to a unit or to an instructor record (issue 13). The binding is carried into
 * every scoped transaction as xgz.bound; the database's restrictive policies narrow what the
 * account sees. A unit account (联系点/行业党委工作人员) may only call the routes of its own work:
 * the cases routed to it, its 待办 and its notifications.
 */
export type Binding = { platformId: number | null; orgId: number | null; instructorId: number | null };

/** The xgz.bound value of an account: '' for an ordinary one, 'none:' for a unit account not yet bound. */
export function boundKey(roles: readonly string[], b: Binding): string {
  if (b.platformId != null) return `platform:${b.platformId}`;
  if (b.orgId != null) return `org:${b.orgId}`;
  if (b.instructorId != null) return `instructor:${b.instructorId}`;
  return roles.includes('unit_staff') ? 'none:' : '';
}

/** The instructor record an account is bound to (its xgz.bound key), else null. */
export const boundInstructorOf = (key: string): number | null =>
  key.startsWith('instructor:') ? Number(key.slice('instructor:'.length)) : null;

export const isUnitKey = (key: string): boolean =>
  key.startsWith('platform:') || key.startsWith('org:') || key === 'none:';

/** Route prefixes (under /api/v1) a unit account may call. */
const UNIT_ROUTES = ['/appeals', '/workbench', '/notifications'];

export function unitRouteAllowed(url: string): boolean {
  const path = url.replace(/^\/api\/v1/, '');
  return UNIT_ROUTES.some((p) => path === p || path.startsWith(`${p}/`) || path.startsWith(`${p}?`));
}

/** A Chinese reason when the binding does not fit the roles, else null. */
export function checkBinding(roles: readonly string[], b: Binding): string | null {
  const set = [b.platformId, b.orgId, b.instructorId].filter((x) => x != null).length;
  if (set > 1) return '账号只能绑定一个单位或一名指导员';
  if ((b.platformId != null || b.orgId != null) && !roles.includes('unit_staff'))
    return '绑定平台联系点或行业党委的账号须为"联系点/行业党委工作人员"';
  if (roles.includes('unit_staff') && b.platformId == null && b.orgId == null)
    return '联系点/行业党委工作人员账号须绑定一个平台联系点或行业党委';
  if (b.instructorId != null && !roles.includes('instructor')) return '绑定指导员的账号须为"党建工作指导员"';
  return null;
}
