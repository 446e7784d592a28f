/**
 * Reports benchmark: the national consolidated report from the level-by-level submissions.
 *  - ~30,000 stations (about 11 under each of 2,800 counties) are added to the jurisdiction tree,
 *    each with a submitted 小个专党建工作情况统计表 (deterministic synthetic figures, written with SQL);
 *  - each county's submission is the sum of its stations' (written with SQL, as the consolidation
 *    would write it: one row per station with the version used, and the total);
 *  - timed: every city, then every province, prepares its report with the real consolidation
 *    (prepareData: children's latest versions + own rows + live figures for the differences) and
 *    submits it (chain_s); then the nation prepares through the API (POST /api/v1/reports,
 *    session, permission, row-level security): national_s, median of 3;
 *  - checked: the national total equals the sum of all station submissions, count by count.
 * The ledger itself is empty (the live figures beside the consolidation are all zero): what is
 * measured is the consolidation. Usage: npm run bench -- reports [--counties N] [--stations M]
 * (PostgreSQL with DATABASE_URL, else PGlite).
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../src/db/schema.js';
import type { JurisdictionLevel } from '../src/domain/jurisdiction/codes.js';
import { COUNT_KEYS } from '../src/domain/indicators/registry.js';
import { FORMS, periodOfDate } from '../src/domain/reports/forms.js';
import { localDate } from '../src/domain/time/zone.js';
import { prepareData } from '../src/features/reports/service.js';
import { arg, scratchDatabase } from './_scratch.js';
import { quantile, signedInApp } from './_api.js';

const FORM = FORMS.xgz_core;

async function main() {
  const wantCounties = Number(arg('counties', '2800'));
  const wantStations = Number(arg('stations', '30000'));
  const { database, ctx, drop } = await scratchDatabase('reports');
  const db = database.db;
  const period = periodOfDate('quarter', localDate());
  try {
    const t0 = performance.now();
    const counties = (
      await sql<{
        code: string;
      }>`SELECT code FROM jurisdiction WHERE level = 'county' ORDER BY code LIMIT ${wantCounties}`.execute(db)
    ).rows.map((r) => r.code);
    const per = wantStations / counties.length;
    // Stations: county i gets round(i·per) − round((i−1)·per) of them, so the total is the one asked for.
    await sql`INSERT INTO jurisdiction (code, parent_code, level, name, scope_key)
      SELECT c.code || lpad(n::text, 3, '0'), c.code, 'station', '第' || lpad(n::text, 3, '0') || '所', c.code || lpad(n::text, 3, '0')
      FROM unnest(${counties}::text[]) WITH ORDINALITY AS c(code, i),
        generate_series(1, (round(c.i * ${per}::float8) - round((c.i - 1) * ${per}::float8))::int) n`.execute(db);
    const stations = Number(
      (await sql<{ n: number }>`SELECT count(*)::int AS n FROM jurisdiction WHERE level = 'station'`.execute(db))
        .rows[0].n,
    );
    await writeStationSubmissions(db, period);
    await sql`ANALYZE`.execute(db);
    await writeCountySubmissions(db, period, counties);
    await sql`ANALYZE`.execute(db);
    console.log(
      `[${database.kind}] ${counties.length.toLocaleString()} county and ${stations.toLocaleString()} station submissions written in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    // Cities, then provinces: the real consolidation, level by level, as the system.
    const c0 = performance.now();
    let prepared = 0;
    for (const level of ['city', 'province'] as const) {
      const nodes = (
        await sql<{ code: string; name: string; level: JurisdictionLevel; scope_key: string }>`
        SELECT code, name, level, scope_key FROM jurisdiction j WHERE level = ${level}
          AND EXISTS (SELECT 1 FROM report r JOIN jurisdiction c ON c.code = r.jurisdiction_code WHERE c.parent_code = j.code AND r.form = ${FORM.code} AND r.period = ${period} AND r.state = 'submitted')`.execute(
          db,
        )
      ).rows;
      for (const node of nodes) {
        await db.transaction().execute(async (tx) => {
          await sql`SELECT set_config('xgz.scope', '', true)`.execute(tx);
          const data = await prepareData(tx, node, FORM, period, { source: 'live', month: null, liveReason: null });
          const r = await tx
            .insertInto('report')
            .values({
              form: FORM.code,
              period,
              jurisdiction_code: node.code,
              scope_key: node.scope_key,
              state: 'submitted',
              version: 1,
              data: JSON.stringify(data),
            })
            .returning('id')
            .executeTakeFirstOrThrow();
          await tx
            .insertInto('report_version')
            .values({
              report_id: r.id,
              version: 1,
              form: FORM.code,
              period,
              jurisdiction_code: node.code,
              scope_key: node.scope_key,
              data: JSON.stringify(data),
              note: null,
              checks: '[]',
              acknowledgement: null,
              submitted_by: null,
              explanation: null,
              submitted_by_name: '基准',
            })
            .execute();
        });
        prepared++;
      }
    }
    const chainS = (performance.now() - c0) / 1000;
    console.log(`  ${prepared} city and province reports consolidated and submitted in ${chainS.toFixed(2)} s`);

    const { app, cookie, csrf } = await signedInApp(ctx, db);
    await db
      .updateTable('app_user')
      .set({ roles: ['editor'] })
      .where('username', '=', 'bench')
      .execute();
    const times: number[] = [];
    let total: Record<string, number> = {};
    for (let i = 0; i < 3; i++) {
      const s = performance.now();
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/reports',
        headers: { cookie, 'x-csrf-token': csrf },
        payload: { form: FORM.code, period },
      });
      times.push((performance.now() - s) / 1000);
      if (res.statusCode !== 201) throw new Error(`national report: ${res.statusCode} ${res.body}`);
      total = res.json().rows.at(-1);
    }
    await app.close();
    // The check: the nation's total is the sum of every station's submission.
    const {
      rows: [sum],
    } = await sql<Record<string, number>>`
      SELECT ${sql.join(COUNT_KEYS.map((k) => sql`sum((v.data -> 'rows' -> 1 -> 'counts' ->> ${k})::bigint)::float8 AS ${sql.ref(k)}`))}
      FROM report_version v JOIN jurisdiction j ON j.code = v.jurisdiction_code WHERE j.level = 'station'`.execute(db);
    const wrong = COUNT_KEYS.filter((k) => Number(total[k]) !== Number(sum[k]));
    if (wrong.length) throw new Error(`national total differs from the stations' sum: ${wrong.join(', ')}`);
    const nationalS = quantile(times, 0.5);
    console.log(
      `  national report prepared through the API in ${nationalS.toFixed(2)} s (median of 3; target ≤ 2 s); its total equals the sum of the ${stations.toLocaleString()} station submissions (operating ${Number(total.operating).toLocaleString()})`,
    );
    console.log(
      `RESULT reports counties=${counties.length} stations=${stations} national_s=${nationalS.toFixed(2)} chain_s=${chainS.toFixed(2)}`,
    );
  } finally {
    await drop();
  }
}

/** Each station's submitted report and version 1: its own rows and total, deterministic figures per station and count. */
async function writeStationSubmissions(db: Kysely<DB>, period: string) {
  const today = localDate();
  await sql`
    INSERT INTO report (form, period, jurisdiction_code, scope_key, state, version, data)
    SELECT ${FORM.code}, ${period}, s.code, s.scope_key, 'submitted', 1, jsonb_build_object(
      'source', 'live', 'asOf', ${today}::text, 'consolidated', true, 'children', '[]'::jsonb,
      'rows', jsonb_build_array(
        jsonb_build_object('code', s.code, 'name', '本级（未划入下级）', 'kind', 'own', 'counts', s.counts),
        jsonb_build_object('code', s.code, 'name', '合计', 'kind', 'total', 'counts', s.counts)))
    FROM (SELECT j.code, j.scope_key, (SELECT jsonb_object_agg(k, abs(hashtext(j.code || k)) % 40) FROM unnest(${COUNT_KEYS}::text[]) k) AS counts
          FROM jurisdiction j WHERE j.level = 'station') s`.execute(db);
  await copyVersions(db, period, 'station');
}

/** Each county's submission: one row per station (its version 1) and the total, their sum (set-based: every county at once). */
async function writeCountySubmissions(db: Kysely<DB>, period: string, counties: string[]) {
  const today = localDate();
  await sql`
    WITH st AS (
      SELECT j.parent_code AS county, r.jurisdiction_code AS code, j.name, r.data -> 'rows' -> 1 -> 'counts' AS counts
      FROM report r JOIN jurisdiction j ON j.code = r.jurisdiction_code
      WHERE j.level = 'station' AND j.parent_code = ANY(${counties}::text[]) AND r.form = ${FORM.code} AND r.period = ${period}),
    sums AS (
      SELECT county, jsonb_object_agg(k, n) AS counts FROM (
        SELECT st.county, k, sum((st.counts ->> k)::int) AS n FROM st, unnest(${COUNT_KEYS}::text[]) k GROUP BY st.county, k) x
      GROUP BY county),
    lines AS (
      SELECT county, jsonb_agg(jsonb_build_object('code', code, 'name', name, 'kind', 'child', 'version', 1, 'counts', counts) ORDER BY code) AS rows FROM st GROUP BY county)
    INSERT INTO report (form, period, jurisdiction_code, scope_key, state, version, data)
    SELECT ${FORM.code}, ${period}, c.code, c.scope_key, 'submitted', 1, jsonb_build_object(
      'source', 'live', 'asOf', ${today}::text, 'consolidated', true, 'children', '[]'::jsonb,
      'rows', l.rows || jsonb_build_array(jsonb_build_object('code', c.code, 'name', '合计', 'kind', 'total', 'counts', s.counts)))
    FROM jurisdiction c JOIN sums s ON s.county = c.code JOIN lines l ON l.county = c.code`.execute(db);
  await copyVersions(db, period, 'county');
}

async function copyVersions(db: Kysely<DB>, period: string, level: string) {
  await sql`INSERT INTO report_version (report_id, version, form, period, jurisdiction_code, scope_key, data, submitted_by_name)
    SELECT r.id, 1, r.form, r.period, r.jurisdiction_code, r.scope_key, r.data, '基准' FROM report r JOIN jurisdiction j ON j.code = r.jurisdiction_code
    WHERE j.level = ${level} AND r.period = ${period}`.execute(db);
}

await main();
