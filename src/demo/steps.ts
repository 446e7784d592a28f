import { authUserOf, type AppContext, type AuthUser } from '../http/context.js';
import { runScoped, type Scoped } from '../db/scoped.js';
import { today } from '../domain/time/zone.js';

/**
 * What the demo's work steps share: they run as the city editor through the one scoped path
 * (row-level security, one audit entry per step), and date their rows relative to today.
 */
export async function asCityEditor<T>(
  ctx: AppContext,
  fn: (s: Scoped & { editorId: number }) => Promise<T>,
): Promise<T> {
  return asDemoUser(ctx, 'city_editor', (s, user) => fn({ ...s, editorId: user.id }));
}

/** One demo account's scoped, audited transaction, with the account as the features' writes expect it. */
export async function asDemoUser<T>(
  ctx: AppContext,
  username: string,
  fn: (s: Scoped, user: AuthUser) => Promise<T>,
): Promise<T> {
  const u = await ctx.db
    .selectFrom('app_user as u')
    .innerJoin('jurisdiction as j', 'j.code', 'u.jurisdiction_code')
    .select([
      'u.id',
      'u.username',
      'u.display_name',
      'u.roles',
      'u.jurisdiction_code',
      'j.scope_key',
      'u.bound_platform_id',
      'u.bound_org_id',
      'u.bound_instructor_id',
    ])
    .where('u.username', '=', username)
    .executeTakeFirstOrThrow();
  return runScoped(ctx.db, { userId: u.id, username: u.username, scopeKey: u.scope_key, ip: null }, (s) =>
    fn(s, authUserOf(u)),
  );
}

const DAY = 86_400_000;
export const isoDay = (d: Date): string => d.toISOString().slice(0, 10);
export { today };
export const thisYear = (): number => Number(today().slice(0, 4));
/** The day n days before `from` (today by default); negative n is after it. */
export const daysBefore = (n: number, from = today()): string => isoDay(new Date(Date.parse(from) - n * DAY));
/** n days ago, but within this year: early in January everything falls on 1 January. */
export const daysAgoThisYear = (n: number): string => {
  const d = daysBefore(n);
  const first = `${thisYear()}-01-01`;
  return d < first ? first : d;
};
export const later = (a: string, b: string): string => (a > b ? a : b);
