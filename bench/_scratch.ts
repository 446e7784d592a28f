import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../src/db/connection.js';
import { migrate } from '../src/db/migrate.js';
import { seedJurisdictions } from '../src/features/jurisdictions/seed.js';
import { deriveKeys } from '../src/crypto/keys.js';
import { SettingsStore } from '../src/features/settings/store.js';
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
export async function scratchDatabase(prefix: string, poolSize = 4): Promise<{ database: Database; ctx: AppContext; dir: string; drop: () => Promise<void> }> {
  const url = process.env.DATABASE_URL;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `xgz-${prefix}-`));
  const target = `xgz_bench_${prefix}_${process.pid}`;
  if (url) await adminQuery(url, `CREATE DATABASE ${target}`);
  const database = url
    ? await openDatabase({ databaseUrl: Object.assign(new URL(url), { pathname: `/${target}` }).toString(), poolSize })
    : await openDatabase({ pgliteDir: path.join(dir, 'pgdata') });
  await migrate(database.pool);
  await seedJurisdictions(database.db);
  const ctx: AppContext = { config: { ...loadConfig({}), databaseUrl: undefined }, database, db: database.db, keys: deriveKeys(Buffer.alloc(32, 9)), settings: new SettingsStore(database.db) };
  const drop = async () => {
    await database.close();
    // XGZ_BENCH_KEEP=1 keeps a PostgreSQL database for a look at plans afterwards.
    if (url && process.env.XGZ_BENCH_KEEP) return void console.log(`kept database ${target}`);
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
export async function keptDatabase(prefix: string, name: string, poolSize = 4): Promise<{ database: Database; ctx: AppContext; dir: string; drop: () => Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (!url || !new RegExp(`^xgz_bench_${prefix}_\\d+$`).test(name)) throw new Error(`--reuse-database needs DATABASE_URL and the name of a kept bench database (xgz_bench_${prefix}_…)`);
  const database = await openDatabase({ databaseUrl: Object.assign(new URL(url), { pathname: `/${name}` }).toString(), poolSize });
  await migrate(database.pool);
  const ctx: AppContext = { config: { ...loadConfig({}), databaseUrl: undefined }, database, db: database.db, keys: deriveKeys(Buffer.alloc(32, 9)), settings: new SettingsStore(database.db) };
  return { database, ctx, dir: '', drop: () => database.close() };
}
