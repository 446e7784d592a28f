/**
 * One PostgreSQL beside a Citus cluster, the same data set on both in the same run. For each:
 * a new database (on the cluster: on every node, migrated through the coordinator, which
 * distributes the tables as `xgz migrate` does), then
 *  - the synthetic ledger of bench/_ledger.ts (N entities over 16 counties; set-based SQL) and
 *    the coverage rebuild: seconds;
 *  - an annual-report import of one row per entity through the real pipeline: rows/s;
 *  - a discovery run over the whole tree: seconds;
 *  - GET /api/v1/coverage and /api/v1/dashboard for the nation, a province, a county and a
 *    station through the real app (session, RLS): p95 of each, the worst printed;
 *  - the national report (POST /api/v1/reports by a nation-level editor): seconds, median of 3;
 *  - on the cluster, how the rows split over the workers (citus_shards).
 * Both answer the same figures (checked: the nation's dashboard figures must be equal).
 * Usage: CITUS_URL=postgres://postgres@127.0.0.1:5441/postgres DATABASE_URL=postgres://root@127.0.0.1:5432/postgres \
 *        npm run bench -- citus [--entities N] [--runs R]
 * (tools/citus-cluster.sh start makes the local cluster and prints CITUS_URL.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { sql } from 'kysely';
import { stringify } from 'csv-stringify';
import { openDatabase, type Database } from '../src/db/connection.js';
import { migrate } from '../src/db/migrate.js';
import { citusState, createClusterDatabase, dropClusterDatabase } from '../src/db/citus.js';
import { seedJurisdictions } from '../src/features/jurisdictions/seed.js';
import { deriveKeys } from '../src/crypto/keys.js';
import { registerAuditKey } from '../src/db/audit-chain.js';
import { SettingsStore } from '../src/db/settings.js';
import { loadConfig } from '../src/config.js';
import { runImportJob } from '../src/jobs/import/pipeline.js';
import { runDiscovery } from '../src/features/discovery/run.js';
import { regNoCheckDigit } from '../src/domain/identifiers/uscc.js';
import { periodOfDate } from '../src/domain/reports/forms.js';
import { localDate } from '../src/domain/time/zone.js';
import type { AppContext } from '../src/http/context.js';
import { arg } from './_scratch.js';
import { addWorkLedgers, generateLedger } from './_ledger.js';
import { ms, quantile, signedInApp, timeGet } from './_api.js';

type Figures = {
  loadS: number;
  importRowsPerS: number;
  importS: number;
  discoveryS: number;
  coverageP95: number;
  dashboardP95: number;
  reportS: number;
  nation: string;
  split: string;
};

async function adminQuery(url: string, q: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(q);
  } finally {
    await c.end();
  }
}

const at = (url: string, name: string) => Object.assign(new URL(url), { pathname: `/${name}` }).toString();

async function onBackend(
  kind: 'pg' | 'citus',
  url: string,
  entities: number,
  runs: number,
  dir: string,
): Promise<Figures> {
  const name = `xgz_bench_citus_${kind}_${process.pid}`;
  if (kind === 'citus') await createClusterDatabase(url, name);
  else await adminQuery(url, `CREATE DATABASE ${name}`);
  let database: Database | null = null;
  try {
    database = await openDatabase({ databaseUrl: at(url, name), poolSize: 4 });
    await migrate(database.pool);
    await seedJurisdictions(database.db);
    const db = database.db;
    const ctx: AppContext = {
      config: { ...loadConfig({}), databaseUrl: undefined },
      database,
      db,
      keys: deriveKeys(Buffer.alloc(32, 9)),
      settings: new SettingsStore(db),
    };
    registerAuditKey(db, ctx.keys.auditMac);

    const t0 = performance.now();
    const counties = await generateLedger(db, entities);
    await addWorkLedgers(db);
    await sql`SELECT xgz_coverage_rebuild()`.execute(db);
    await sql`VACUUM ANALYZE`.execute(db);
    const loadS = (performance.now() - t0) / 1000;
    console.log(
      `[${kind}] ${entities.toLocaleString()} entities in ${counties.length} counties written, coverage rebuilt in ${loadS.toFixed(1)} s`,
    );

    // An annual report (2024) for every entity, by registration number, through the pipeline.
    // The synthetic ledger's numbers carry no check digit: give each entity a valid one first.
    const regNo = (i: number) => {
      const first14 = String(20_000_000_000_000 + i);
      return first14 + regNoCheckDigit(first14);
    };
    const ids = (await db.selectFrom('entity').select('id').orderBy('id').execute()).map((e) => Number(e.id));
    await db.connection().execute(async (c) => {
      await sql`SET session_replication_role = replica`.execute(c);
      for (let k = 0; k < ids.length; k += 20_000) {
        const part = ids.slice(k, k + 20_000);
        await sql`UPDATE entity e SET reg_no = v.r FROM unnest(${part}::bigint[], ${part.map(regNo)}::text[]) v(id, r) WHERE e.id = v.id`.execute(
          c,
        );
      }
      await sql`SET session_replication_role = DEFAULT`.execute(c);
    });
    const file = path.join(dir, `annual-${kind}.csv`);
    const headers = [
      '注册号',
      '年报年度',
      '报送状态',
      '报送日期',
      '从业人数',
      '党员人数（含预备党员）',
      '法定代表人/经营者是否党员',
    ];
    const rows = function* () {
      for (const i of ids)
        yield [regNo(i), 2024, '已报送', '2025-05-20', 1 + (i % 9), i % 11 === 0 ? 1 : 0, i % 11 === 0 ? '是' : '否'];
    };
    await pipeline(Readable.from(rows()), stringify({ header: true, columns: headers }), fs.createWriteStream(file));
    const job = await db
      .insertInto('import_job')
      .values({
        kind: 'annual_report',
        file_name: 'bench.csv',
        file_path: file,
        file_bytes: fs.statSync(file).size,
        scope_key: '',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const i0 = performance.now();
    await runImportJob(ctx, job.id, { batchSize: 10_000 });
    const importS = (performance.now() - i0) / 1000;
    const j = await db.selectFrom('import_job').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow();
    if (j.status !== 'done' || j.rows_accepted !== ids.length)
      throw new Error(`[${kind}] import ${j.status}: ${j.rows_accepted}/${entities} ${j.error ?? ''}`);
    console.log(
      `[${kind}] annual-report import: ${Math.round(entities / importS).toLocaleString()} rows/s (${importS.toFixed(1)} s)`,
    );

    const who = { userId: null, username: 'bench', scopeKey: '', ip: null };
    const run = await db
      .insertInto('discovery_run')
      .values({ scope_key: '' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const d0 = performance.now();
    await runDiscovery(ctx, who, run.id);
    const discoveryS = (performance.now() - d0) / 1000;
    console.log(`[${kind}] discovery over the whole tree: ${discoveryS.toFixed(1)} s`);
    await sql`ANALYZE`.execute(db);

    const { app, cookie, csrf } = await signedInApp(ctx, db);
    const county = counties[0];
    const nodes = [
      ['nation', '000000'],
      ['province', `${county.slice(0, 2)}0000`],
      ['county', county],
      ['station', `${county}001`],
    ] as const;
    let coverageP95 = 0;
    let dashboardP95 = 0;
    for (const [level, code] of nodes) {
      const c = await timeGet(app, cookie, `/api/v1/coverage?under=${code}`, runs);
      const d = await timeGet(app, cookie, `/api/v1/dashboard?under=${code}`, runs);
      coverageP95 = Math.max(coverageP95, c.p95);
      dashboardP95 = Math.max(dashboardP95, d.p95);
      console.log(
        `[${kind}]   ${level.padEnd(8)} coverage p50 ${ms(c.p50)} p95 ${ms(c.p95)} ms   dashboard p50 ${ms(d.p50)} p95 ${ms(d.p95)} ms`,
      );
    }
    const nation = JSON.stringify(JSON.parse((await timeGet(app, cookie, '/api/v1/dashboard', 1)).body).figures);
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
      if (res.statusCode !== 201) throw new Error(`[${kind}] national report: ${res.statusCode} ${res.body}`);
    }
    const reportS = quantile(times, 0.5);
    console.log(`[${kind}] national report: ${reportS.toFixed(2)} s`);
    await app.close();

    let split = '';
    if (kind === 'citus') {
      const state = await citusState(database.pool);
      const per = await sql<{ node: string; shards: number; mb: number }>`
        SELECT nodename || ':' || nodeport AS node, count(*)::int AS shards, round(sum(shard_size) / 1048576.0, 1)::float AS mb
        FROM citus_shards WHERE citus_table_type = 'distributed' GROUP BY 1 ORDER BY 1`.execute(db);
      split = `${state.workers} workers; ${state.distributed.length} distributed tables (${state.distributed.map((d) => d.table).join(', ') || 'none'}), ${state.reference.length} reference, ${state.local.length} on the coordinator; shards per worker: ${per.rows.map((r) => `${r.node} ${r.shards} shards ${r.mb} MB`).join(', ')}`;
      console.log(`[citus] ${split}`);
    }
    return {
      loadS,
      importRowsPerS: entities / importS,
      importS,
      discoveryS,
      coverageP95,
      dashboardP95,
      reportS,
      nation,
      split,
    };
  } finally {
    await database?.close();
    // XGZ_BENCH_KEEP=1 keeps both databases for a look at plans afterwards, as the other benches do.
    if (process.env.XGZ_BENCH_KEEP) console.log(`[${kind}] kept database ${name}`);
    else if (kind === 'citus') await dropClusterDatabase(url, name);
    else await adminQuery(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

async function main() {
  const entities = Number(arg('entities', '200000'));
  const runs = Number(arg('runs', '20'));
  const pgUrl = process.env.DATABASE_URL;
  const citusUrl = process.env.CITUS_URL;
  if (!pgUrl || !citusUrl)
    throw new Error(
      'the citus bench needs DATABASE_URL (one PostgreSQL) and CITUS_URL (the coordinator); see tools/citus-cluster.sh',
    );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xgz-bench-citus-'));
  try {
    const p = await onBackend('pg', pgUrl, entities, runs, dir);
    const c = await onBackend('citus', citusUrl, entities, runs, dir);
    if (p.nation !== c.nation)
      throw new Error(`the nation's dashboard figures differ:\n pg    ${p.nation}\n citus ${c.nation}`);
    const row = (label: string, a: string, b: string) =>
      console.log(`${label.padEnd(34)} ${a.padStart(12)} ${b.padStart(12)}`);
    console.log('');
    row('', 'PostgreSQL', 'Citus');
    row('ledger load + coverage rebuild, s', p.loadS.toFixed(1), c.loadS.toFixed(1));
    row(
      'annual-report import, rows/s',
      Math.round(p.importRowsPerS).toLocaleString(),
      Math.round(c.importRowsPerS).toLocaleString(),
    );
    row('discovery, s', p.discoveryS.toFixed(1), c.discoveryS.toFixed(1));
    row('coverage API worst p95, ms', ms(p.coverageP95), ms(c.coverageP95));
    row('dashboard API worst p95, ms', ms(p.dashboardP95), ms(c.dashboardP95));
    row('national report, s', p.reportS.toFixed(2), c.reportS.toFixed(2));
    console.log(`the nation's dashboard figures are equal on both`);
    const workers = Number(/^(\d+) workers/.exec(c.split)?.[1] ?? 0);
    console.log(
      `RESULT citus entities=${entities} workers=${workers} pg_import_rows_per_s=${Math.round(p.importRowsPerS)} citus_import_rows_per_s=${Math.round(c.importRowsPerS)} ` +
        `pg_discovery_s=${p.discoveryS.toFixed(1)} citus_discovery_s=${c.discoveryS.toFixed(1)} pg_coverage_p95_ms=${ms(p.coverageP95)} citus_coverage_p95_ms=${ms(c.coverageP95)} ` +
        `pg_national_report_s=${p.reportS.toFixed(2)} citus_national_report_s=${c.reportS.toFixed(2)} pg_dashboard_p95_ms=${ms(p.dashboardP95)} citus_dashboard_p95_ms=${ms(c.dashboardP95)}`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
