/**
 * Dashboard benchmark. The coverage benchmark's synthetic ledger of N entities (bench/_ledger.ts),
 * plus what the other indicator sources count (an instructor per station with assignments,
 * discovery cases, 三亮 records with plaques); then:
 *  - the month's snapshot of every node with data (the scheduled job's work): seconds;
 *  - GET /api/v1/dashboard through the real app for the nation, a province, a county and a
 *    station: p50/p95, beside a naive recompute of the node's figures straight from the ledger
 *    rows (recomputeCounts) in the same run; the run checks that the two agree;
 *  - POST /api/v1/reports by a nation-level editor: preparing the national 小个专党建工作情况统计表
 *    from live figures (every province's row and the total, stored as a draft): seconds, median
 *    of 3; the run checks its total equals the nation's dashboard figures.
 * Usage: npm run bench -- dashboard [--entities N] [--runs R]   (PostgreSQL with DATABASE_URL, else PGlite)
 */
import { sql } from 'kysely';
import { valuesOf } from '../src/domain/indicators/registry.js';
import { recomputeCounts } from '../src/features/indicators/recompute.js';
import { periodOf, takeSystemSnapshots, trendStart } from '../src/features/indicators/service.js';
import { arg, scratchDatabase } from './_scratch.js';
import { addWorkLedgers, generateLedger } from './_ledger.js';
import { ms, quantile, signedInApp, timeGet, timeNationalReport } from './_api.js';

async function main() {
  const entities = Number(arg('entities', '1000000'));
  const runs = Number(arg('runs', '40'));
  const { database, ctx, drop } = await scratchDatabase('dash');
  const db = database.db;
  try {
    const t0 = performance.now();
    const counties = await generateLedger(db, entities);
    await addWorkLedgers(db);
    await sql`SELECT xgz_coverage_rebuild()`.execute(db);
    await sql`VACUUM ANALYZE`.execute(db); // settle the bulk load, so autovacuum does not run during the timings
    console.log(
      `[${database.kind}] ${entities.toLocaleString()} entities in ${counties.length} counties written, coverage rebuilt in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    // The scheduled job's work: this month's snapshot of every node with data. Eleven earlier
    // months are copies of it, so the trend reads a year of rows as it would in production.
    const s0 = performance.now();
    const nodes = await takeSystemSnapshots(db, true);
    const snapshotS = (performance.now() - s0) / 1000;
    await sql`INSERT INTO indicator_snapshot (jurisdiction_code, scope_key, period, counts, trigger)
      SELECT s.jurisdiction_code, s.scope_key, to_char(to_date(${trendStart(12)}, 'YYYY-MM') + make_interval(months => m), 'YYYY-MM'), s.counts, 'schedule'
      FROM indicator_snapshot s, generate_series(0, 10) m WHERE s.period = ${periodOf()}`.execute(db);
    console.log(`monthly snapshot of ${nodes} nodes with data taken in ${snapshotS.toFixed(1)} s`);

    const { app, cookie, csrf } = await signedInApp(ctx, db);
    const county = counties[0];
    const levels = [
      ['nation', '000000', ''],
      ['province', `${county.slice(0, 2)}0000`, county.slice(0, 2)],
      ['county', county, county],
      ['station', `${county}001`, `${county}001`],
    ] as const;
    const results: Record<string, { p50: number; p95: number; naive: number }> = {};
    for (const [level, code, key] of levels) {
      const { p50, p95, body } = await timeGet(app, cookie, `/api/v1/dashboard?under=${code}`, runs);
      const naive: number[] = [];
      let recomputed: Awaited<ReturnType<typeof recomputeCounts>> | null = null;
      for (let i = 0; i < Math.max(3, Math.min(runs, 10)); i++) {
        const s = performance.now();
        recomputed = await recomputeCounts(db, key);
        naive.push(performance.now() - s);
      }
      if (!recomputed) throw new Error(`${level}: no recompute ran`);
      const api = JSON.parse(body);
      if (JSON.stringify(api.figures) !== JSON.stringify(valuesOf(recomputed)))
        throw new Error(`${level}: dashboard figures differ from the recompute`);
      results[level] = { p50, p95, naive: quantile(naive, 0.5) };
      console.log(
        `  ${level.padEnd(8)} ${code}: API p50 ${ms(p50)} ms  p95 ${ms(p95)} ms   naive recompute of the node's figures p50 ${ms(results[level].naive)} ms   (${api.children.length} children, ${api.trend.length} months; operating ${api.figures.operating.toLocaleString()}, members found ${api.figures.membersFound.toLocaleString()})`,
      );
    }
    const reportS = await timeNationalReport(
      app,
      cookie,
      csrf,
      db,
      JSON.parse((await timeGet(app, cookie, '/api/v1/dashboard', 1)).body).figures,
    );
    console.log(
      `  national report prepared (consolidation of the provinces' submissions, none here, beside the live figures) in ${reportS.toFixed(2)} s (target ≤ 2 s; see also npm run bench -- reports)`,
    );
    await app.close();
    const p95 = Math.max(...Object.values(results).map((r) => r.p95));
    const naiveRatio = results.nation.naive / results.nation.p50;
    console.log(
      `worst API p95 ${ms(p95)} ms (target ≤ 100 ms); the nation's naive recompute takes ${naiveRatio.toFixed(1)}× the dashboard call (which also answers every child and the trend)`,
    );
    console.log(
      `RESULT dashboard entities=${entities} p95_ms=${ms(p95)} naive_ratio=${naiveRatio.toFixed(1)} national_report_s=${reportS.toFixed(2)}`,
    );
  } finally {
    await drop();
  }
}

await main();
