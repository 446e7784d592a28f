/**
 * Change-feed benchmark (issue 15). The shared synthetic ledger of N entities (bench/_ledger.ts,
 * written with triggers off), then its change log as the triggers would have written it, in
 * transactions of 50,000 rows (so the cursor crosses many xids): an insert per entity,
 * organization and member link, and an update for a tenth of the entities. Then a provincial
 * platform's service account (bound to a province) and a county's walk the feed through the real
 * app (bearer token, rate limit, row-level security, audit of every call), 10,000 changes a page:
 * p50/p95 per page. The run checks the cursors strictly increase and no change is served twice.
 * Usage: npm run bench -- changes [--entities N] [--pages P] [--database xgz_bench_changes_NAME]
 * (PostgreSQL with DATABASE_URL, else PGlite). `--database` (PostgreSQL): the first run builds the
 * data set in that database and keeps it; a later run with the same name reuses it (migrated to the
 * current code, its entity count read from it) and times only the walk.
 */
import fs from 'node:fs';
import { sql } from 'kysely';
import { buildApp } from '../src/server.js';
import { newServiceToken } from '../src/http/service-auth.js';
import { tokenHint } from '../src/domain/auth/service.js';
import { arg, databaseExists, keptDatabase, scratchDatabase } from './_scratch.js';
import { generateLedger } from './_ledger.js';
import { ms, quantile } from './_api.js';

const LIMIT = 10_000;

async function main() {
  let entities = Number(arg('entities', '1000000'));
  const pages = Number(arg('pages', '30'));
  const named = arg('database', '');
  if (named && !/^xgz_bench_changes_\w+$/.test(named)) throw new Error('--database needs a name xgz_bench_changes_…');
  const reuse = named !== '' && (await databaseExists(named));
  const { database, ctx, drop } = reuse
    ? await keptDatabase('changes', named)
    : await scratchDatabase('changes', 4, named || undefined);
  const db = database.db;
  try {
    if (reuse) {
      const [{ n, e }] = (
        await sql<{
          n: number;
          e: number;
        }>`SELECT (SELECT count(*) FROM change_log)::int AS n, (SELECT count(*) FROM entity)::int AS e`.execute(db)
      ).rows;
      entities = Number(e);
      console.log(
        `[${database.kind}] reusing ${named}: ${entities.toLocaleString()} entities, ${Number(n).toLocaleString()} changes logged`,
      );
      await sql`VACUUM ANALYZE change_log`.execute(db);
      await sql`ANALYZE`.execute(db);
    }
    const t0 = performance.now();
    const counties = reuse
      ? (
          await sql<{
            code: string;
          }>`SELECT DISTINCT parent_code AS code FROM jurisdiction WHERE level = 'station' AND name LIKE '第%所' ORDER BY 1`.execute(
            db,
          )
        ).rows.map((r) => r.code)
      : await generateLedger(db, entities);
    if (!reuse) {
      const [{ max }] = (await sql<{ max: number }>`SELECT max(id)::int AS max FROM entity`.execute(db)).rows;
      for (let from = 0; from < Number(max); from += 50_000) {
        await sql`INSERT INTO change_log (kind, object_id, op, scope_key) SELECT 'entity', id, 'insert', scope_key FROM entity WHERE id > ${from} AND id <= ${from + 50_000} ORDER BY id`.execute(
          db,
        );
        await sql`INSERT INTO change_log (kind, object_id, op, scope_key) SELECT 'member_link', id, 'insert', scope_key FROM member_link WHERE entity_id > ${from} AND entity_id <= ${from + 50_000} ORDER BY id`.execute(
          db,
        );
      }
      await sql`INSERT INTO change_log (kind, object_id, op, scope_key) SELECT 'organization', id, 'insert', scope_key FROM party_org ORDER BY id`.execute(
        db,
      );
      for (let from = 0; from < Number(max); from += 500_000) {
        await sql`INSERT INTO change_log (kind, object_id, op, scope_key) SELECT 'entity', id, 'update', scope_key FROM entity WHERE id > ${from} AND id <= ${from + 500_000} AND id % 10 = 3 ORDER BY id`.execute(
          db,
        );
      }
      await sql`VACUUM ANALYZE`.execute(db);
      const [{ n }] = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM change_log`.execute(db)).rows;
      console.log(
        `[${database.kind}] ${entities.toLocaleString()} entities in ${counties.length} counties, ${Number(n).toLocaleString()} changes logged, in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
    }

    const app = await buildApp(ctx, { webDist: null, logStream: { write: () => true } });
    const account = async (code: string) => {
      const j = await db
        .selectFrom('jurisdiction')
        .select(['code', 'scope_key'])
        .where('code', '=', code)
        .executeTakeFirstOrThrow();
      const u = await db
        .insertInto('app_user')
        .values({
          username: `svc-bench-${code}-${process.pid}`,
          display_name: '基准对接',
          jurisdiction_code: j.code,
          scope_key: j.scope_key,
          roles: [],
          password_hash: '!service-account',
          must_change_password: false,
          disabled: true,
          is_service: true,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const { token, hash } = newServiceToken(ctx.keys);
      await db
        .insertInto('service_account')
        .values({
          user_id: u.id,
          name: `基准 ${code}`,
          jurisdiction_code: j.code,
          scope_key: j.scope_key,
          permissions: ['changes.read'],
          token_hash: hash,
          token_hint: tokenHint(token),
          expires_at: new Date(Date.now() + 86_400_000),
          ip_allowlist: ['127.0.0.1'],
          rate_per_minute: 100_000,
        })
        .execute();
      return token;
    };
    // CPU milliseconds of the server processes connected to the bench database (PostgreSQL on this
    // machine; null elsewhere): a figure the shared machine's load inflates far less than wall time.
    const serverCpuMs = async (): Promise<number | null> => {
      if (database.kind !== 'postgres') return null;
      const pids = (
        await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`.execute(db)
      ).rows;
      let t = 0;
      for (const { pid } of pids) {
        try {
          const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
          t += (Number(f[11]) + Number(f[12])) * 10; // utime + stime in 10 ms ticks
        } catch {
          return null;
        }
      }
      return t;
    };
    const walk = async (label: string, code: string) => {
      const token = await account(code);
      const times: number[] = [];
      const cpus: number[] = [];
      const nodeCpus: number[] = [];
      const pgCpus: number[] = [];
      let after = '';
      let served = 0;
      let last: bigint[] = [0n, 0n];
      for (let i = 0; i < pages + 2; i++) {
        const c0 = process.cpuUsage();
        const pg0 = await serverCpuMs();
        const s = performance.now();
        // The answer as a stream of the bytes sent, timed to its last byte: without payloadAsStream,
        // inject itself decodes the 4 MB into a string before it answers (a client's work, ~12 ms a
        // page in this process), and it is parsed after the timing.
        const res = await app.inject({
          method: 'GET',
          url: `/api/v1/exchange/changes?limit=${LIMIT}${after ? `&after=${after}` : ''}`,
          headers: { authorization: `Bearer ${token}` },
          payloadAsStream: true,
        });
        const chunks: Buffer[] = [];
        for await (const chunk of res.stream()) chunks.push(chunk as Buffer);
        const took = performance.now() - s;
        const c1 = process.cpuUsage(c0);
        const pg1 = await serverCpuMs();
        const nodeCpu = (c1.user + c1.system) / 1000;
        const pgCpu = pg0 !== null && pg1 !== null ? pg1 - pg0 : 0;
        const body = Buffer.concat(chunks).toString();
        if (res.statusCode !== 200) throw new Error(`${label}: ${res.statusCode} ${body}`);
        const page = JSON.parse(body) as { items: { cursor: string }[]; next: string; more: boolean };
        // two warm-up pages (plans, caches); a short feed times what it has
        if (i >= 2 || !page.more) {
          times.push(took);
          cpus.push(nodeCpu + pgCpu);
          nodeCpus.push(nodeCpu);
          pgCpus.push(pgCpu);
        }
        for (const it of page.items) {
          const c = it.cursor.split('.').map(BigInt);
          if (!(c[0] > last[0] || (c[0] === last[0] && c[1] > last[1])))
            throw new Error(`${label}: cursor ${it.cursor} does not follow ${last.join('.')}`);
          last = c;
        }
        served += page.items.length;
        after = page.next;
        if (!page.more) break;
      }
      const p50 = quantile(times, 0.5);
      const p95 = quantile(times, 0.95);
      console.log(
        `  ${label.padEnd(9)} ${code}: ${times.length} pages of ${LIMIT.toLocaleString()} (${served.toLocaleString()} changes served in order, none twice): p50 ${ms(p50)} ms  p95 ${ms(p95)} ms; CPU a page (this process${database.kind === 'postgres' ? ' + its server processes' : ''}) p50 ${ms(quantile(cpus, 0.5))} ms` +
          (database.kind === 'postgres'
            ? ` (node ${ms(quantile(nodeCpus, 0.5))} + PostgreSQL ${ms(quantile(pgCpus, 0.5))})`
            : ''),
      );
      return p95;
    };
    const province = await walk('province', `${counties[0].slice(0, 2)}0000`);
    const county = await walk('county', counties[0]);
    await app.close();
    const p95 = Math.max(province, county);
    console.log(`worst page p95 ${ms(p95)} ms (target ≤ 200 ms for 10,000 changes a page)`);
    console.log(`load average ${fs.readFileSync('/proc/loadavg', 'utf8').trim()}`);
    console.log(`RESULT changes entities=${entities} page_p95_ms=${ms(p95)}`);
  } finally {
    await drop();
  }
}

await main();
