/**
 * Soak: a server process on PostgreSQL under a steady, bounded load for S seconds: C signed-in
 * clerks (station staff, each reading the case work list, their own account and the case
 * figures, with a short pause between requests) and P public clients submitting appeals (each
 * submission checked afterwards: `lost` counts acknowledged ones not in the database). The
 * server's resident memory is sampled every second from /proc.
 * Usage: DATABASE_URL=… npm run bench -- soak [--seconds 600] [--clerks 50] [--public 10] [--think-ms 200]
 * Prints: RESULT soak requests=… errors=… lost=… p95_ms=… rss_start_mb=… rss_peak_mb=… rss_end_mb=…
 */
import fs from 'node:fs';
import { freePort } from '../test/helpers/net.js';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { hashPassword } from '../src/crypto/password.js';
import { trackingHash } from '../src/features/appeals/engine.js';
import { arg, scratchDatabase } from './_scratch.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const STATIONS = ['320102001', '320102002', '320104001', '320105001', '320106001'];

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

async function main() {
  if (!process.env.DATABASE_URL) throw new Error('soak runs against a server on PostgreSQL: set DATABASE_URL');
  const seconds = Number(arg('seconds', '600'));
  const clerks = Number(arg('clerks', '50'));
  const publics = Number(arg('public', '10'));
  const think = Number(arg('think-ms', '200'));
  const { database, ctx, dir, drop } = await scratchDatabase('soak', 2);
  const url = (database.pool.options as { connectionString: string }).connectionString;
  let server: ReturnType<typeof spawn> | null = null;
  try {
    for (const code of STATIONS)
      await ctx.db
        .insertInto('jurisdiction')
        .values({
          code,
          parent_code: code.slice(0, 6),
          level: 'station',
          name: `第${code.slice(-3)}所`,
          scope_key: code,
        })
        .onConflict((c) => c.doNothing())
        .execute();
    const password = `Pw-${crypto.randomBytes(6).toString('hex')}A`;
    const hash = await hashPassword(password, 1000);
    await ctx.db
      .insertInto('app_user')
      .values(
        Array.from({ length: clerks }, (_, i) => ({
          username: `clerk${i}`,
          display_name: `办事员${i}`,
          jurisdiction_code: STATIONS[i % STATIONS.length],
          scope_key: STATIONS[i % STATIONS.length],
          roles: ['station_staff'],
          password_hash: hash,
          must_change_password: false,
        })),
      )
      .execute();

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, [path.join(root, 'bin/xgz.mjs'), 'serve', '--no-demo'], {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: url,
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
    const sessions: string[] = [];
    for (let i = 0; i < clerks; i++) {
      const res = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.9.${i >> 8}.${i & 255}` },
        body: JSON.stringify({ username: `clerk${i}`, password }),
      });
      if (res.status !== 200) throw new Error(`login clerk${i}: ${res.status} ${await res.text()}`);
      sessions.push(res.headers.get('set-cookie')!.split(';')[0]);
    }
    console.log(
      `[postgres] server pid ${server.pid} on ${base}; ${clerks} clerks signed in, ${publics} public clients; ${seconds} s`,
    );

    const times: number[] = [];
    let requests = 0;
    let errors = 0;
    const errorSamples: string[] = [];
    const acknowledged: string[] = [];
    const call = async (p: Promise<Response>) => {
      const s = performance.now();
      try {
        const res = await p;
        const body = await res.text();
        times.push(performance.now() - s);
        requests++;
        if (res.status >= 400) {
          errors++;
          if (errorSamples.length < 5) errorSamples.push(`${res.status} ${body.slice(0, 200)}`);
          return null;
        }
        return body;
      } catch (err) {
        requests++;
        errors++;
        if (errorSamples.length < 5) errorSamples.push(String(err));
        return null;
      }
    };
    const rss = { start: rssMb(server.pid!), peak: 0, end: 0 };
    rss.peak = rss.start;
    const sampler = setInterval(() => void (rss.peak = Math.max(rss.peak, rssMb(server!.pid!))), 1000);
    const until = Date.now() + seconds * 1000;
    const clerkLoop = async (i: number) => {
      const headers = { cookie: sessions[i] };
      const urls = [
        '/api/v1/appeals?pageSize=20',
        '/api/v1/auth/me',
        '/api/v1/appeals/figures',
        '/api/v1/appeals?pageSize=20&overdue=true',
      ];
      for (let k = i; Date.now() < until; k++) {
        await call(fetch(`${base}${urls[k % urls.length]}`, { headers }));
        await sleep(think);
      }
    };
    const publicLoop = async (i: number) => {
      for (let k = 0; Date.now() < until; k++) {
        const body = await call(
          fetch(`${base}/api/v1/public/appeals`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.8.${i}.${k & 255}` },
            body: JSON.stringify({
              category: k % 4 ? 'parking' : 'rights',
              content: `小区不让电动车进门，送餐只能步行（${i}-${k}）`,
              areaCode: STATIONS[k % STATIONS.length],
            }),
          }),
        );
        if (body) acknowledged.push(JSON.parse(body).code);
        await sleep(think * 2);
      }
    };
    await Promise.all([
      ...Array.from({ length: clerks }, (_, i) => clerkLoop(i)),
      ...Array.from({ length: publics }, (_, i) => publicLoop(i)),
    ]);
    clearInterval(sampler);
    rss.end = rssMb(server.pid!);
    rss.peak = Math.max(rss.peak, rss.end);
    const stored = new Set(
      (await ctx.db.selectFrom('appeal_case').select('tracking_hash').execute()).map((r) => r.tracking_hash),
    );
    const lost = acknowledged.filter((c) => !stored.has(trackingHash(c))).length;
    if (errorSamples.length) console.log(`error samples: ${errorSamples.join(' | ')}`);
    console.log(`${acknowledged.length} appeals acknowledged; ${(requests / seconds).toFixed(1)} requests/s`);
    console.log(
      `RESULT soak requests=${requests} errors=${errors} lost=${lost} p95_ms=${quantile(times, 0.95).toFixed(1)} rss_start_mb=${rss.start.toFixed(0)} rss_peak_mb=${rss.peak.toFixed(0)} rss_end_mb=${rss.end.toFixed(0)}`,
    );
  } finally {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => server!.once('exit', r));
    }
    await drop();
  }
}

await main();
