/**
 * The largest list export (issue 18): what a province's or a city's unfiltered 市场主体台账 costs in
 * time and memory at XGZ_EXPORT_MAX_ROWS, and what its refusal costs when the list is longer.
 * The coverage benchmark's synthetic ledger of N entities (bench/_ledger.ts: two provinces, eight
 * counties each), every legal representative with an encrypted ID number (so the masked column
 * decrypts as it does in use); then, through the real app as a province editor:
 *  - GET /entities/export of one province (N/2 rows) and of one county (N/16), masked;
 *  - GET /members/export of the province;
 *  - the province's export again with the limit set one row below it: the 422 and its time.
 * Per export: seconds, file size, the process's peak RSS above its level before, and the longest
 * the event loop was held (what every other request waited).
 * Usage: npm run bench -- export [--entities 400000] [--runs 2] [--reuse-database xgz_bench_export_<pid>]   (PostgreSQL with DATABASE_URL, else PGlite)
 */
import fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { sql } from 'kysely';
import { buildApp } from '../src/server.js';
import { encryptField } from '../src/crypto/field.js';
import { setExportMaxRows } from '../src/http/export-route.js';
import { takeSystemSnapshots } from '../src/features/indicators/service.js';
import { arg, keptDatabase, scratchDatabase } from './_scratch.js';
import { PROVINCES, generateLedger } from './_ledger.js';
import { benchCookie, quantile } from './_api.js';

const loadavg = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

/**
 * The process's resident set, sampled every 20 ms while `work` runs (its peak above the level
 * before), and the longest the event loop was held: every other clerk's request waits that long.
 */
async function withPeakRss<T>(work: () => Promise<T>) {
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  try {
    const value = await work();
    return { value, before, peak: Math.max(peak, process.memoryUsage().rss), heldMs: loop.max / 1e6 };
  } finally {
    loop.disable();
    clearInterval(timer);
  }
}

async function main() {
  const entities = Number(arg('entities', '400000'));
  const runs = Number(arg('runs', '2'));
  const reuse = arg('reuse-database', '');
  const { database, ctx, drop } = reuse ? await keptDatabase('export', reuse) : await scratchDatabase('export');
  const db = database.db;
  try {
    if (!reuse) {
      const t0 = performance.now();
      await generateLedger(db, entities);
      // Every legal representative an ID number, sealed as the import seals it: 1,000 distinct sealed values.
      const sealed = Array.from({ length: 1000 }, (_, i) =>
        encryptField(ctx.keys, `3201021990${String(101 + (i % 28)).padStart(4, '0')}${String(i).padStart(3, '0')}X`),
      );
      await sql`UPDATE person p SET id_enc = (${sealed}::text[])[1 + p.id % 1000]
        FROM entity_person ep WHERE ep.person_id = p.id AND ep.role = 'legal_rep'`.execute(db);
      await sql`VACUUM ANALYZE`.execute(db);
      await takeSystemSnapshots(db, false);
      console.log(
        `[${database.kind}] ${entities.toLocaleString()} entities written in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
    }
    const total = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM entity`.execute(db)).rows[0].n);
    const app = await buildApp(ctx, { webDist: null, logStream: { write: () => true } });
    const province = PROVINCES[0].padEnd(6, '0'); // the tree's codes are six digits: 320000
    const { cookie } = await benchCookie(app, db, 'bench_export', province, ['editor']);
    const county = (
      await db
        .selectFrom('entity')
        .select('county_code')
        .where('county_code', 'like', `${PROVINCES[0]}%`)
        .orderBy('county_code')
        .limit(1)
        .executeTakeFirstOrThrow()
    ).county_code;
    const provinceRows = Number(
      (
        await sql<{ n: string }>`SELECT count(*) AS n FROM entity WHERE county_code LIKE ${PROVINCES[0] + '%'}`.execute(
          db,
        )
      ).rows[0].n,
    );
    console.log(
      `  load average ${loadavg()} (before the timings); export limit ${ctx.config.exportMaxRows.toLocaleString()}`,
    );

    const timeExport = async (label: string, url: string, status = 200) => {
      const seconds: number[] = [];
      let last = { bytes: 0, before: 0, peak: 0, heldMs: 0 };
      for (let i = 0; i < runs; i++) {
        const s = performance.now();
        const {
          value: res,
          before,
          peak,
          heldMs,
        } = await withPeakRss(() => app.inject({ method: 'GET', url, headers: { cookie } }));
        seconds.push((performance.now() - s) / 1000);
        if (res.statusCode !== status) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
        last = { bytes: res.rawPayload.length, before, peak, heldMs };
      }
      const median = quantile(seconds, 0.5);
      console.log(
        `  ${label.padEnd(34)} ${status} in ${median.toFixed(2)} s (median of ${runs})  file ${mb(last.bytes)} MB  RSS ${mb(last.before)} → peak ${mb(last.peak)} MB (+${mb(last.peak - last.before)})  event loop held ≤ ${last.heldMs.toFixed(0)} ms`,
      );
      return { seconds: median, rssDelta: last.peak - last.before, bytes: last.bytes, heldMs: last.heldMs };
    };

    const whole = await timeExport(
      `entities of ${province} (${provinceRows.toLocaleString()} rows)`,
      '/api/v1/entities/export',
    );
    const oneCounty = await timeExport(`entities of ${county}`, `/api/v1/entities/export?under=${county}`);
    const members = await timeExport(`members of ${province}`, '/api/v1/members/export');
    // The same read with the limit one row below the province's list: refused, after reading limit + 1 rows.
    setExportMaxRows(provinceRows - 1);
    const refused = await timeExport('entities, refused (limit − 1)', '/api/v1/entities/export', 422);
    setExportMaxRows(ctx.config.exportMaxRows);
    await app.close();
    const perRowUs = (whole.seconds / provinceRows) * 1e6;
    console.log(
      `  ${perRowUs.toFixed(1)} µs and ${(whole.bytes / provinceRows).toFixed(0)} bytes of file a row; load average ${loadavg()} (after)`,
    );
    console.log(
      `RESULT export entities=${total} rows=${provinceRows} export_s=${whole.seconds.toFixed(2)} rss_delta_mb=${mb(whole.rssDelta)} file_mb=${mb(whole.bytes)} loop_held_ms=${whole.heldMs.toFixed(0)} county_s=${oneCounty.seconds.toFixed(2)} members_s=${members.seconds.toFixed(2)} refused_s=${refused.seconds.toFixed(2)} load1=${loadavg().split(' ')[0]}`,
    );
  } finally {
    await drop();
  }
}

await main();
