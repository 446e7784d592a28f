import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/connection.js';
import { listMigrations, migrate } from '../../src/db/migrate.js';
import { seedJurisdictions } from '../../src/features/jurisdictions/seed.js';
import { createClusterDatabase, dropClusterDatabase } from '../../src/db/citus.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    pgTemplate: string | null;
    citusTemplate: string | null;
  }
}

/** How many of the newest migrations the Citus template applies after distributing the rest. */
const UPGRADED_ON_CITUS = 10;

export type Backend = 'pglite' | 'postgres' | 'citus';

/** The backends the database tests run on (test/helpers/db.ts's BACKENDS): see there. */
export function selectBackends(): Backend[] {
  const all: Backend[] = ['pglite'];
  if (process.env.DATABASE_URL) all.push('postgres');
  if (process.env.CITUS_URL) all.push('citus');
  const only = process.env.XGZ_BACKENDS?.split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  return only?.length ? all.filter((b) => only.includes(b)) : all;
}

/**
 * Builds one migrated database with the GB/T 2260 tree as a template, so each test file
 * starts from a copy (PGlite: a data-dir dump; PostgreSQL: CREATE DATABASE … TEMPLATE) instead
 * of running initdb and migrations again. Only for the backends the tests will run on: CI's
 * Citus pass (XGZ_BACKENDS=citus) used to build the PGlite and PostgreSQL templates too, unused.
 */
export default async function setup(project: TestProject) {
  const backends = selectBackends();
  const lite = backends.includes('pglite') ? await pgliteTemplate() : { file: '', release: () => {} };
  project.provide('pgliteTemplate', lite.file);

  let pgTemplate: string | null = null;
  const url = backends.includes('postgres') ? process.env.DATABASE_URL : undefined;
  if (url) {
    pgTemplate = `xgz_tpl_${process.pid}_${project.name}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${pgTemplate}`);
    await admin.query(`CREATE DATABASE ${pgTemplate}`);
    // Its migrations commit some hundred times: not waiting on the disk for each (see freshDatabase).
    await admin.query(`ALTER DATABASE ${pgTemplate} SET synchronous_commit = off`);
    const server = await openDatabase({ databaseUrl: withDatabase(url, pgTemplate), poolSize: 1 });
    await migrate(server.pool);
    await seedJurisdictions(server.db);
    await server.close();
    await admin.end();
  }
  project.provide('pgTemplate', pgTemplate);

  // A Citus cluster (CITUS_URL, the coordinator): the template is made on every node, migrated
  // and distributed through the coordinator; each test file copies it on every node.
  let citusTemplate: string | null = null;
  const citusUrl = backends.includes('citus') ? process.env.CITUS_URL : undefined;
  if (citusUrl) {
    citusTemplate = `xgz_ctpl_${process.pid}_${project.name}`;
    await dropClusterDatabase(citusUrl, citusTemplate);
    await createClusterDatabase(citusUrl, citusTemplate);
    const cluster = await openDatabase({ databaseUrl: withDatabase(citusUrl, citusTemplate), poolSize: 1 });
    // The newest migrations run on the tables already distributed, as on a cluster upgrading: a
    // migration's CREATE TRIGGER or ALTER TABLE sent with its other statements in one text passed
    // here (all migrations, then the distribution) and was refused on a distributed database.
    const versions = listMigrations().map((m) => m.version);
    await migrate(cluster.pool, () => {}, versions[versions.length - 1 - UPGRADED_ON_CITUS]);
    await migrate(cluster.pool);
    await seedJurisdictions(cluster.db);
    await cluster.close();
  }
  project.provide('citusTemplate', citusTemplate);

  return async () => {
    lite.release();
    if (url && pgTemplate) {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      const left = await admin.query(
        `SELECT datname FROM pg_database WHERE datname LIKE 'xgz_t_${process.pid}_%' OR datname = $1`,
        [pgTemplate],
      );
      for (const { datname } of left.rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      await admin.end();
    }
    if (citusUrl && citusTemplate) await dropClusterDatabase(citusUrl, citusTemplate);
  };
}

/**
 * The PGlite template alone, for projects whose tests run on PGlite only (the browser tests'
 * demo server): migrating a PostgreSQL template they never copy cost a full migration run.
 */
export async function pgliteOnly(project: TestProject) {
  const lite = await pgliteTemplate();
  project.provide('pgliteTemplate', lite.file);
  project.provide('pgTemplate', null);
  project.provide('citusTemplate', null);
  return async () => lite.release();
}

type Shared = { file: Promise<string>; users: number };
const SHARED = Symbol.for('xgz.pgliteTemplate');

/**
 * The PGlite template file, made once per vitest process: `npm test` runs the integration and
 * browser projects in one process, and each project's global setup used to migrate its own copy.
 * The file is removed when the last project that asked for it is torn down.
 */
async function pgliteTemplate(): Promise<{ file: string; release: () => void }> {
  const g = globalThis as { [SHARED]?: Shared };
  const shared = (g[SHARED] ??= { file: buildPgliteTemplate(), users: 0 });
  shared.users++;
  let file: string;
  try {
    file = await shared.file;
  } catch (err) {
    if (g[SHARED] === shared) delete g[SHARED];
    throw err;
  }
  let released = false;
  return {
    file,
    release: () => {
      if (released) return;
      released = true;
      if (--shared.users > 0) return;
      if (g[SHARED] === shared) delete g[SHARED];
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    },
  };
}

async function buildPgliteTemplate(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xgz-tpl-'));
  const file = path.join(dir, 'pglite.tar');
  const lite = await openDatabase({ pgliteDir: 'memory://' });
  await migrate(lite.pool);
  await seedJurisdictions(lite.db);
  const dump = await lite.pglite!.dumpDataDir('none');
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await lite.close();
  return file;
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}
