import fs from 'node:fs';
import crypto from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/db/connection.js';
import { createClusterDatabase, distributeForCitus, dropClusterDatabase } from '../../src/db/citus.js';
import { selectBackends, withDatabase, type Backend } from '../setup/databases.js';

export type { Backend };

/**
 * PGlite always; PostgreSQL too when DATABASE_URL is set (CI sets it); a Citus cluster too when
 * CITUS_URL is set (the coordinator's maintenance database, e.g. from tools/citus-cluster.sh).
 * XGZ_BACKENDS (e.g. `citus`) narrows the list, so one pass can run on the cluster alone.
 */
export const BACKENDS: Backend[] = selectBackends();

/**
 * A fresh database copied from the migrated template, dropped again on close. On PostgreSQL its
 * commits do not wait for the WAL to reach the disk (synchronous_commit = off: ~5 ms a commit on
 * this machine's disk, 0.4 ms without; the suite commits tens of thousands of times). What other
 * sessions see, and when, is unchanged; only a crash of the server itself could lose the last
 * commits, which no integration test makes (the fault suite, which kills processes, keeps the
 * server's own setting: test/faults/harness.ts). The Citus cluster runs with fsync off already.
 */
export async function freshDatabase(backend: Backend): Promise<Database> {
  if (backend === 'pglite') {
    const file = inject('pgliteTemplate');
    if (!file) throw new Error('no PGlite template: XGZ_BACKENDS left PGlite out when the global setup ran');
    const blob = new Blob([fs.readFileSync(file)]);
    return openDatabase({ pgliteDir: 'memory://', pgliteLoad: blob });
  }
  if (backend === 'citus') return freshClusterDatabase();
  const url = process.env.DATABASE_URL!;
  const template = inject('pgTemplate');
  if (!template) throw new Error("no PostgreSQL template: this project's global setup made the PGlite one only");
  // The pid prefix lets the global teardown drop what a crashed file left behind.
  const name = `xgz_t_${process.ppid}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  await admin.query(`ALTER DATABASE ${name} SET synchronous_commit = off`);
  await admin.end();
  const database = await openDatabase({ databaseUrl: withDatabase(url, name), poolSize: 4 });
  // A database's own settings (ALTER DATABASE … SET citus.propagate_set_commands, which carries the
  // scope to the workers) are not copied with it: the Citus step sets them again, as `xgz migrate` does.
  await distributeForCitus(database.pool);
  const close = () => database.close();
  return {
    ...database,
    close: async () => {
      await close();
      const a = new pg.Client({ connectionString: url });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

/** A fresh database on the Citus cluster: a copy of the distributed template on every node. */
async function freshClusterDatabase(): Promise<Database> {
  const url = process.env.CITUS_URL!;
  const template = inject('citusTemplate');
  if (!template) throw new Error('CITUS_URL was set after the global setup ran');
  const name = `xgz_c_${process.ppid}_${crypto.randomBytes(4).toString('hex')}`;
  await createClusterDatabase(url, name, template);
  const database = await openDatabase({ databaseUrl: withDatabase(url, name), poolSize: 4 });
  // A database's own settings (ALTER DATABASE … SET citus.propagate_set_commands, which carries the
  // scope to the workers) are not copied with it: the Citus step sets them again, as `xgz migrate` does.
  await distributeForCitus(database.pool);
  const close = () => database.close();
  return {
    ...database,
    close: async () => {
      await close();
      await dropClusterDatabase(url, name);
    },
  };
}
