import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import { sql, type Kysely } from 'kysely';
import { beforeAll, inject } from 'vitest';
import { openDatabase } from '../../src/db/connection.js';
import { demoPlaces, writeDemoFiles, type DemoFiles } from '../../src/demo/files.js';
import { withDatabase } from '../setup/databases.js';
import type { DB } from '../../src/db/schema.js';
import { compiled } from '../helpers/compiled.js';

/** How many random kill points each scenario tries (XGZ_FAULT_ROUNDS raises it for a longer run). */
export const ROUNDS = Number(process.env.XGZ_FAULT_ROUNDS) || 2;

export const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), `xgz-fault-${prefix}-`));

/** A PostgreSQL database: a copy of `template` (default: the migrated test template). Dropped by drop(). */
export async function pgDatabase(
  template = inject('pgTemplate')!,
): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const url = process.env.DATABASE_URL!;
  const name = `xgz_t_${process.ppid}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  await admin.end();
  return {
    url: withDatabase(url, name),
    name,
    drop: async () => {
      const a = new pg.Client({ connectionString: url });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

export type Run = { code: number | null; signal: NodeJS.Signals | null; out: string };

/** Runs a command; with killAfterMs, sends SIGKILL that many ms after start (kill -9 at a chosen point). */
export function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  killAfterMs?: number,
): Promise<Run> & { child: ChildProcess } {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const timer = killAfterMs === undefined ? null : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  const p = new Promise<Run>((resolve) =>
    child.once('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, out });
    }),
  ) as Promise<Run> & { child: ChildProcess };
  p.child = child;
  return p;
}

export const xgz = (env: NodeJS.ProcessEnv, args: string[], killAfterMs?: number) =>
  run(
    process.execPath,
    [compiled('src/cli.ts'), ...args],
    { XGZ_PASSWORD_ITERATIONS: '1000', XGZ_LOG_LEVEL: 'warn', ...env },
    killAfterMs,
  );

/** Each query's rows, hashed: the checksums an interrupted-then-re-run state is compared on. */
export async function checksums(db: Kysely<DB>, queries: Record<string, string>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, q] of Object.entries(queries)) {
    const rows = (await sql.raw(q).execute(db)).rows;
    out[name] = `${rows.length}:${crypto.createHash('sha256').update(JSON.stringify(rows)).digest('hex').slice(0, 16)}`;
  }
  return out;
}

/** Every file under a directory with its SHA-256: "the live data is exactly as before". */
export function dirDigest(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const randomBetween = (a: number, b: number) => Math.round(a + Math.random() * (b - a));

/**
 * The demo files (1,200 entities of 玄武区, 2% bad rows) the kill scenarios import, written under
 * `dir` before the file's tests; read `files` from the returned object once they run.
 */
export function demoFilesBeforeAll(dir: string): { files: DemoFiles } {
  const out = {} as { files: DemoFiles };
  beforeAll(async () => {
    const lite = await openDatabase({
      pgliteDir: 'memory://',
      pgliteLoad: new Blob([fs.readFileSync(inject('pgliteTemplate'))]),
    });
    out.files = await writeDemoFiles(path.join(dir, 'demo'), {
      entities: 1200,
      seed: 17,
      badShare: 0.02,
      places: await demoPlaces(lite.db, ['320105']),
    });
    await lite.close();
  });
  return out;
}
