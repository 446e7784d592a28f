import type { AppContext } from '../http/context.js';
import { runScoped, type Scoped } from '../db/scoped.js';

/**
 * What the demo's work steps share: they run as the city editor through the one scoped path
 * (row-level security, one audit entry per step), and date their rows relative to today.
 */
export async function asCityEditor<T>(ctx: AppContext, fn: (s: Scoped & { editorId: number }) => Promise<T>): Promise<T> {
  const editor = await ctx.db.selectFrom('app_user').select(['id', 'username', 'scope_key']).where('username', '=', 'city_editor').executeTakeFirstOrThrow();
  return runScoped(ctx.db, { userId: editor.id, username: editor.username, scopeKey: editor.scope_key, ip: null }, (s) => fn({ ...s, editorId: editor.id }));
}

const DAY = 86_400_000;
export const isoDay = (d: Date): string => d.toISOString().slice(0, 10);
export const today = (): string => isoDay(new Date());
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
