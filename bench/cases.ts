/**
 * Case engine benchmark. N cases (three doors, every state, step times, some overdue) over 16
 * counties of 2 provinces with 12 stations a county, plus visits (N/10 over N/20 entities),
 * written with set-based SQL; then through the real app (session, scope, RLS):
 *  (a) the station work list (GET /api/v1/appeals, default order and with filters) as a station
 *      clerk, and the figures (GET /api/v1/appeals/figures) as a county editor: p50/p95;
 *  (b) public submissions (POST /api/v1/public/appeals) over HTTP on 127.0.0.1 for S seconds
 *      from C concurrent clients (the public rate limit lifted for the run), half with a phone
 *      (SM4-encrypted): submissions/s, p50/p95 latency, and count in = count stored (`lost`).
 * Usage: npm run bench -- cases [--cases N] [--seconds S] [--clients C] [--runs R] [--reuse-database xgz_bench_cases_<pid>]
 * (PostgreSQL with DATABASE_URL, else PGlite)
 */
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { sql, type Kysely } from 'kysely';
import { buildApp } from '../src/server.js';
import { runEscalation } from '../src/features/appeals/engine.js';
import { takeSystemSnapshots } from '../src/features/indicators/service.js';
import type { DB } from '../src/db/schema.js';
import { benchCookie } from './_api.js';
import { arg, keptDatabase, scratchDatabase } from './_scratch.js';

const PROVINCES = ['32', '33'];
const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const ms = (x: number) => x.toFixed(1);

async function main() {
  const n = Number(arg('cases', '1000000'));
  const seconds = Number(arg('seconds', '60'));
  const clients = Number(arg('clients', '32'));
  const runs = Number(arg('runs', '40'));
  // A server's pool (the app's default is 10): concurrent commits share WAL flushes.
  const reuse = arg('reuse-database', '');
  const pool = Number(arg('pool', '16'));
  const { database, ctx, drop } = reuse
    ? await keptDatabase('cases', reuse, pool)
    : await scratchDatabase('cases', pool);
  const db = database.db;
  try {
    const t0 = performance.now();
    const counties = reuse ? await reused(db) : await generate(db, n);
    await sql`VACUUM ANALYZE`.execute(db);
    const total = Number(
      (
        await db
          .selectFrom('appeal_case')
          .select((e) => e.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    console.log(
      reuse
        ? `[${database.kind}] reusing ${reuse}: ${total.toLocaleString()} cases in ${counties.length} counties`
        : `[${database.kind}] ${n.toLocaleString()} cases, ${Math.floor(n / 10).toLocaleString()} visits in ${counties.length} counties written in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    // The escalation job runs when the app starts and moves a case one level a run: run it until
    // nothing moves, so it does not run during the timings (nor keep the app's close waiting),
    // and the cases are in the state it leaves them.
    const t1 = performance.now();
    const moved = { escalated: 0, closed: 0, runs: 0 };
    for (let run = { escalated: 1, closed: 0 }; run.escalated + run.closed > 0; moved.runs++) {
      run = await runEscalation(db, await ctx.settings.get('cases'), new Date());
      moved.escalated += run.escalated;
      moved.closed += run.closed;
    }
    console.log(
      `escalation job over the generated cases: ${moved.escalated.toLocaleString()} escalations, ${moved.closed.toLocaleString()} closed in ${moved.runs} runs, ${((performance.now() - t1) / 1000).toFixed(1)} s`,
    );
    await sql`VACUUM ANALYZE`.execute(db);
    // Likewise the month's indicator snapshot (taken at start when the month has none).
    const t2 = performance.now();
    await takeSystemSnapshots(db, true);
    console.log(`indicator snapshot of the month in ${((performance.now() - t2) / 1000).toFixed(1)} s`);

    // The public rate limit and the county's daily cap (with each address's share of it) are deployment
    // settings: the run, all from one address, lifts them for itself.
    const app = await buildApp(
      { ...ctx, config: { ...ctx.config, appealRatePerMinute: 1e9, appealCountyDaily: 1e9, logLevel: 'silent' } },
      { webDist: null, logStream: { write: () => true } },
    );
    const station = `${counties[0]}001`;
    const cookieOf = async (username: string, code: string, roles: string[]) =>
      (await benchCookie(app, db, username, code, roles)).cookie;
    const clerk = await cookieOf('bench_station', station, ['station_staff']);
    const editor = await cookieOf('bench_county', counties[0], ['editor']);
    const stationCases = Number(
      (
        await db
          .selectFrom('appeal_case')
          .select((e) => e.fn.countAll<number>().as('n'))
          .where('scope_key', '=', station)
          .executeTakeFirstOrThrow()
      ).n,
    );
    const countyCases = Number(
      (
        await db
          .selectFrom('appeal_case')
          .select((e) => e.fn.countAll<number>().as('n'))
          .where('scope_key', 'like', `${counties[0]}%`)
          .executeTakeFirstOrThrow()
      ).n,
    );

    const time = async (label: string, url: string, cookie: string) => {
      const times: number[] = [];
      for (let i = 0; i < runs + 3; i++) {
        const s = performance.now();
        const res = await app.inject({ method: 'GET', url, headers: { cookie } });
        if (i >= 3) times.push(performance.now() - s); // the first calls warm caches and plans
        if (res.statusCode !== 200) throw new Error(`${label}: ${res.statusCode} ${res.body}`);
      }
      console.log(
        `  ${label.padEnd(44)} p50 ${ms(quantile(times, 0.5)).padStart(6)} ms   p95 ${ms(quantile(times, 0.95)).padStart(6)} ms`,
      );
      return quantile(times, 0.95);
    };
    console.log(
      `(a) a station clerk's work list (the station holds ${stationCases.toLocaleString()} cases; the county ${countyCases.toLocaleString()}):`,
    );
    const lists = [
      await time('work list, default order (open first by due)', '/api/v1/appeals', clerk),
      await time('work list, overdue only', '/api/v1/appeals?overdue=true', clerk),
      await time(
        'work list, rider door, state routed, page 3',
        '/api/v1/appeals?door=rider&state=routed&page=3',
        clerk,
      ),
    ];
    await time('county editor work list (whole county)', '/api/v1/appeals', editor);
    const figures = await time('figures, county (by station)', `/api/v1/appeals/figures?under=${counties[0]}`, editor);
    await time('figures, one station', `/api/v1/appeals/figures?under=${station}`, editor);
    const worklistP95 = Math.max(...lists);

    // (b) public submissions over HTTP.
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api/v1/public/appeals`;
    const before = Number(
      (
        await db
          .selectFrom('appeal_case')
          .select((e) => e.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    // The clients run in a worker thread, so their HTTP work does not share the server's event loop.
    const s0 = performance.now();
    const { latencies, accepted, refused } = await new Promise<{
      latencies: number[];
      accepted: number;
      refused: number;
    }>((resolve, reject) => {
      const w = new Worker(CLIENTS, { eval: true, workerData: { base, seconds, clients, counties } });
      // Ending the worker closes its keep-alive sockets; else closing the server waits on them (a 1M run hung there).
      w.once('message', (m) => void w.terminate().then(() => resolve(m)));
      w.once('error', reject);
    });
    const elapsed = (performance.now() - s0) / 1000;
    const after = Number(
      (
        await db
          .selectFrom('appeal_case')
          .select((e) => e.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    const lost = accepted - (after - before);
    const perS = accepted / elapsed;
    console.log(
      `(b) public submissions, ${clients} clients for ${elapsed.toFixed(1)} s: ${accepted.toLocaleString()} accepted (${refused} refused), ${perS.toFixed(0)}/s, p50 ${ms(quantile(latencies, 0.5))} ms, p95 ${ms(quantile(latencies, 0.95))} ms; stored ${(after - before).toLocaleString()}, lost ${lost}`,
    );
    console.log(
      `RESULT cases cases=${total} worklist_p95_ms=${ms(worklistP95)} figures_p95_ms=${ms(figures)} submit_per_s=${perS.toFixed(0)} submit_p95_ms=${ms(quantile(latencies, 0.95))} lost=${lost}`,
    );
    await app.close();
  } finally {
    await drop();
  }
}

/**
 * The load: C clients, each posting one appeal after another for S seconds; half give a phone.
 * Plain node:http over keep-alive sockets (one per client): the load generator shares the
 * machine's two cores with the server and the database, and fetch costs it about twice the CPU.
 */
const CLIENTS = `
const { parentPort, workerData: { base, seconds, clients, counties } } = require('node:worker_threads');
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
const categories = ['entry', 'upstairs', 'parking', 'charging', 'rights', 'food_clue', 'other'];
const latencies = [];
let accepted = 0, refused = 0;
const end = performance.now() + seconds * 1000;
const post = (body) => new Promise((resolve, reject) => {
  const req = http.request(base, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
    res.resume();
    res.on('end', () => resolve(res.statusCode));
  });
  req.on('error', reject);
  req.end(body);
});
async function client(w) {
  for (let i = 0; performance.now() < end; i++) {
    const body = JSON.stringify({
      category: categories[(w + i) % categories.length], content: '基准诉求 ' + w + '-' + i + '：小区不让骑手进门，送餐要步行很远',
      areaCode: counties[(w + i) % counties.length] + String(1 + (i % 12)).padStart(3, '0'),
      ...(i % 2 ? { phone: '139' + String(10000000 + w * 100000 + i).slice(-8) } : {}),
    });
    const s = performance.now();
    const status = await post(body);
    latencies.push(performance.now() - s);
    if (status === 201) accepted++; else refused++;
  }
}
Promise.all(Array.from({ length: clients }, (_, w) => client(w))).then(() => { agent.destroy(); parentPort.postMessage({ latencies, accepted, refused }); });
`;

/** A kept database's counties (those the generator gave stations), its benchmark accounts removed so the run can make them again. */
async function reused(db: Kysely<DB>): Promise<string[]> {
  await db.deleteFrom('app_user').where('username', 'like', 'bench_%').execute();
  const rows = await sql<{
    code: string;
  }>`SELECT DISTINCT parent_code AS code FROM jurisdiction WHERE level = 'station' AND name LIKE '第%所' ORDER BY 1`.execute(
    db,
  );
  return rows.rows.map((r) => r.code);
}

/**
 * The synthetic cases: 60% riders', 30% visit problems, 10% plaque reports; riders' and plaque
 * reports at a station, visit problems at the county's business lines. States as a working
 * year leaves them (mostly closed, a tail open, some of those overdue and escalated), with
 * step times in hours to days. Written in one connection with SQL, not through the API.
 */
async function generate(db: Kysely<DB>, n: number): Promise<string[]> {
  const all = (
    await db
      .selectFrom('jurisdiction')
      .select('code')
      .where('level', '=', 'county')
      .where(sql<boolean>`left(code, 2) IN (${sql.join(PROVINCES)})`)
      .orderBy('code')
      .execute()
  ).map((c) => c.code);
  const counties = PROVINCES.flatMap((p) =>
    all
      .filter((c) => c.startsWith(p))
      .filter((_, i) => i % 6 === 0)
      .slice(0, 8),
  );
  await sql`INSERT INTO jurisdiction (code, parent_code, level, name, scope_key)
    SELECT c || lpad(s::text, 3, '0'), c, 'station', '第' || s || '所', c || lpad(s::text, 3, '0') FROM unnest(${counties}::text[]) c, generate_series(1, 12) s`.execute(
    db,
  );
  const entities = Math.max(1, Math.floor(n / 20));
  await sql`INSERT INTO entity (kind, reg_no, name, status, registered_on, county_code, station_code, scope_key, industry_section)
    SELECT 'individual', (100000000000000 + i)::text, '主体' || i, 'active', date '2020-01-01' + (i % 2000), cc, cc || lpad((1 + (i / 16) % 12)::text, 3, '0'), cc || lpad((1 + (i / 16) % 12)::text, 3, '0'), 'F'
    FROM generate_series(1, ${entities}) i, LATERAL (SELECT (${counties}::text[])[1 + i % ${counties.length}] AS cc) x`.execute(
    db,
  );
  await sql`INSERT INTO visit_record (entity_id, county_code, scope_key, visited_on, visitor_name, learned)
    SELECT e.id, e.county_code, e.scope_key, date '2026-01-01' + (v % 300), '走访人', '经营正常'
    FROM generate_series(1, ${Math.floor(n / 10)}) v JOIN entity e ON e.id = 1 + (v * 7919) % ${entities}`.execute(db);
  await sql`
    INSERT INTO appeal_case (door, category, content, county_code, unit_kind, unit_code, unit_line, scope_key, raised_key, state, step_started_at, due_at,
      escalation_level, escalated_key, public_reply, resolved_at, closed_at, satisfaction, route_ms, accept_ms, resolve_ms, feedback_ms, tracking_hash, created_at, updated_at)
    SELECT door, cat, '基准诉求内容 ' || i, cc, CASE WHEN door = 'visit' THEN 'bureau' ELSE 'station' END, unit, CASE WHEN door = 'visit' THEN cat END, unit, unit,
      st, created + interval '1 hour' * (i % 48), CASE WHEN st IN ('routed','accepted','handling') THEN created + interval '1 hour' * (i % 48) + interval '1 day' * CASE WHEN st = 'routed' THEN 2 ELSE 15 END END,
      CASE WHEN overdue THEN 1 ELSE 0 END, CASE WHEN overdue THEN cc END,
      CASE WHEN st IN ('resolved','closed') THEN '已办结' END, CASE WHEN st IN ('resolved','closed') THEN created + interval '1 day' * (1 + i % 20) END,
      CASE WHEN st = 'closed' THEN created + interval '1 day' * (2 + i % 25) END, CASE WHEN st = 'closed' AND i % 3 > 0 THEN 1 + (i * 7) % 5 END,
      0, CASE WHEN st <> 'routed' THEN 3600000 * (1 + i % 60) END, CASE WHEN st IN ('resolved','closed') THEN 3600000 * (10 + i % 400) END, CASE WHEN st = 'closed' THEN 3600000 * (1 + i % 150) END,
      CASE WHEN door <> 'visit' THEN md5('bench' || i) END, created, created
    FROM generate_series(1::bigint, ${n}) i,
      LATERAL (SELECT CASE WHEN i % 10 < 6 THEN 'rider' WHEN i % 10 < 9 THEN 'visit' ELSE 'plaque' END AS door,
                      (${counties}::text[])[1 + i % ${counties.length}] AS cc,
                      timestamptz '2026-11-27' - interval '1 minute' * ((i * 7919) % 525600) AS created,
                      (ARRAY['closed','closed','closed','closed','closed','closed','resolved','handling','accepted','routed'])[1 + (i / 10) % 10] AS st) a,
      LATERAL (SELECT CASE door WHEN 'rider' THEN (ARRAY['entry','upstairs','parking','charging','rights','food_clue','other'])[1 + i % 7]
                                WHEN 'visit' THEN (ARRAY['quality','metrology','registration','credit','online','food','standards','certification','special_equipment','other'])[1 + i % 10]
                                ELSE (ARRAY['identity','conduct','plaque','other'])[1 + i % 4] END AS cat,
                      CASE WHEN door = 'visit' THEN cc ELSE cc || lpad((1 + (i / 16) % 12)::text, 3, '0') END AS unit,
                      (i / 10) % 10 >= 7 AND i % 5 = 0 AS overdue) b`.execute(db);
  return counties;
}

await main();
