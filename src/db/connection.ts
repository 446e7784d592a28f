import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import type { DB } from './schema.js';

// pg returns int8 and numeric as strings; ours fit in a double, so parse once, here, for both backends.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));
// Dates (not timestamps) stay 'YYYY-MM-DD' strings: no time-zone shifts.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export type Database = {
  kind: 'pglite' | 'postgres';
  /** System connection: the connecting (owner) role, bypasses row-level security. */
  db: Kysely<DB>;
  pool: pg.Pool;
  pglite?: PGlite;
  close(): Promise<void>;
};

export type OpenOptions = {
  databaseUrl?: string;
  /** PGlite data directory; 'memory://' for an in-memory database. */
  pgliteDir?: string;
  /** A PGlite data-dir tarball to start from (tests start from a migrated template). */
  pgliteLoad?: Blob;
  poolSize?: number;
};

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 });
    // An idle connection the server dropped (restart, failover) is replaced by the pool on next
    // use; without a listener its 'error' event would end the process.
    pool.on('error', (err) => process.emitWarning(`PostgreSQL idle connection lost: ${err.message}`));
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return { kind: 'postgres', db, pool, close: () => db.destroy() };
  }
  const dir = opts.pgliteDir ?? 'memory://';
  if (!dir.startsWith('memory://')) fs.mkdirSync(path.dirname(dir), { recursive: true });
  const pglite = await PGlite.create(dir, { loadDataDir: opts.pgliteLoad });
  const pool = new pg.Pool(createPgConfig(pglite) as unknown as pg.PoolConfig);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'pglite',
    db,
    pool,
    pglite,
    close: async () => {
      await db.destroy();
      await pglite.close();
    },
  };
}
