/**
 * Import benchmark: N annual-report rows (5 years for N/5 entities) imported through the real
 * pipeline (streaming parse, zod validation, per-file duplicate check, batched upsert, progress)
 * into PostgreSQL (DATABASE_URL) and PGlite, beside a plain COPY of the same file into an
 * unindexed table of the same database. Each measured run is a child process, so its peak RSS
 * is its own. Usage: npm run bench -- import [--rows N] [--backends pg,pglite]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { stringify } from 'csv-stringify';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../src/db/connection.js';
import { migrate } from '../src/db/migrate.js';
import { seedJurisdictions } from '../src/features/jurisdictions/seed.js';
import { USCC_ALPHABET, usccCheckChar } from '../src/domain/identifiers/uscc.js';
import { TEMPLATES } from '../src/features/imports/templates.js';
import { runImportJob } from '../src/jobs/import/pipeline.js';
import { deriveKeys } from '../src/crypto/keys.js';
import { SettingsStore } from '../src/features/settings/store.js';
import { loadConfig } from '../src/config.js';

const YEARS = [2021, 2022, 2023, 2024, 2025];
const COUNTIES = ['320102', '320104', '320105', '320106', '320111', '320113', '320114', '320115'];
const self = fileURLToPath(import.meta.url);

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

/** Entity i's code: deterministic, valid check character. */
function usccOf(i: number): string {
  let n = i;
  let body = '';
  for (let k = 0; k < 9; k++) {
    body = USCC_ALPHABET[n % 31] + body;
    n = Math.floor(n / 31);
  }
  const first17 = `92${COUNTIES[i % COUNTIES.length]}${body}`;
  return first17 + usccCheckChar(first17);
}

const open = (backend: string, target: string) => (backend === 'pg' ? openDatabase({ databaseUrl: target, poolSize: 4 }) : openDatabase({ pgliteDir: target }));

async function prepare(backend: string, target: string, rows: number, file: string) {
  const db = await open(backend, target);
  await migrate(db.pool);
  await seedJurisdictions(db.db);
  const entities = Math.ceil(rows / YEARS.length);
  for (let from = 0; from < entities; from += 50_000) {
    const ids = Array.from({ length: Math.min(50_000, entities - from) }, (_, k) => from + k);
    await sql`INSERT INTO entity (kind, uscc, name, county_code, scope_key)
      SELECT 'individual', u, '基准测试个体户' || i, c, c FROM unnest(${ids.map(usccOf)}::text[], ${ids}::int[], ${ids.map((i) => COUNTIES[i % COUNTIES.length])}::text[]) AS t(u, i, c)`.execute(db.db);
  }
  await sql`ANALYZE`.execute(db.db);
  await db.close();
  const headers = TEMPLATES.annual_report.columns.map((c) => c.header).filter((h) => !h.includes('注册号') && !h.includes('个体户'));
  const gen = function* () {
    for (let r = 0; r < rows; r++) {
      const e = Math.floor(r / YEARS.length);
      const employees = 1 + (e % 9);
      const members = e % 11 === 0 ? 1 + (e % 3) : 0;
      yield [usccOf(e), YEARS[r % YEARS.length], '已报送', `${YEARS[r % YEARS.length] + 1}-05-20`, employees, Math.min(members, employees), members >= 3 ? 1 : 0, members >= 3 ? 1 : '', '', members ? '是' : '否', '否'];
    }
  };
  await pipeline(Readable.from(gen()), stringify({ header: true, columns: headers }), fs.createWriteStream(file));
}

/** Child process: one measured run. Prints a JSON line. */
async function child(mode: string, backend: string, target: string, file: string, rows: number) {
  const db: Database = await open(backend, target);
  const t0 = performance.now();
  if (mode === 'copy') {
    await sql`CREATE TABLE copy_baseline (uscc text, year text, filing text, filed_on text, employees text, members text, org_form text, org_way text, org_set_on text, rep_member text, rep_secretary text)`.execute(db.db);
    if (backend === 'pg') {
      const { from } = await import('pg-copy-streams');
      const client = await db.pool.connect();
      await pipeline(fs.createReadStream(file), client.query(from(`COPY copy_baseline FROM STDIN WITH (FORMAT csv, HEADER true)`)));
      client.release();
    } else {
      await db.pglite!.query(`COPY copy_baseline FROM '/dev/blob' WITH (FORMAT csv, HEADER true)`, [], { blob: new Blob([fs.readFileSync(file)]) });
    }
    const n = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM copy_baseline`.execute(db.db)).rows[0].n;
    if (n !== rows) throw new Error(`copy loaded ${n} of ${rows}`);
  } else {
    const config = { ...loadConfig({}), databaseUrl: undefined };
    const ctx = { config, database: db, db: db.db, keys: deriveKeys(Buffer.alloc(32, 7)), settings: new SettingsStore(db.db) };
    const job = await db.db.insertInto('import_job').values({ kind: 'annual_report', file_name: 'bench.csv', file_path: file, file_bytes: fs.statSync(file).size, scope_key: '' }).returning('id').executeTakeFirstOrThrow();
    await runImportJob(ctx, job.id, { batchSize: 10_000 });
    const j = await db.db.selectFrom('import_job').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow();
    if (j.status !== 'done' || j.rows_accepted !== rows) throw new Error(`import ${j.status}: ${j.rows_accepted}/${rows} ${j.error ?? ''}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  await db.close();
  process.stdout.write(`${JSON.stringify({ seconds, rowsPerS: rows / seconds, peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
}

function measure(mode: string, backend: string, target: string, file: string, rows: number) {
  const res = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', mode, backend, target, file, String(rows)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const line = res.stdout.trim().split('\n').pop() ?? '';
  if (res.status !== 0 || !line.startsWith('{')) throw new Error(`${mode}/${backend} failed:\n${res.stderr}`);
  return JSON.parse(line) as { seconds: number; rowsPerS: number; peakRssMb: number };
}

async function main() {
  const rows = Number(arg('rows', '1000000'));
  const url = process.env.DATABASE_URL;
  const backends = arg('backends', url ? 'pg,pglite' : 'pglite').split(',');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xgz-bench-'));
  const file = path.join(dir, 'annual-report.csv');
  const out: Record<string, number> = {};
  try {
    for (const backend of backends) {
      let target = path.join(dir, `pglite-${backend}`);
      let admin: pg.Client | null = null;
      if (backend === 'pg') {
        if (!url) throw new Error('pg needs DATABASE_URL');
        const name = `xgz_bench_${process.pid}`;
        admin = new pg.Client({ connectionString: url });
        await admin.connect();
        await admin.query(`DROP DATABASE IF EXISTS ${name}`);
        await admin.query(`CREATE DATABASE ${name}`);
        const u = new URL(url);
        u.pathname = `/${name}`;
        target = u.toString();
      }
      try {
        console.log(`[${backend}] preparing ${rows.toLocaleString()} rows (${Math.ceil(rows / YEARS.length).toLocaleString()} entities)…`);
        await prepare(backend, target, rows, file);
        const copy = measure('copy', backend, target, file, rows);
        console.log(`[${backend}] plain COPY into an unindexed table: ${Math.round(copy.rowsPerS).toLocaleString()} rows/s (${copy.seconds.toFixed(1)} s)`);
        const imp = measure('import', backend, target, file, rows);
        const ratio = imp.rowsPerS / copy.rowsPerS;
        console.log(`[${backend}] XGZ import (validate, dedupe, upsert, progress): ${Math.round(imp.rowsPerS).toLocaleString()} rows/s (${imp.seconds.toFixed(1)} s), ${(ratio * 100).toFixed(1)}% of COPY, peak RSS ${Math.round(imp.peakRssMb)} MB`);
        const k = backend === 'pg' ? 'pg' : 'pglite';
        Object.assign(out, { [`${k}_rows_per_s`]: Math.round(imp.rowsPerS), [`${k}_copy_ratio`]: Number(ratio.toFixed(3)), [`${k}_peak_rss_mb`]: Math.round(imp.peakRssMb) });
      } finally {
        if (admin) {
          await admin.query(`DROP DATABASE IF EXISTS ${new URL(target).pathname.slice(1)} WITH (FORCE)`);
          await admin.end();
        }
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const f = (k: string) => out[k] ?? 'n/a';
  console.log(`RESULT import rows=${rows} pg_rows_per_s=${f('pg_rows_per_s')} pg_copy_ratio=${f('pg_copy_ratio')} pg_peak_rss_mb=${f('pg_peak_rss_mb')} pglite_rows_per_s=${f('pglite_rows_per_s')} pglite_copy_ratio=${f('pglite_copy_ratio')} pglite_peak_rss_mb=${f('pglite_peak_rss_mb')}`);
}

if (process.argv[2] === '--child') {
  const [, , , mode, backend, target, file, rows] = process.argv;
  await child(mode, backend, target, file, Number(rows));
} else {
  await main();
}
