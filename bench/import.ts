/**
 * Import benchmark: N annual-report rows (5 years for N/5 entities) imported through the real
 * pipeline (streaming parse, zod validation, per-file duplicate check, batched upsert, progress)
 * into PostgreSQL (DATABASE_URL) and PGlite, beside a plain COPY of the same file into an
 * unindexed table of the same database. Each measured run is a child process, so its peak RSS
 * is its own, and starts from a copy of the same prepared database (CREATE DATABASE … TEMPLATE on
 * PostgreSQL, a copied data directory on PGlite). Each round runs COPY, then the import with the
 * cases-follow hook on and off (in alternating order); the medians over the rounds are compared,
 * so a machine whose load drifts during the run weighs on both sides alike (issue 15's cost measure).
 * A fourth run per round, the floor, is the database's own share: the file COPYed into a staging
 * table and landed in annual_report by one set-based upsert (no validation, no duplicate check).
 * `--format xlsx` imports the same rows as an Excel workbook (shared strings, as Excel writes it),
 * which is what a bureau's export usually is; COPY and the floor still read the CSV.
 * Usage: npm run bench -- import [--rows N] [--backends pg,pglite] [--rounds R] [--format csv|xlsx]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../src/db/connection.js';
import { migrate } from '../src/db/migrate.js';
import { seedJurisdictions } from '../src/features/jurisdictions/seed.js';
import { USCC_ALPHABET, usccCheckChar } from '../src/domain/identifiers/uscc.js';
import { TEMPLATES } from '../src/jobs/import/templates.js';
import { runImportJob } from '../src/jobs/import/pipeline.js';
import { registerAuditKey } from '../src/db/audit-chain.js';
import { deriveKeys } from '../src/crypto/keys.js';
import { SettingsStore } from '../src/db/settings.js';
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

const open = (backend: string, target: string) =>
  backend === 'pg' ? openDatabase({ databaseUrl: target, poolSize: 4 }) : openDatabase({ pgliteDir: target });

async function prepare(backend: string, target: string, rows: number, file: string, xlsx: string | null) {
  const db = await open(backend, target);
  await migrate(db.pool);
  await seedJurisdictions(db.db);
  const entities = Math.ceil(rows / YEARS.length);
  for (let from = 0; from < entities; from += 50_000) {
    const ids = Array.from({ length: Math.min(50_000, entities - from) }, (_, k) => from + k);
    await sql`INSERT INTO entity (kind, uscc, name, county_code, scope_key)
      SELECT 'individual', u, '基准测试个体户' || i, c, c FROM unnest(${ids.map(usccOf)}::text[], ${ids}::int[], ${ids.map((i) => COUNTIES[i % COUNTIES.length])}::text[]) AS t(u, i, c)`.execute(
      db.db,
    );
  }
  await sql`ANALYZE`.execute(db.db);
  await db.close();
  const headers = TEMPLATES.annual_report.columns
    .map((c) => c.header)
    .filter((h) => !h.includes('注册号') && !h.includes('个体户'));
  const gen = function* () {
    for (let r = 0; r < rows; r++) {
      const e = Math.floor(r / YEARS.length);
      const employees = 1 + (e % 9);
      const members = e % 11 === 0 ? 1 + (e % 3) : 0;
      // By column name, not position: the template gains columns (是否有党员 did, and broke a
      // positional row here without a word until every row was refused).
      const row: Record<string, string | number> = {
        统一社会信用代码: usccOf(e),
        年报年度: YEARS[r % YEARS.length],
        报送状态: '已报送',
        报送日期: `${YEARS[r % YEARS.length] + 1}-05-20`,
        从业人数: employees,
        是否有党员: members ? '是' : '否',
        '党员人数（含预备党员）': Math.min(members, employees),
        党组织建立形式: members >= 3 ? 1 : 0,
        党组织建立方式: members >= 3 ? 1 : '',
        党组织建立时间: '',
        '法定代表人/经营者是否党员': members ? '是' : '否',
        '法定代表人/经营者是否党组织书记': '否',
      };
      const unknown = Object.keys(row).filter((h) => !headers.includes(h));
      if (unknown.length) throw new Error(`bench row names columns the template has not: ${unknown.join(', ')}`);
      yield row;
    }
  };
  await pipeline(Readable.from(gen()), stringify({ header: true, columns: headers }), fs.createWriteStream(file));
  if (xlsx) await writeWorkbook(xlsx, headers, gen());
}

/** The same rows as one sheet of an .xlsx, streamed (numbers as numbers, text in shared strings). */
async function writeWorkbook(file: string, headers: string[], rows: Iterable<Record<string, string | number>>) {
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: true, useStyles: false });
  const sheet = book.addWorksheet('年报');
  sheet.addRow(headers).commit();
  for (const row of rows) sheet.addRow(headers.map((h) => row[h] ?? '')).commit();
  sheet.commit();
  await book.commit();
}

const cpuOf = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;

/** CPU seconds of each server process connected to the bench database (PostgreSQL on this machine; null elsewhere). */
async function serverCpu(backend: string, db: Database): Promise<Map<number, number> | null> {
  if (backend !== 'pg') return null;
  const pids = (
    await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`.execute(db.db)
  ).rows.map((r) => r.pid);
  const out = new Map<number, number>();
  for (const pid of pids) {
    try {
      const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      out.set(pid, (Number(f[11]) + Number(f[12])) / 100); // utime + stime in USER_HZ ticks
    } catch {
      return null; // not on this machine
    }
  }
  return out;
}
const sumCpu = (now: Map<number, number> | null, before: Map<number, number>) =>
  now ? [...now].reduce((a, [pid, s]) => a + s - (before.get(pid) ?? 0), 0) : null;

/** Child process: one measured run (mode copy, import or import-nofollow). Prints a JSON line. */
async function child(mode: string, backend: string, target: string, file: string, rows: number, importFile: string) {
  const db: Database = await open(backend, target);
  const pg0 = await serverCpu(backend, db);
  const cpu0 = process.cpuUsage();
  const followSpent = { ms: 0 };
  const loop = monitorEventLoopDelay({ resolution: 10 });
  const t0 = performance.now();
  if (mode === 'copy' || mode === 'floor') {
    await sql`CREATE ${sql.raw(mode === 'floor' ? 'UNLOGGED' : '')} TABLE copy_baseline (uscc text, year text, filing text, filed_on text, employees text, has_members text, members text, org_form text, org_way text, org_set_on text, rep_member text, rep_secretary text)`.execute(
      db.db,
    );
    if (backend === 'pg') {
      const { from } = await import('pg-copy-streams');
      const client = await db.pool.connect();
      await pipeline(
        fs.createReadStream(file),
        client.query(from(`COPY copy_baseline FROM STDIN WITH (FORMAT csv, HEADER true)`)),
      );
      client.release();
    } else {
      await db.pglite!.query(`COPY copy_baseline FROM '/dev/blob' WITH (FORMAT csv, HEADER true)`, [], {
        blob: new Blob([fs.readFileSync(file)]),
      });
    }
    const n = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM copy_baseline`.execute(db.db)).rows[0].n;
    if (n !== rows) throw new Error(`copy loaded ${n} of ${rows}`);
    // The database's own cost of landing these rows: one set-based upsert of the staged text into
    // annual_report (primary key, foreign key, checks, coverage trigger), as the writer's statement
    // does it, with no validation, duplicate check, rejections, progress or row security.
    if (mode === 'floor') {
      const landed =
        await sql`INSERT INTO annual_report AS a (entity_id, year, scope_key, filing_status, filed_on, employees, party_members, party_org_form, party_org_way, party_org_set_on, rep_is_member, rep_is_secretary)
        SELECT e.id, s.year::smallint, e.scope_key, 'filed', s.filed_on::date, s.employees::int, s.members::int, nullif(s.org_form, '')::smallint,
          nullif(s.org_way, '')::smallint, nullif(s.org_set_on, '')::date, s.rep_member = '是', s.rep_secretary = '是'
        FROM copy_baseline s JOIN entity e ON e.uscc = s.uscc
        ON CONFLICT (entity_id, year) DO UPDATE SET employees = EXCLUDED.employees, updated_at = now()`.execute(db.db);
      if (Number(landed.numAffectedRows) !== rows) throw new Error(`floor landed ${landed.numAffectedRows} of ${rows}`);
    }
  } else {
    const config = { ...loadConfig({}), databaseUrl: undefined };
    const ctx = {
      config,
      database: db,
      db: db.db,
      keys: deriveKeys(Buffer.alloc(32, 7)),
      settings: new SettingsStore(db.db),
    };
    registerAuditKey(ctx.db, ctx.keys.auditMac);
    const job = await db.db
      .insertInto('import_job')
      .values({
        kind: 'annual_report',
        file_name: `bench${path.extname(importFile)}`,
        file_path: importFile,
        file_bytes: fs.statSync(importFile).size,
        scope_key: '',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    // The longest the import kept the event loop from other work: in the server, every clerk's request waits that long.
    loop.enable();
    await runImportJob(ctx, job.id, { batchSize: 10_000, followCases: mode !== 'import-nofollow', followSpent });
    loop.disable();
    const j = await db.db.selectFrom('import_job').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow();
    if (j.status !== 'done' || j.rows_accepted !== rows)
      throw new Error(`import ${j.status}: ${j.rows_accepted}/${rows} ${j.error ?? ''}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  // CPU seconds, which a machine shared with other work inflates far less than wall time: this
  // process's, and on PostgreSQL its server processes' (the connections to the bench database).
  const nodeCpuS = cpuOf(process.cpuUsage()) - cpuOf(cpu0);
  const pgCpuS = pg0 ? sumCpu(await serverCpu(backend, db), pg0) : null;
  await db.close();
  process.stdout.write(
    `${JSON.stringify({ seconds, rowsPerS: rows / seconds, peakRssMb: process.resourceUsage().maxRSS / 1024, nodeCpuS, pgCpuS, followS: followSpent.ms / 1000, loopHeldMs: loop.max / 1e6 })}\n`,
  );
}

function measure(mode: string, backend: string, target: string, file: string, rows: number, importFile: string) {
  // XGZ_BENCH_PROF=dir: a CPU profile of the import child (node --cpu-prof) written there.
  const prof =
    mode !== 'copy' && process.env.XGZ_BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.XGZ_BENCH_PROF] : [];
  const res = spawnSync(
    process.execPath,
    [...prof, '--import', 'tsx', self, '--child', mode, backend, target, file, String(rows), importFile],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  const line = res.stdout.trim().split('\n').pop() ?? '';
  if (res.status !== 0 || !line.startsWith('{')) throw new Error(`${mode}/${backend} failed:\n${res.stderr}`);
  return JSON.parse(line) as {
    seconds: number;
    rowsPerS: number;
    peakRssMb: number;
    nodeCpuS: number;
    pgCpuS: number | null;
    followS: number;
    loopHeldMs: number;
  };
}

type Run = ReturnType<typeof measure>;
const median = (xs: number[]) => {
  const v = [...xs].sort((p, q) => p - q);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const load = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

async function main() {
  const rows = Number(arg('rows', '1000000'));
  const rounds = Number(arg('rounds', '3'));
  const url = process.env.DATABASE_URL;
  const backends = arg('backends', url ? 'pg,pglite' : 'pglite').split(',');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xgz-bench-'));
  const file = path.join(dir, 'annual-report.csv');
  const format = arg('format', 'csv');
  if (format !== 'csv' && format !== 'xlsx') throw new Error('--format is csv or xlsx');
  const importFile = format === 'xlsx' ? path.join(dir, 'annual-report.xlsx') : file;
  const out: Record<string, number> = {};
  try {
    for (const backend of backends) {
      const k = backend === 'pg' ? 'pg' : 'pglite';
      let template = path.join(dir, `pglite-${backend}`);
      let admin: pg.Client | null = null;
      const name = `xgz_bench_${process.pid}`;
      const clones: string[] = [];
      /** A fresh copy of the prepared database for one measured run. */
      const clone = async (): Promise<string> => {
        const n = clones.length;
        if (backend === 'pg') {
          await admin!.query(`CREATE DATABASE ${name}_${n} TEMPLATE ${name}`);
          clones.push(`${name}_${n}`);
          return Object.assign(new URL(url!), { pathname: `/${name}_${n}` }).toString();
        }
        const to = `${template}-${n}`;
        fs.cpSync(template, to, { recursive: true });
        clones.push(to);
        return to;
      };
      const drop = async (target: string) => {
        if (backend === 'pg')
          await admin!.query(`DROP DATABASE IF EXISTS ${new URL(target).pathname.slice(1)} WITH (FORCE)`);
        else fs.rmSync(target, { recursive: true, force: true });
      };
      if (backend === 'pg') {
        if (!url) throw new Error('pg needs DATABASE_URL');
        admin = new pg.Client({ connectionString: url });
        await admin.connect();
        await admin.query(`DROP DATABASE IF EXISTS ${name}`);
        await admin.query(`CREATE DATABASE ${name}`);
        template = Object.assign(new URL(url), { pathname: `/${name}` }).toString();
      }
      try {
        console.log(
          `[${backend}] preparing ${rows.toLocaleString()} rows (${Math.ceil(rows / YEARS.length).toLocaleString()} entities)…`,
        );
        await prepare(backend, template, rows, file, format === 'xlsx' ? importFile : null);
        if (format === 'xlsx')
          console.log(
            `[${backend}] the import reads an .xlsx of ${(fs.statSync(importFile).size / 1e6).toFixed(1)} MB (the CSV: ${(fs.statSync(file).size / 1e6).toFixed(1)} MB)`,
          );
        const runs: Record<'copy' | 'floor' | 'import' | 'import-nofollow', Run[]> = {
          copy: [],
          floor: [],
          import: [],
          'import-nofollow': [],
        };
        const cpu = (m: { nodeCpuS: number; pgCpuS: number | null }) =>
          `CPU: node ${m.nodeCpuS.toFixed(1)} s${m.pgCpuS === null ? '' : `, postgres ${m.pgCpuS.toFixed(1)} s`}`;
        const label = {
          copy: 'plain COPY into an unindexed table',
          floor: 'COPY to staging + one set-based upsert',
          import: 'XGZ import, cases-follow hook on ',
          'import-nofollow': 'XGZ import, cases-follow hook off',
        };
        for (let r = 0; r < rounds; r++) {
          const order =
            r % 2 === 0
              ? (['copy', 'floor', 'import', 'import-nofollow'] as const)
              : (['copy', 'floor', 'import-nofollow', 'import'] as const);
          for (const mode of order) {
            const target = await clone();
            const m = measure(mode, backend, target, file, rows, importFile);
            await drop(target);
            runs[mode].push(m);
            console.log(
              `[${backend}] round ${r + 1}/${rounds} ${label[mode]}: ${Math.round(m.rowsPerS).toLocaleString()} rows/s (${m.seconds.toFixed(1)} s; ${cpu(m)}${mode === 'copy' || mode === 'floor' ? '' : `; peak RSS ${Math.round(m.peakRssMb)} MB`}${mode === 'import' ? `; in the hook ${m.followS.toFixed(1)} s` : ''}${mode.startsWith('import') ? `; event loop held ≤ ${Math.round(m.loopHeldMs)} ms` : ''}) load ${load()}`,
            );
          }
        }
        const med = (mode: keyof typeof runs, f: (m: Run) => number) => median(runs[mode].map(f));
        const [copyRate, floorRate, onRate, offRate] = [
          med('copy', (m) => m.rowsPerS),
          med('floor', (m) => m.rowsPerS),
          med('import', (m) => m.rowsPerS),
          med('import-nofollow', (m) => m.rowsPerS),
        ];
        const ratio = onRate / copyRate;
        const floorRatio = onRate / floorRate;
        const followPct = (1 - onRate / offRate) * 100;
        // The hook's own time within the import: what its rate loses to it, without the noise of comparing two runs.
        const followShare = med('import', (m) => m.followS / m.seconds) * 100;
        const cpuPerRow = (mode: keyof typeof runs) => med(mode, (m) => ((m.nodeCpuS + (m.pgCpuS ?? 0)) / rows) * 1e6);
        const rss = Math.max(
          ...runs.import.map((m) => m.peakRssMb),
          ...runs['import-nofollow'].map((m) => m.peakRssMb),
        );
        console.log(
          `[${backend}] medians of ${rounds}: COPY ${Math.round(copyRate).toLocaleString()} rows/s; import ${Math.round(onRate).toLocaleString()} rows/s (${(ratio * 100).toFixed(1)}% of COPY), without the cases-follow hook ${Math.round(offRate).toLocaleString()} rows/s: the hook costs ${followPct.toFixed(1)}% of the rate; its own time is ${followShare.toFixed(1)}% of the import's`,
        );
        console.log(
          `[${backend}] the database alone (COPY to staging + one set-based upsert): ${Math.round(floorRate).toLocaleString()} rows/s, ${((floorRate / copyRate) * 100).toFixed(1)}% of COPY; the import runs at ${(floorRatio * 100).toFixed(1)}% of it`,
        );
        console.log(
          `[${backend}] CPU per row (node + postgres, medians): ${cpuPerRow('import').toFixed(1)} µs with the hook, ${cpuPerRow('import-nofollow').toFixed(1)} µs without; peak RSS ${Math.round(rss)} MB; load ${load()}`,
        );
        Object.assign(out, {
          [`${k}_rows_per_s`]: Math.round(onRate),
          [`${k}_copy_ratio`]: Number(ratio.toFixed(3)),
          [`${k}_floor_ratio`]: Number(floorRatio.toFixed(3)),
          [`${k}_follow_cost_pct`]: Number(followPct.toFixed(1)),
          [`${k}_follow_share_pct`]: Number(followShare.toFixed(1)),
          [`${k}_peak_rss_mb`]: Math.round(rss),
        });
      } finally {
        for (const c of clones) await drop(c).catch(() => undefined);
        if (admin) {
          await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          await admin.end();
        }
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const f = (key: string) => out[key] ?? 'n/a';
  const keys = ['rows_per_s', 'copy_ratio', 'floor_ratio', 'follow_cost_pct', 'follow_share_pct', 'peak_rss_mb'];
  console.log(
    `RESULT import rows=${rows} rounds=${rounds} format=${format} ${['pg', 'pglite'].flatMap((b) => keys.map((key) => `${b}_${key}=${f(`${b}_${key}`)}`)).join(' ')}`,
  );
}

if (process.argv[2] === '--child') {
  const [, , , mode, backend, target, file, rows, importFile] = process.argv;
  await child(mode, backend, target, file, Number(rows), importFile);
} else {
  await main();
}
