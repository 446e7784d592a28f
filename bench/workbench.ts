/**
 * Workbench (今日待办) benchmark. The coverage benchmark's synthetic ledger of N entities
 * (bench/_ledger.ts) with its discovery cases, plus M appeal cases over the same stations (every
 * state, some overdue and escalated), 40 tasks and notices per county to its 12 stations in every
 * state, term ends and honours; then GET /api/v1/workbench through the real app (session, scope,
 * row-level security) for a station clerk and a county editor: p50/p95.
 * Usage: npm run bench -- workbench [--entities N] [--cases M] [--runs R] [--reuse-database xgz_bench_workbench_<pid>]   (PostgreSQL with DATABASE_URL, else PGlite)
 * --reuse-database: a database kept by an earlier run (XGZ_BENCH_KEEP=1), migrated to the current code, timed again without generating.
 */
import { sql } from 'kysely';
import { buildApp } from '../src/server.js';
import { takeSystemSnapshots } from '../src/features/indicators/service.js';
import { arg, keptDatabase, scratchDatabase } from './_scratch.js';
import { addCaseLedger, addWorkLedgers, generateLedger } from './_ledger.js';
import fs from 'node:fs';
import { ms, quantile, timeGet, benchCookie } from './_api.js';
import { todoStatements } from '../src/features/workbench/service.js';
import { readScopedAll } from '../src/db/scoped.js';

const loadavg = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

async function main() {
  const entities = Number(arg('entities', '1000000'));
  const cases = Number(arg('cases', String(entities)));
  const runs = Number(arg('runs', '40'));
  const reuse = arg('reuse-database', '');
  const { database, ctx, drop } = reuse ? await keptDatabase('workbench', reuse) : await scratchDatabase('workbench');
  const db = database.db;
  try {
    if (reuse) {
      const counties = (
        await sql<{
          c: string;
        }>`SELECT DISTINCT issuer_code AS c FROM deployment WHERE title LIKE '基准任务%' ORDER BY 1`.execute(db)
      ).rows.map((r) => r.c);
      const n = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM entity`.execute(db)).rows[0].n);
      await time(counties, n);
      return;
    }
    const t0 = performance.now();
    const counties = await generateLedger(db, entities);
    await addWorkLedgers(db);
    await addCaseLedger(db, counties, cases);
    await sql`VACUUM ANALYZE`.execute(db);
    await time(counties, entities, (performance.now() - t0) / 1000);
  } finally {
    await drop();
  }

  async function time(counties: string[], entities: number, seconds = 0) {
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
        ? `[${database.kind}] reusing ${reuse}: ${entities.toLocaleString()} entities, ${total.toLocaleString()} appeal cases`
        : `[${database.kind}] ${entities.toLocaleString()} entities, ${total.toLocaleString()} appeal cases, ${counties.length * 40} tasks and notices in ${counties.length} counties written in ${seconds.toFixed(1)} s`,
    );

    if (!reuse) await takeSystemSnapshots(db, false); // so the app's start-up snapshot does not run during the timings
    const app = await buildApp(ctx, { webDist: null, logStream: { write: () => true } });
    const cookieOf = async (username: string, code: string, roles: string[]) =>
      (await benchCookie(app, db, username, code, roles)).cookie;
    const county = counties[0];
    const station = `${county}001`;
    const result: Record<string, number> = {};
    console.log(`  load average ${loadavg()} (before the timings)`);
    for (const [who, code, roles] of [
      ['station', station, ['station_staff']],
      ['county', county, ['editor']],
    ] as const) {
      const cookie = await cookieOf(`bench_${who}`, code, [...roles]);
      const user = await db
        .selectFrom('app_user as u')
        .innerJoin('jurisdiction as j', 'j.code', 'u.jurisdiction_code')
        .select(['u.id', 'u.username', 'u.jurisdiction_code', 'j.scope_key'])
        .where('u.username', '=', `bench_${who}`)
        .executeTakeFirstOrThrow();
      const { p50, p95, body } = await timeGet(app, cookie, '/api/v1/workbench', runs);
      const items = JSON.parse(body).items as { kind: string; count: number }[];
      const kinds = [...new Set(items.map((i) => i.kind))].join(',');
      console.log(
        `  ${who.padEnd(8)} ${code}: GET /workbench p50 ${ms(p50)} ms  p95 ${ms(p95)} ms   (${items.length} items of ${kinds})`,
      );
      result[who] = p95;
      // The 待办 statement alone in the database (planning + execution, EXPLAIN ANALYZE under the account's scope and role, as the route runs it): what XGZ costs apart from the machine's queue.
      const statements = todoStatements(
        db,
        { id: user.id, jurisdictionCode: user.jurisdiction_code, scopeKey: user.scope_key },
        new Date(),
      )!;
      const explain = statements.map(({ query }) => ({
        sql: `EXPLAIN (ANALYZE, FORMAT JSON) ${query.sql}`,
        parameters: query.parameters,
        query: query.query,
        queryId: query.queryId,
      }));
      const inDb: number[] = [];
      for (let i = 0; i < runs + 3; i++) {
        const results = await readScopedAll(
          database.pool,
          { userId: user.id, username: user.username, scopeKey: user.scope_key, ip: null },
          explain,
        );
        let total = 0;
        for (const [row] of results) {
          const v = row['QUERY PLAN'];
          const plan = (typeof v === 'string' ? JSON.parse(v) : v) as {
            'Planning Time': number;
            'Execution Time': number;
          }[];
          total += plan[0]['Planning Time'] + plan[0]['Execution Time'];
        }
        if (i >= 3) inDb.push(total);
      }
      result[`${who}_db`] = quantile(inDb, 0.95);
      console.log(
        `  ${''.padEnd(8)} ${''.padEnd(code.length)}  the 待办 statements in the database (plan + run) p50 ${ms(quantile(inDb, 0.5))} ms  p95 ${ms(quantile(inDb, 0.95))} ms`,
      );
      // The floor under it on this machine now: a request that only opens the session and the scoped transaction and counts one index.
      const floor = await timeGet(app, cookie, '/api/v1/notifications/unread-count', runs);
      result[`${who}_floor`] = floor.p95;
      console.log(
        `  ${''.padEnd(8)} ${''.padEnd(code.length)}  floor (GET /notifications/unread-count) p50 ${ms(floor.p50)} ms  p95 ${ms(floor.p95)} ms   (workbench p95 ${ms(p95)} ms)`,
      );
    }
    await app.close();
    const load = loadavg();
    console.log(`  load average ${load} (after the timings)`);
    console.log(
      `RESULT workbench entities=${entities} cases=${total} station_p95_ms=${ms(result.station)} county_p95_ms=${ms(result.county)} station_db_p95_ms=${ms(result.station_db)} county_db_p95_ms=${ms(result.county_db)} station_floor_p95_ms=${ms(result.station_floor)} county_floor_p95_ms=${ms(result.county_floor)} load1=${load.split(' ')[0]}`,
    );
  }
}

await main();
