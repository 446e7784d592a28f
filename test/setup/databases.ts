import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/connection.js';
import { migrate } from '../../src/db/migrate.js';
import { seedJurisdictions } from '../../src/features/jurisdictions/seed.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    pgTemplate: string | null;
  }
}

/**
 * Builds one migrated database with the GB/T 2260 tree as a template, so each test file
 * starts from a copy (PGlite: a data-dir dump; PostgreSQL: CREATE DATABASE … TEMPLATE) instead
 * of running initdb and migrations again.
 */
export default async function setup(project: TestProject) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xgz-tpl-'));
  const file = path.join(dir, 'pglite.tar');
  const lite = await openDatabase({ pgliteDir: 'memory://' });
  await migrate(lite.pool);
  await seedJurisdictions(lite.db);
  const dump = await lite.pglite!.dumpDataDir('none');
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await lite.close();
  project.provide('pgliteTemplate', file);

  let pgTemplate: string | null = null;
  const url = process.env.DATABASE_URL;
  if (url) {
    pgTemplate = `xgz_tpl_${process.pid}_${project.name}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${pgTemplate}`);
    await admin.query(`CREATE DATABASE ${pgTemplate}`);
    const server = await openDatabase({ databaseUrl: withDatabase(url, pgTemplate), poolSize: 1 });
    await migrate(server.pool);
    await seedJurisdictions(server.db);
    await server.close();
    await admin.end();
  }
  project.provide('pgTemplate', pgTemplate);

  return async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    if (url && pgTemplate) {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      const left = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE 'xgz_t_${process.pid}_%' OR datname = $1`, [pgTemplate]);
      for (const { datname } of left.rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      await admin.end();
    }
  };
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}
