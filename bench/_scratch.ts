import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../src/db/connection.js';
import { migrate } from '../src/db/migrate.js';
import { seedJurisdictions } from '../src/features/jurisdictions/seed.js';
import { deriveKeys } from '../src/crypto/keys.js';
import { registerAuditKey } from '../src/db/audit-chain.js';
import { SettingsStore } from '../src/db/settings.js';
import { loadConfig } from '../src/config.js';
import type { AppContext } from '../src/http/context.js';

/** A named command-line option: `--name value`. */
export const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};

/**
 * A throw-away migrated database with the jurisdiction tree: a new database on the
 * PostgreSQL server of DATABASE_URL, else PGlite in a temporary directory. `drop()` removes it.
 */
export async function scratchDatabase(
  prefix: string,
  poolSize = 4,
  name?: string,
): Promise<{ database: Database; ctx: AppContext; dir: string; drop: () => Promise<void> }> {
  const url = process.env.DATABASE_URL;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `xgz-${prefix}-`));
  // XGZ_BENCH_DATABASE_SUFFIX names the database after a branch (xgz_bench_<prefix>_<suffix>) so a kept one is found again on a shared server.
  const suffix = process.env.XGZ_BENCH_DATABASE_SUFFIX;
  if (suffix && !/^[a-z0-9_]+$/.test(suffix)) throw new Error('XGZ_BENCH_DATABASE_SUFFIX: only a-z, 0-9 and _');
  // A given name (PostgreSQL only) is kept for later runs (see keptDatabase).
  const target = name ?? `xgz_bench_${prefix}_${suffix ?? process.pid}`;
  if (url) await adminQuery(url, `CREATE DATABASE ${target}`);
  const database = url
    ? await openDatabase({ databaseUrl: Object.assign(new URL(url), { pathname: `/${target}` }).toString(), poolSize })
    : await openDatabase({ pgliteDir: path.join(dir, 'pgdata') });
  await migrate(database.pool);
  await seedJurisdictions(database.db);
  const ctx: AppContext = {
    config: { ...loadConfig({}), databaseUrl: undefined },
    database,
    db: database.db,
    keys: deriveKeys(Buffer.alloc(32, 9)),
    settings: new SettingsStore(database.db),
  };
  registerAuditKey(ctx.db, ctx.keys.auditMac);
  const drop = async () => {
    await database.close();
    // XGZ_BENCH_KEEP=1 keeps a PostgreSQL database for a look at plans afterwards.
    if (url && (process.env.XGZ_BENCH_KEEP || name)) return void console.log(`kept database ${target}`);
    if (url) await adminQuery(url, `DROP DATABASE IF EXISTS ${target} WITH (FORCE)`);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { database, ctx, dir, drop };
}

async function adminQuery(url: string, q: string) {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(q);
  } finally {
    await admin.end();
  }
}

/** A database kept by an earlier run of the bench `prefix` (XGZ_BENCH_KEEP=1), migrated to the current code; `drop()` only closes it. */
export async function keptDatabase(
  prefix: string,
  name: string,
  poolSize = 4,
  dropAfter = false,
): Promise<{ database: Database; ctx: AppContext; dir: string; drop: () => Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (!url || !new RegExp(`^xgz_bench_${prefix}_[a-z0-9_]+$`).test(name))
    throw new Error(
      `--reuse-database needs DATABASE_URL and the name of a kept bench database (xgz_bench_${prefix}_…)`,
    );
  const database = await openDatabase({
    databaseUrl: Object.assign(new URL(url), { pathname: `/${name}` }).toString(),
    poolSize,
  });
  await migrate(database.pool);
  const ctx: AppContext = {
    config: { ...loadConfig({}), databaseUrl: undefined },
    database,
    db: database.db,
    keys: deriveKeys(Buffer.alloc(32, 9)),
    settings: new SettingsStore(database.db),
  };
  registerAuditKey(ctx.db, ctx.keys.auditMac);
  const drop = async () => {
    await database.close();
    if (dropAfter) await adminQuery(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    else console.log(`kept database ${name}`);
  };
  return { database, ctx, dir: '', drop };
}

/** A copy of a kept bench database, file by file (CREATE DATABASE … TEMPLATE; nothing may be connected to it). */
export async function copyDatabase(from: string, to: string) {
  const url = process.env.DATABASE_URL;
  if (!url || !/^xgz_bench_[a-z0-9_]+$/.test(from))
    throw new Error('--from-loaded needs DATABASE_URL and a kept bench database');
  const t0 = performance.now();
  await adminQuery(url, `CREATE DATABASE ${to} TEMPLATE ${from}`);
  // The copy's pages are written back before anything is timed on it, not beside the timed run
  // (at 5M the copy is 20 GB; discovery right after one took 174–247 s).
  await adminQuery(url, 'CHECKPOINT').catch((err: Error) =>
    console.log(`no CHECKPOINT after the copy: ${err.message}`),
  );
  console.log(`copied ${from} to ${to} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/** Whether the PostgreSQL server of DATABASE_URL has a database of that name. */
export async function databaseExists(name: string): Promise<boolean> {
  const url = process.env.DATABASE_URL;
  if (!url) return false;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    return (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
  } finally {
    await admin.end();
  }
}
