/**
 * Many clerks at once. A server process on PostgreSQL (bin/xgz.mjs serve, listening on 127.0.0.1)
 * over the demo's data (the demo jurisdiction of one city, 4 counties and their stations, its
 * ledger of E entities imported through the real pipeline, the organizations and work the demo
 * registers), and for S seconds:
 *  - C signed-in clerks at the demo's levels (6 of 10 station staff over the demo's stations,
 *    3 of 10 county editors, 1 of 10 city editors), each running a realistic mix one request after
 *    another with a think time between (uniform 0–2×T): the workbench, the unread count, lists with
 *    filters and paging (entities, organizations, members, cases), an entity's detail (from the
 *    list just read), the dashboard, coverage, the case figures, and exports (xlsx, filtered);
 *  - P public clients submitting appeals to the demo's stations (think time 2×T).
 * Printed: requests/s, p50/p95/p99 by endpoint and overall, errors (any status ≥ 400 or a failed
 * request), the server's resident memory (sampled every second from /proc).
 * Then, the load over, each endpoint again one request at a time (up to 40 of the requests the run
 * sent, replayed): round trips to the database and CPU ms of the server and of its database
 * backends per request, figures a busy shared machine disturbs little (bench/_queries.mjs counts
 * the server's round trips).
 * --cpu-prof DIR writes the server's CPU profile (node --cpu-prof) there at the end.
 * Usage: DATABASE_URL=… npm run bench -- load [--clerks 50] [--seconds 60] [--public 5] [--think-ms 1000] [--entities 20000] [--pool N]
 * XGZ_BENCH_KEEP=1 keeps the database (the demo load takes ~2 minutes); --reuse-database xgz_bench_load_<pid> runs again on it.
 * Prints: RESULT load clerks=N seconds=S requests=… errors=… p95_ms=… p99_ms=… rss_peak_mb=…
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { freePort } from '../test/helpers/net.js';
import { hashPassword } from '../src/crypto/password.js';
import { bootstrap } from '../src/bootstrap.js';
import { buildApp } from '../src/server.js';
import { DEMO, registerDemoOrgs } from '../src/demo/jurisdiction.js';
import { registerDemoWork } from '../src/demo/work.js';
import { seededRandom } from '../src/domain/random.js';
import { takeSystemSnapshots } from '../src/features/indicators/service.js';
import { arg, keptDatabase, scratchDatabase } from './_scratch.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quantile = (xs: number[], q: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] : 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat; 0 once it is gone. */
function cpuSeconds(pid: number): number {
  try {
    const fields = fs
      .readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /, '')
      .split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime (fields 14, 15) in clock ticks
  } catch {
    return 0;
  }
}

type Clerk = {
  username: string;
  level: 'station' | 'county' | 'city';
  code: string;
  children: string[];
  cookie?: string;
};
type Step = { label: string; url: string; detailFrom?: 'entities' };

/** One step of a clerk's mix: what a clerk at that level opens next (weights sum to 100). */
function nextStep(c: Clerk, r: ReturnType<typeof seededRandom>): Step {
  const under = c.level === 'station' ? '' : r.next() < 0.5 ? c.code : r.pick(c.children);
  const u = under ? `&under=${under}` : '';
  const page = r.int(1, 3);
  const x = r.int(0, 99);
  if (x < 12) return { label: 'GET /workbench', url: '/api/v1/workbench' };
  if (x < 20) return { label: 'GET /notifications/unread-count', url: '/api/v1/notifications/unread-count' };
  if (x < 34) {
    const filter = r.pick([
      '',
      '&status=active',
      '&kind=individual',
      '&isNew=true',
      '&coverage=members_no_org',
      '&industry=F',
      '&sort=name',
      '&q=商贸',
    ]);
    return {
      label: 'GET /entities',
      url: `/api/v1/entities?page=${page}&pageSize=20${filter}${u}`,
      detailFrom: 'entities',
    };
  }
  if (x < 42) return { label: 'GET /entities/:id', url: '' }; // filled from the clerk's last entity list
  if (x < 50) return { label: 'GET /orgs', url: `/api/v1/orgs?page=${page}&pageSize=20${u}` };
  if (x < 58)
    return {
      label: 'GET /members',
      url: `/api/v1/members?page=${page}&pageSize=20${r.pick(['', '&linked=true', '&confidence=confirmed'])}`,
    };
  if (x < 68)
    return {
      label: 'GET /appeals',
      url: `/api/v1/appeals?page=${r.int(1, 2)}&pageSize=20${r.next() < 0.3 ? '&overdue=true' : ''}`,
    };
  if (x < 78) return { label: 'GET /dashboard', url: `/api/v1/dashboard${under ? `?under=${under}` : ''}` };
  if (x < 88) return { label: 'GET /coverage', url: `/api/v1/coverage${under ? `?under=${under}` : ''}` };
  if (x < 94) return { label: 'GET /appeals/figures', url: `/api/v1/appeals/figures${under ? `?under=${under}` : ''}` };
  if (x < 97)
    return {
      label: 'GET /entities/export',
      url: `/api/v1/entities/export?isNew=true&kind=${r.pick(['individual', 'enterprise'])}${u}`,
    };
  return { label: 'GET /orgs/export', url: `/api/v1/orgs/export${under ? `?under=${under}` : ''}` };
}

/**
 * Each endpoint's replayed requests one at a time, the load over: per request, the server's round
 * trips (bench/_queries.mjs's counter), CPU ms of the server process and of the database's
 * backends (from /proc, 10 ms ticks: summed over the endpoint's requests before dividing), and the
 * median time.
 */
async function replayOneAtATime(
  base: string,
  replays: Map<string, (() => Promise<Response>)[]>,
  serverPid: number,
  backends: () => Promise<number[]>,
) {
  const queries = async () => ((await (await fetch(`${base}/__bench/queries`)).json()) as { queries: number }).queries;
  const dbCpu = async () => new Map((await backends()).map((pid) => [pid, cpuSeconds(pid)]));
  const out = new Map<string, { n: number; queries: number; serverMs: number; dbMs: number; p50: number }>();
  for (const [label, sends] of replays) {
    const q0 = await queries();
    const db0 = await dbCpu();
    const s0 = cpuSeconds(serverPid);
    const times: number[] = [];
    for (const send of sends) {
      const t = performance.now();
      await (await send()).arrayBuffer();
      times.push(performance.now() - t);
    }
    const s1 = cpuSeconds(serverPid);
    const db1 = await dbCpu();
    const n = sends.length;
    const dbSpent = [...db1].reduce((sum, [pid, c]) => sum + c - (db0.get(pid) ?? 0), 0);
    out.set(label, {
      n,
      queries: ((await queries()) - q0) / n,
      serverMs: ((s1 - s0) * 1000) / n,
      dbMs: (dbSpent * 1000) / n,
      p50: quantile(times, 0.5),
    });
  }
  return out;
}

async function main() {
  if (!process.env.DATABASE_URL) throw new Error('load runs against a server on PostgreSQL: set DATABASE_URL');
  const seconds = Number(arg('seconds', '60'));
  const clerks = Number(arg('clerks', '50'));
  const publics = Number(arg('public', '5'));
  const think = Number(arg('think-ms', '1000'));
  const entities = Number(arg('entities', '20000'));
  const pool = arg('pool', '');
  const cpuProf = arg('cpu-prof', '');
  if (clerks < 1 || clerks > 500 || seconds < 1 || seconds > 1800) throw new Error('--clerks 1–500, --seconds 1–1800');
  const reuse = arg('reuse-database', '');
  const {
    database,
    ctx,
    dir: scratchDir,
    drop,
  } = reuse ? await keptDatabase('load', reuse) : await scratchDatabase('load', 4);
  const dir = scratchDir || fs.mkdtempSync(path.join(os.tmpdir(), 'xgz-load-'));
  const url = (database.pool.options as { connectionString: string }).connectionString;
  let server: ReturnType<typeof spawn> | null = null;
  try {
    if (!reuse) {
      // The demo, as `xgz serve` loads it on first start: the jurisdiction and accounts, the ledger
      // through the import pipeline, then the organizations and work it registers, and the snapshot.
      const t0 = performance.now();

      ctx.config = { ...ctx.config, dataDir: dir, passwordIterations: 1000 };
      await bootstrap(ctx, { demo: true, demoEntities: entities });
      const loader = await buildApp(ctx, { webDist: null, logStream: { write: () => true } });
      await loader.ready();
      await loader.imports.idle();
      await registerDemoOrgs(ctx);
      await registerDemoWork(ctx);
      await takeSystemSnapshots(ctx.db, true);
      await loader.close();
      await sql`VACUUM ANALYZE`.execute(ctx.db);
      console.log(`[postgres] demo loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    const count = async (t: 'entity' | 'party_org' | 'member' | 'appeal_case') =>
      Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(t)}`.execute(ctx.db)).rows[0].n);
    console.log(
      `[postgres] ${(await count('entity')).toLocaleString()} entities, ${(await count('party_org')).toLocaleString()} organizations, ${(await count('member')).toLocaleString()} members, ${(await count('appeal_case')).toLocaleString()} cases`,
    );

    // The clerks: 6 in 10 at the demo's stations, 3 in 10 at its counties, 1 in 10 at the city.
    const stations = await ctx.db
      .selectFrom('jurisdiction')
      .select(['code', 'parent_code'])
      .where('level', '=', 'station')
      .where('parent_code', 'in', DEMO.countyCodes)
      .orderBy('code')
      .execute();
    const run = process.pid.toString(36); // a kept database gets new accounts each run
    const team: Clerk[] = Array.from({ length: clerks }, (_, i) => {
      const slot = i % 10;
      if (slot < 6) {
        const s = stations[(i * 7) % stations.length];
        return { username: `load${run}_station${i}`, level: 'station', code: s.code, children: [] };
      }
      if (slot < 9) {
        const county = DEMO.countyCodes[i % DEMO.countyCodes.length];
        return {
          username: `load${run}_county${i}`,
          level: 'county',
          code: county,
          children: stations.filter((s) => s.parent_code === county).map((s) => s.code),
        };
      }
      return { username: `load${run}_city${i}`, level: 'city', code: DEMO.cityCode, children: [...DEMO.countyCodes] };
    });
    const password = `Pw-${crypto.randomBytes(6).toString('hex')}A`;
    const hash = await hashPassword(password, 1000);
    const scopeOf = new Map(
      (
        await ctx.db
          .selectFrom('jurisdiction')
          .select(['code', 'scope_key'])
          .where('code', 'in', [...new Set(team.map((c) => c.code))])
          .execute()
      ).map((j) => [j.code, j.scope_key]),
    );
    await ctx.db
      .insertInto('app_user')
      .values(
        team.map((c) => ({
          username: c.username,
          display_name: c.username,
          jurisdiction_code: c.code,
          scope_key: scopeOf.get(c.code)!,
          roles: [c.level === 'station' ? 'station_staff' : 'editor'],
          password_hash: hash,
          must_change_password: false,
        })),
      )
      .execute();

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const nodeArgs = [
      '--import',
      path.join(root, 'bench/_queries.mjs'),
      ...(cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(cpuProf)}`] : []),
    ];
    server = spawn(process.execPath, [...nodeArgs, path.join(root, 'bin/xgz.mjs'), 'serve', '--no-demo'], {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: url,
        ...(pool ? { XGZ_DB_POOL: pool } : {}),
        HOST: '127.0.0.1',
        PORT: String(port),
        XGZ_DATA_DIR: dir,
        XGZ_DATA_KEY: Buffer.alloc(32, 9).toString('hex'),
        XGZ_APPEAL_RATE: '1000000',
        XGZ_TRUST_PROXY: '1',
        XGZ_PASSWORD_ITERATIONS: '1000',
        XGZ_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    for (let i = 0; ; i++) {
      if (
        await fetch(`${base}/readyz`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      if (i > 900 || server.exitCode !== null) throw new Error('server did not become ready');
      await sleep(200);
    }
    for (const [i, c] of team.entries()) {
      const res = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.9.${i >> 8}.${i & 255}` },
        body: JSON.stringify({ username: c.username, password }),
      });
      if (res.status !== 200) throw new Error(`login ${c.username}: ${res.status} ${await res.text()}`);
      c.cookie = res.headers.get('set-cookie')!.split(';')[0];
    }
    const levels = {
      station: team.filter((c) => c.level === 'station').length,
      county: team.filter((c) => c.level === 'county').length,
      city: team.filter((c) => c.level === 'city').length,
    };
    console.log(
      `server pid ${server.pid} on ${base}; ${clerks} clerks signed in (${levels.station} station, ${levels.county} county, ${levels.city} city), ${publics} public clients; think time 0–${2 * think} ms; ${seconds} s`,
    );

    const byLabel = new Map<string, { times: number[]; errors: number }>();
    const all: number[] = [];
    let requests = 0;
    let errors = 0;
    const errorSamples: string[] = [];
    const replays = new Map<string, (() => Promise<Response>)[]>(); // the first requests of each endpoint, sent again one at a time
    const call = async (label: string, p: () => Promise<Response>) => {
      const s = performance.now();
      const entry = byLabel.get(label) ?? { times: [], errors: 0 };
      byLabel.set(label, entry);
      const again = replays.get(label) ?? [];
      replays.set(label, again);
      if (again.length < 40) again.push(p);
      try {
        const res = await p();
        const body = Buffer.from(await res.arrayBuffer());
        const t = performance.now() - s;
        entry.times.push(t);
        all.push(t);
        requests++;
        if (res.status >= 400) {
          errors++;
          entry.errors++;
          if (errorSamples.length < 8)
            errorSamples.push(`${label} ${res.status} ${body.toString('utf8').slice(0, 160)}`);
          return null;
        }
        return body;
      } catch (err) {
        requests++;
        errors++;
        entry.errors++;
        if (errorSamples.length < 8) errorSamples.push(`${label} ${String(err)}`);
        return null;
      }
    };
    // CPU used during the run by the server and by the database's backends (the pool's connections): per request,
    // the figure a busy shared machine disturbs least.
    const backends = async () =>
      (
        await sql<{
          pid: number;
        }>`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`.execute(
          ctx.db,
        )
      ).rows.map((r) => r.pid);
    const cpu0 = {
      server: cpuSeconds(server.pid!),
      db: new Map((await backends()).map((pid) => [pid, cpuSeconds(pid)])),
    };
    const rss = { start: rssMb(server.pid!), peak: 0, end: 0 };
    rss.peak = rss.start;
    const sampler = setInterval(() => void (rss.peak = Math.max(rss.peak, rssMb(server!.pid!))), 1000);
    const started = Date.now();
    const until = started + seconds * 1000;
    const clerkLoop = async (i: number) => {
      const c = team[i];
      const r = seededRandom(i + 1); // a deterministic stream per clerk, so two runs ask the same things
      const headers = { cookie: c.cookie! };
      let lastIds: number[] = [];
      await sleep(r.int(0, 2 * think)); // not all at the same moment
      while (Date.now() < until) {
        const step = nextStep(c, r);
        if (step.label === 'GET /entities/:id') {
          if (!lastIds.length) continue;
          step.url = `/api/v1/entities/${r.pick(lastIds)}`;
        }
        const body = await call(step.label, () => fetch(`${base}${step.url}`, { headers }));
        if (body && step.detailFrom)
          lastIds = (JSON.parse(body.toString('utf8')).items as { id: number }[]).map((e) => e.id);
        await sleep(r.int(0, 2 * think));
      }
    };
    const publicLoop = async (i: number) => {
      const r = seededRandom(10_000 + i);
      for (let k = 0; Date.now() < until; k++) {
        const s = r.pick(stations).code;
        await call('POST /public/appeals', () =>
          fetch(`${base}/api/v1/public/appeals`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.8.${i}.${k & 255}` },
            body: JSON.stringify({
              category: k % 4 ? 'parking' : 'rights',
              content: `小区不让电动车进门，送餐只能步行（${i}-${k}）`,
              areaCode: s,
            }),
          }),
        );
        await sleep(r.int(0, 4 * think));
      }
    };
    await Promise.all([
      ...team.map((_, i) => clerkLoop(i)),
      ...Array.from({ length: publics }, (_, i) => publicLoop(i)),
    ]);
    const elapsed = (Date.now() - started) / 1000;
    clearInterval(sampler);
    const serverCpu = cpuSeconds(server.pid!) - cpu0.server;
    const dbCpu = (await backends()).reduce((sum, pid) => sum + cpuSeconds(pid) - (cpu0.db.get(pid) ?? 0), 0);
    rss.end = rssMb(server.pid!);
    rss.peak = Math.max(rss.peak, rss.end);
    const loadAverage = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    const perEndpoint = await replayOneAtATime(base, replays, server.pid!, backends);

    console.log(
      `\n${'endpoint'.padEnd(34)} ${'n'.padStart(6)} ${'err'.padStart(4)} ${'p50'.padStart(8)} ${'p95'.padStart(8)} ${'p99'.padStart(8)}  (ms)`,
    );
    for (const [label, e] of [...byLabel].sort((a, b) => quantile(b[1].times, 0.95) - quantile(a[1].times, 0.95))) {
      console.log(
        `${label.padEnd(34)} ${String(e.times.length).padStart(6)} ${String(e.errors).padStart(4)} ${quantile(e.times, 0.5).toFixed(1).padStart(8)} ${quantile(e.times, 0.95).toFixed(1).padStart(8)} ${quantile(e.times, 0.99).toFixed(1).padStart(8)}`,
      );
    }
    console.log(
      `${'all'.padEnd(34)} ${String(all.length).padStart(6)} ${String(errors).padStart(4)} ${quantile(all, 0.5).toFixed(1).padStart(8)} ${quantile(all, 0.95).toFixed(1).padStart(8)} ${quantile(all, 0.99).toFixed(1).padStart(8)}`,
    );
    if (errorSamples.length) console.log(`error samples:\n  ${errorSamples.join('\n  ')}`);
    console.log(
      `${(requests / elapsed).toFixed(1)} requests/s over ${elapsed.toFixed(1)} s; server RSS ${rss.start.toFixed(0)} MB at start, peak ${rss.peak.toFixed(0)} MB, ${rss.end.toFixed(0)} MB at end`,
    );
    console.log(
      `CPU per request: server ${((serverCpu * 1000) / requests).toFixed(1)} ms, database backends ${((dbCpu * 1000) / requests).toFixed(1)} ms (${serverCpu.toFixed(1)} s and ${dbCpu.toFixed(1)} s in all; load average ${loadAverage})`,
    );
    console.log(
      `\none at a time, after the load (replayed requests):\n${'endpoint'.padEnd(34)} ${'n'.padStart(4)} ${'queries'.padStart(8)} ${'cpu server'.padStart(11)} ${'cpu db'.padStart(8)} ${'p50'.padStart(8)}  (per request, ms)`,
    );
    for (const [label, e] of [...perEndpoint].sort(
      (a, b) => (byLabel.get(b[0])?.times.length ?? 0) - (byLabel.get(a[0])?.times.length ?? 0),
    )) {
      console.log(
        `${label.padEnd(34)} ${String(e.n).padStart(4)} ${e.queries.toFixed(1).padStart(8)} ${e.serverMs.toFixed(1).padStart(11)} ${e.dbMs.toFixed(1).padStart(8)} ${e.p50.toFixed(1).padStart(8)}`,
      );
    }
    // The mix's cost: each endpoint's one-at-a-time figures weighted by its share of the run's requests.
    const mix = (k: 'queries' | 'serverMs' | 'dbMs') =>
      [...perEndpoint].reduce((sum, [label, e]) => sum + e[k] * (byLabel.get(label)?.times.length ?? 0), 0) / requests;
    console.log(
      `${'mix (weighted by the run)'.padEnd(34)} ${''.padStart(4)} ${mix('queries').toFixed(1).padStart(8)} ${mix('serverMs').toFixed(1).padStart(11)} ${mix('dbMs').toFixed(1).padStart(8)}`,
    );
    console.log(
      `RESULT load clerks=${clerks} seconds=${seconds} requests=${requests} errors=${errors} p95_ms=${quantile(all, 0.95).toFixed(1)} p99_ms=${quantile(all, 0.99).toFixed(1)} rss_peak_mb=${rss.peak.toFixed(0)}`,
    );
  } finally {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => server!.once('exit', r));
    }
    await drop();
    if (reuse) fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
