/**
 * A province on one PostgreSQL. Builds a province-sized data set and measures what its staff use:
 *  1. the discovery benchmark's generator (entities with an owner and R−1 more roles with ID
 *     numbers, a share of them on the roster with the owners' noise, a hidden ground truth) over
 *     every county of Jiangsu (32) with 12 stations each, written with COPY and set-based SQL
 *     (bench/_discovery.ts; triggers off, coverage rebuilt, VACUUM ANALYZE);
 *  2. discovery over the whole province (runDiscovery, as staff start it): seconds, precision and
 *     recall of the links against the ground truth;
 *  3. the rest of the ledger, set-based (bench/_ledger.ts): organizations over the members found,
 *     instructors with assignments, discovery-independent cases, 三亮 records with plaques,
 *     riders' appeals (one for every 5 entities), tasks and notices, term ends, honours; coverage
 *     rebuilt, this month's snapshot of every node and eleven earlier months;
 *  4. through the real app (session, permission check, row-level security): coverage and
 *     dashboard p95 for the nation, the province, a city, a county and a station (the nation's
 *     naive recompute beside), the workbench of a station clerk and a county editor and the
 *     station's lists (entities, cases, members, organizations), the national report (median of 3);
 *  5. the database's size on disk, and per million entities.
 * Usage: DATABASE_URL=… npm run bench -- province [--entities N] [--roles-per-entity 3] [--member-share 0.035] [--runs 20]
 *   (N defaults to 5,000,000; XGZ_BENCH_KEEP=1 keeps the database; --reuse-database xgz_bench_prov_<pid>
 *   measures a kept one again, migrated to the current code, steps 4 and 5 only: discovery is not re-run;
 *   --load-only stops after step 1 and keeps the database, which --from-loaded xgz_bench_prov_<pid> then
 *   copies (CREATE DATABASE … TEMPLATE, minutes instead of the hour step 1 takes at 5M) for steps 2–5)
 * Prints: RESULT province entities=N discovery_s=… precision=… recall=… coverage_p95_ms=… dashboard_p95_ms=… workbench_p95_ms=… national_report_s=… disk_gb=…
 */
import { sql } from 'kysely';
import { runDiscovery } from '../src/features/discovery/run.js';
import { demoPlaces } from '../src/demo/files.js';
import { recomputeCounts } from '../src/features/indicators/recompute.js';
import { periodOf, takeSystemSnapshots, trendStart } from '../src/features/indicators/service.js';
import { arg, copyDatabase, keptDatabase, scratchDatabase } from './_scratch.js';
import { groundTruth, loadWithSql } from './_discovery.js';
import { addCaseLedger, addOrgLedger, addWorkLedgers } from './_ledger.js';
import { ms, signedInApp, timeGet, timeNationalReport, benchCookie } from './_api.js';

const PROVINCE = '32';
const secs = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);
/** A figure to d places; n/a for one this run did not measure (discovery, on a reused database). */
const fx = (x: number, d: number) => (Number.isNaN(x) ? 'n/a' : x.toFixed(d));
const f3 = (x: number) => fx(x, 3);

async function main() {
  let entities = Number(arg('entities', '5000000'));
  const rolesPerEntity = Number(arg('roles-per-entity', '3'));
  const memberShare = Number(arg('member-share', '0.035'));
  const runs = Number(arg('runs', '20'));
  if (!process.env.DATABASE_URL) throw new Error('province runs on PostgreSQL: set DATABASE_URL');
  const reuse = arg('reuse-database', '');
  const loadOnly = process.argv.includes('--load-only');
  const loaded = arg('from-loaded', '');
  if (loaded) await copyDatabase(loaded, `xgz_bench_prov_${process.pid}`);
  const { database, ctx, drop } = reuse
    ? await keptDatabase('prov', reuse, 8)
    : loaded
      ? await keptDatabase('prov', `xgz_bench_prov_${process.pid}`, 8, !process.env.XGZ_BENCH_KEEP)
      : await scratchDatabase('prov', 8, loadOnly ? `xgz_bench_prov_${process.pid}` : undefined);
  const db = database.db;
  try {
    // Every county of the province, 12 stations each (the discovery generator places entities at them).
    const counties = (
      await db
        .selectFrom('jurisdiction')
        .select('code')
        .where('level', '=', 'county')
        .where('code', 'like', `${PROVINCE}%`)
        .orderBy('code')
        .execute()
    ).map((c) => c.code);
    if (!reuse && !loaded)
      await sql`INSERT INTO jurisdiction (code, parent_code, level, name, scope_key)
      SELECT c.code || lpad(s::text, 3, '0'), c.code, 'station', '第' || s || '所', c.scope_key || lpad(s::text, 3, '0') FROM jurisdiction c, generate_series(1, 12) s
      WHERE c.code = ANY(${counties}::text[])`.execute(db);
    const places = (await demoPlaces(db, counties)).filter((p) => p.streets.length > 0);
    let found = { discoveryS: NaN, precision: NaN, recall: NaN };
    const opts = provinceOptions(places, { entities, rolesPerEntity, memberShare });
    if (!reuse && !loaded) {
      console.log(
        `[postgres] ${entities.toLocaleString()} entities over ${places.length} counties of province ${PROVINCE} (${rolesPerEntity} roles each, member share ${memberShare})`,
      );
      await loadWithSql(database, ctx, opts);
    }
    if (loadOnly) return;
    if (!reuse) found = await build(database, ctx, opts);
    const { discoveryS, precision, recall } = found;
    if (reuse) entities = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM entity`.execute(db)).rows[0].n);

    // Through the real app.
    const { app, cookie, csrf } = await signedInApp(ctx, db);
    const county = places[0].countyCode;
    const station = `${county}001`;
    const levels = [
      ['nation', '000000'],
      ['province', `${PROVINCE}0000`],
      ['city', `${county.slice(0, 4)}00`],
      ['county', county],
      ['station', station],
    ] as const;
    const worst = { coverage: 0, dashboard: 0, workbench: 0 };
    for (const [level, code] of levels) {
      const cov = await timeGet(app, cookie, `/api/v1/coverage?under=${code}`, runs);
      const dash = await timeGet(app, cookie, `/api/v1/dashboard?under=${code}`, runs);
      worst.coverage = Math.max(worst.coverage, cov.p95);
      worst.dashboard = Math.max(worst.dashboard, dash.p95);
      console.log(
        `  ${level.padEnd(8)} ${code.padEnd(9)} coverage p50 ${ms(cov.p50)} p95 ${ms(cov.p95)} ms   dashboard p50 ${ms(dash.p50)} p95 ${ms(dash.p95)} ms${gcNote(cov, dash)}`,
      );
    }
    const n0 = performance.now();
    await recomputeCounts(db, '');
    console.log(`  naive recompute of the nation's figures from the ledger rows: ${secs(n0)} s`);

    const cookieOf = async (username: string, code: string, roles: string[]) =>
      (await benchCookie(app, db, username, code, roles)).cookie;
    const clerk = await cookieOf('bench_station', station, ['station_staff']);
    const editor = await cookieOf('bench_county', county, ['editor']);
    // An entity page (every record that names it, one statement): the station's entity with the most appeals.
    const busiest = await sql<{ id: string }>`
      SELECT coalesce((SELECT c.entity_id FROM appeal_case c WHERE c.entity_id IS NOT NULL AND c.scope_key >= j.scope_key AND c.scope_key < j.scope_key || '~'
        GROUP BY 1 ORDER BY count(*) DESC LIMIT 1), (SELECT e.id FROM entity e WHERE e.station_code = j.code LIMIT 1)) AS id
      FROM jurisdiction j WHERE j.code = ${station}`.execute(db);
    const work: [string, string, string][] = [
      ['station workbench', clerk, '/api/v1/workbench'],
      ['station entity page', clerk, `/api/v1/entities/${busiest.rows[0].id}`],
      ['station entity page, its records', clerk, `/api/v1/entities/${busiest.rows[0].id}/records`],
      ['county workbench', editor, '/api/v1/workbench'],
      ['station entities, page 1', clerk, '/api/v1/entities?page=1&pageSize=20'],
      ['station entities, filtered page 3', clerk, '/api/v1/entities?page=3&pageSize=20&kind=individual&status=active'],
      ['station cases', clerk, '/api/v1/appeals?page=1&pageSize=20'],
      ['station members', clerk, '/api/v1/members?page=1&pageSize=20'],
      ['station organizations', clerk, '/api/v1/orgs?page=1&pageSize=20'],
    ];
    for (const [label, who, url] of work) {
      const t = await timeGet(app, who, url, runs);
      worst.workbench = Math.max(worst.workbench, t.p95);
      console.log(`  ${label.padEnd(34)} p50 ${ms(t.p50)} p95 ${ms(t.p95)} ms${gcNote(t)}`);
    }
    const nation = JSON.parse((await timeGet(app, cookie, '/api/v1/dashboard', 1)).body).figures;
    const reportS = await timeNationalReport(app, cookie, csrf, db, nation);
    await app.close();

    const bytes = Number(
      (await sql<{ b: string }>`SELECT pg_database_size(current_database()) AS b`.execute(db)).rows[0].b,
    );
    const diskGb = bytes / 1e9;
    console.log(
      `national report ${reportS.toFixed(2)} s; database ${diskGb.toFixed(2)} GB, ${(diskGb / (entities / 1e6)).toFixed(2)} GB per million entities`,
    );
    console.log(
      `goals: discovery < 300 s, coverage p95 ≤ 50 ms, dashboard p95 ≤ 100 ms, workbench and station lists p95 ≤ 100 ms, national report ≤ 2 s`,
    );
    console.log(
      `RESULT province entities=${entities} discovery_s=${fx(discoveryS, 1)} precision=${f3(precision)} recall=${f3(recall)} coverage_p95_ms=${ms(worst.coverage)} dashboard_p95_ms=${ms(worst.dashboard)} workbench_p95_ms=${ms(worst.workbench)} national_report_s=${reportS.toFixed(2)} disk_gb=${diskGb.toFixed(2)}`,
    );
  } finally {
    await drop();
  }
}

/** Step 1's generator options: the same for loading and for the ground truth read back after a copy. */
function provinceOptions(
  places: Awaited<ReturnType<typeof demoPlaces>>,
  { entities, rolesPerEntity, memberShare }: { entities: number; rolesPerEntity: number; memberShare: number },
) {
  return { entities, seed: 18, badShare: 0, places, today: new Date('2026-11-27'), rolesPerEntity, memberShare };
}

/** Steps 2–3 on the loaded ledger: discovery and the rest of the ledger; returns discovery's time and accuracy. */
async function build(
  database: Awaited<ReturnType<typeof scratchDatabase>>['database'],
  ctx: Awaited<ReturnType<typeof scratchDatabase>>['ctx'],
  opts: ReturnType<typeof provinceOptions>,
) {
  const db = database.db;
  const entities = opts.entities;
  const { truth } = groundTruth(ctx, opts);

  // Discovery over the province, as a nation-level run would start it.
  const run = await db.insertInto('discovery_run').values({ scope_key: '' }).returning('id').executeTakeFirstOrThrow();
  let t0 = performance.now();
  const counts = await runDiscovery(ctx, { userId: null, username: 'bench', scopeKey: '', ip: null }, run.id);
  const discoveryS = (performance.now() - t0) / 1000;
  const links = await sql<{
    key: string;
    uscc: string;
  }>`SELECT m.roster_key AS key, e.uscc FROM member_link l JOIN member m ON m.id = l.member_id JOIN entity e ON e.id = l.entity_id WHERE m.roster_key IS NOT NULL`.execute(
    db,
  );
  const correct = links.rows.filter((l) => truth.get(l.key) === l.uscc).length;
  const precision = links.rows.length ? correct / links.rows.length : 1;
  const recall = truth.size ? correct / truth.size : 1;
  console.log(
    `discovery: ${discoveryS.toFixed(1)} s (${counts.candidates.toLocaleString()} candidate pairs, ${counts.exact.toLocaleString()} exact); links precision ${f3(precision)} recall ${f3(recall)} (${links.rows.length.toLocaleString()} links, ${truth.size.toLocaleString()} in the truth)`,
  );
  const s = (k: string) => (counts[k] / 1000).toFixed(1);
  console.log(
    `  steps: exact ${s('exactMs')} s, load ${s('loadMs')} s, scoring ${s('scoreMs')} s, links ${s('linksMs')} s (${counts.added.toLocaleString()} added; and before, beside the load, the exact ones ${s('exactLinksMs')} s), cases ${s('casesMs')} s (query ${s('casesQueryMs')}, writing ${s('casesWriteMs')}; ${counts.raised.toLocaleString()} raised)`,
  );

  // The rest of the ledger, then coverage, the tallies and the snapshots.
  t0 = performance.now();
  await addOrgLedger(db);
  await addWorkLedgers(db);
  await addCaseLedger(
    db,
    opts.places.map((p) => p.countyCode),
    Math.round(entities / 5),
  );
  await sql`SELECT xgz_coverage_rebuild()`.execute(db);
  await sql`SELECT xgz_member_tally_rebuild()`.execute(db);
  await sql`VACUUM ANALYZE`.execute(db);
  const snapshotNodes = await takeSystemSnapshots(db, true);
  await sql`INSERT INTO indicator_snapshot (jurisdiction_code, scope_key, period, counts, trigger)
    SELECT s.jurisdiction_code, s.scope_key, to_char(to_date(${trendStart(12)}, 'YYYY-MM') + make_interval(months => m), 'YYYY-MM'), s.counts, 'schedule'
    FROM indicator_snapshot s, generate_series(0, 10) m WHERE s.period = ${periodOf()}`.execute(db);
  const size = (
    await sql<{
      t: string;
      n: number;
    }>`SELECT t, n FROM (VALUES ('entities', (SELECT count(*) FROM entity)), ('roles', (SELECT count(*) FROM entity_person)), ('members', (SELECT count(*) FROM member)),
    ('organizations', (SELECT count(*) FROM party_org)), ('instructors', (SELECT count(*) FROM instructor)), ('plaques', (SELECT count(*) FROM sanliang_plaque)),
    ('discovery cases', (SELECT count(*) FROM discovery_case)), ('appeal cases', (SELECT count(*) FROM appeal_case))) v(t, n)`.execute(
      db,
    )
  ).rows;
  console.log(
    `ledger completed, coverage rebuilt, snapshot of ${snapshotNodes} nodes in ${secs(t0)} s: ${size.map((r) => `${Number(r.n).toLocaleString()} ${r.t}`).join(', ')}`,
  );
  return { discoveryS, precision, recall };
}

await main();

/** Which timed requests a major garbage collection of the bench's own process overlapped. */
function gcNote(...timed: { gc: { requests: number; longestMs: number } }[]): string {
  const requests = timed.reduce((n, t) => n + t.gc.requests, 0);
  if (!requests) return '';
  return `   (${requests} of them during a major GC, longest ${ms(Math.max(...timed.map((t) => t.gc.longestMs)))} ms)`;
}
