/**
 * Accounts bound to a unit or to an instructor record (issue 13). The binding is carried into
 * every scoped transaction as xgz.bound; the tables' row-level security policies narrow what the
 * account sees. Two kinds of account are narrowed to their own work, each by a list of the routes
 * it may call (below) and by row-level security on what those routes read:
 *  - a unit account (联系点/行业党委工作人员): the cases routed to it, its 待办 and its notifications;
 *  - an instructor account (党建工作指导员, often a volunteer from outside the bureau): what it is
 *    assigned to — its entities and organizations, its guidance records and their photos, its
 *    工作台 and notifications; not the county's roster, cases, appeals, imports, exports,
 *    reports, dashboard or settings (round-8 finding, narrowed by the owner's decision).
 */
export type Binding = { platformId: number | null; orgId: number | null; instructorId: number | null };

/**
 * The xgz.bound value of an account: '' for an ordinary one, 'none:' for a unit account not yet
 * bound, 'instructor:' for an instructor account not yet bound (it sees no one's work). An account
 * holding the instructor role is narrowed whatever else it holds (an account from before the role
 * became exclusive included): the narrowing follows the role, not the binding.
 */
export function boundKey(roles: readonly string[], b: Binding): string {
  if (b.platformId != null) return `platform:${b.platformId}`;
  if (b.orgId != null) return `org:${b.orgId}`;
  if (b.instructorId != null) return `instructor:${b.instructorId}`;
  if (roles.includes('unit_staff')) return 'none:';
  return roles.includes('instructor') ? 'instructor:' : '';
}

/** The instructor record an account is bound to (its xgz.bound key), else null (unbound too). */
export function boundInstructorOf(key: string): number | null {
  const id = key.startsWith('instructor:') ? key.slice('instructor:'.length) : '';
  return id ? Number(id) : null;
}

export const isUnitKey = (key: string): boolean =>
  key.startsWith('platform:') || key.startsWith('org:') || key === 'none:';

/** The kinds of account narrowed to their own work. */
export type Narrowing = 'unit' | 'instructor';

/** How an account's xgz.bound key narrows it, else null. */
export const narrowingOf = (key: string): Narrowing | null =>
  isUnitKey(key) ? 'unit' : key.startsWith('instructor:') ? 'instructor' : null;

/** The same from an account's roles (the web has the roles, the server the key: both give the same answer). */
export const narrowingOfRoles = (roles: readonly string[]): Narrowing | null =>
  roles.includes('unit_staff') ? 'unit' : roles.includes('instructor') ? 'instructor' : null;

/**
 * The routes (as registered, under /api/v1) a narrowed account may call; `X/*` is X and all below
 * it. Each route still needs its permission, and row-level security narrows what it reads: for an
 * instructor, entities it reaches, organizations it is assigned to (or covering those entities),
 * its own guidance records and their files (migrations 0031, 0140). The lists (entities,
 * organizations) serve the pickers of its guidance form. The account's own routes (sign-in,
 * sign-out, password, its profile: access 'signing-in') are open to every signed-in account.
 */
const NARROWED_ROUTES: Record<Narrowing, readonly string[]> = {
  unit: ['/appeals/*', '/workbench/*', '/notifications/*', '/dictionaries'],
  instructor: [
    '/workbench/*',
    '/notifications/*',
    '/dictionaries',
    '/instructors/mine',
    '/guidance-records',
    '/guidance-records/:id',
    '/entities',
    '/entities/:id',
    '/orgs',
    '/orgs/:id',
    '/attachments/:ownerType/:ownerId',
    '/attachments/:id/file',
    '/attachments/:id',
  ],
};

/** Whether an account bound as `key` may call the route `url` (the pattern, e.g. /api/v1/entities/:id). */
export function routeAllowed(key: string, url: string): boolean {
  const narrowing = narrowingOf(key);
  if (!narrowing) return true;
  const path = url.replace(/^\/api\/v1/, '').replace(/\?.*$/, '');
  return NARROWED_ROUTES[narrowing].some((p) =>
    p.endsWith('/*') ? path === p.slice(0, -2) || path.startsWith(p.slice(0, -1)) : path === p,
  );
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
