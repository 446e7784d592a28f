/** Timing the API through the real app (session, permission check, row-level security), shared by the benchmarks. */
import crypto from 'node:crypto';
import { PerformanceObserver, constants as perf } from 'node:perf_hooks';
import { sql, type Kysely } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/server.js';
import { hashPassword } from '../src/crypto/password.js';
import type { DB } from '../src/db/schema.js';
import type { AppContext } from '../src/http/context.js';
import { snapshotTick } from '../src/features/indicators/service.js';
import { periodOfDate } from '../src/domain/reports/forms.js';
import { localDate } from '../src/domain/time/zone.js';
import { runEscalation } from '../src/features/appeals/engine.js';

export const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
export const ms = (x: number) => x.toFixed(1);

/**
 * The app, and the cookie of a nation-level viewer signed in to it. The month's indicator snapshots
 * are taken first when missing, and overdue cases escalated, so that the app's own start-up
 * snapshot tick and escalation pass do not run during the timings.
 */
export async function signedInApp(ctx: AppContext, db: Kysely<DB>) {
  // What the app does as it starts, done first so that it does not run beside the first timings
  // (the nation's): the snapshot schedule's tick (the month just ended is closed when earlier months
  // have snapshots, as the province bench writes: a whole-tree snapshot) and the escalation job's
  // first pass (over a fresh ledger every overdue case, 200,000 at 1M entities). The app's own then
  // find nothing to do.
  await snapshotTick(db);
  const moved = await runEscalation(db, await ctx.settings.get('cases'), new Date());
  // A pass over a fresh ledger rewrites every overdue case and its tallies at once, as no running
  // deployment does: the statistics and visibility maps are brought up to date, not left to an
  // autovacuum that would run beside the first timings.
  if (moved.escalated + moved.closed > 0) await sql`VACUUM ANALYZE`.execute(db);
  const app = await buildApp(ctx, { webDist: null, logStream: { write: () => true } });
  await app.ready();
  await settled(db);
  const { cookie, csrf } = await benchCookie(app, db, 'bench', '000000', ['viewer']);
  return { app, cookie, csrf };
}

/**
 * Waits (at most a minute) until no other connection to this database is running a statement:
 * the app's own start-up passes (the escalation job's and the snapshot schedule's first tick,
 * started when it becomes ready) are over before anything is timed.
 */
async function settled(db: Kysely<DB>) {
  for (let quiet = 0, i = 0; quiet < 3 && i < 600; i++) {
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()`.execute(db);
    quiet = rows[0].n === 0 ? quiet + 1 : 0;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A bench account at a node (made anew, or given a new password and these roles in a reused database), signed in: its cookie. */
export async function benchCookie(
  app: FastifyInstance,
  db: Kysely<DB>,
  username: string,
  code: string,
  roles: string[],
) {
  const password = `Pw-${crypto.randomBytes(6).toString('hex')}A`;
  const passwordHash = await hashPassword(password, 1000);
  const { scope_key } = await db
    .selectFrom('jurisdiction')
    .select('scope_key')
    .where('code', '=', code)
    .executeTakeFirstOrThrow();
  await db
    .insertInto('app_user')
    .values({
      username,
      display_name: '基准',
      jurisdiction_code: code,
      scope_key,
      roles,
      password_hash: passwordHash,
      must_change_password: false,
    })
    .onConflict((oc) => oc.column('username').doUpdateSet({ roles, password_hash: passwordHash }))
    .execute();
  const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
  return { cookie: String(login.headers['set-cookie']).split(';')[0], csrf: login.json().csrfToken as string };
}

/** `runs` timed GETs of a URL after 3 warm-up calls (they warm caches and the plan): p50, p95 and the last body. */
/**
 * The process's major garbage collections, to tell a slow request from a pause of the whole process
 * (a bench that ran a province's discovery in the same process first has gigabytes of garbage).
 */
const majorGc: { start: number; end: number }[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries())
    if ((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === perf.NODE_PERFORMANCE_GC_MAJOR)
      majorGc.push({ start: e.startTime, end: e.startTime + e.duration });
}).observe({ entryTypes: ['gc'] });

/**
 * Times `runs` GETs (after 3 warm-ups): p50, p95, and how many of the timed requests a major
 * garbage collection of this process overlapped, with the longest such pause.
 */
export async function timeGet(
  app: Awaited<ReturnType<typeof signedInApp>>['app'],
  cookie: string,
  url: string,
  runs: number,
) {
  const times: number[] = [];
  const spans: { start: number; end: number }[] = [];
  let body = '';
  for (let i = 0; i < runs + 3; i++) {
    const s = performance.now();
    const res = await app.inject({ method: 'GET', url, headers: { cookie } });
    const e = performance.now();
    if (i >= 3) {
      times.push(e - s);
      spans.push({ start: s, end: e });
    }
    body = res.body;
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  }
  // The observer is called asynchronously: let it deliver the last entries first.
  await new Promise((r) => setImmediate(r));
  const pauses = spans.map((t) =>
    majorGc.filter((g) => g.start < t.end && g.end > t.start).reduce((m, g) => Math.max(m, g.end - g.start), 0),
  );
  return {
    p50: quantile(times, 0.5),
    p95: quantile(times, 0.95),
    body,
    gc: { requests: pauses.filter((p) => p > 0).length, longestMs: Math.max(0, ...pauses) },
  };
}

/** Median seconds of 3 preparations of the national report (each replaces the draft); its total must be the dashboard's. */
export async function timeNationalReport(
  app: Awaited<ReturnType<typeof signedInApp>>['app'],
  cookie: string,
  csrf: string,
  db: Parameters<typeof signedInApp>[1],
  figures: unknown,
) {
  // The bench user prepares as the nation's editor (roles are read at every request).
  await db
    .updateTable('app_user')
    .set({ roles: ['editor'] })
    .where('username', '=', 'bench')
    .execute();
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const s = performance.now();
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: { cookie, 'x-csrf-token': csrf },
      payload: { form: 'xgz_core', period: periodOfDate('quarter', localDate()) },
    });
    times.push((performance.now() - s) / 1000);
    if (res.statusCode !== 201) throw new Error(`national report: ${res.statusCode} ${res.body}`);
    // No province submitted: the consolidation is empty and every live figure is a difference, explained.
    const f = figures as Record<string, number>;
    const off = res
      .json()
      .differences.filter(
        (d: { kind: string; key: string; live: number }) => d.kind === 'total' && d.live !== f[d.key],
      );
    if (off.length)
      throw new Error(
        `national report: the live figures beside it differ from the dashboard's: ${off.map((d: { key: string }) => d.key).join(', ')}`,
      );
  }
  return quantile(times, 0.5);
}
