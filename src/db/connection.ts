import fs from 'node:fs';
import path from 'node:path';
import { EventEmitter } from 'node:events';
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import type { DB } from './schema.js';
import { isTimeZone, timeZone } from '../domain/time/zone.js';

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
  /** Whether the database answers: marked down by a lost connection, up again by a probe. */
  health: DbHealth;
  close(): Promise<void>;
};

export type OpenOptions = {
  databaseUrl?: string;
  /** PGlite data directory; 'memory://' for an in-memory database. */
  pgliteDir?: string;
  /** A PGlite data-dir tarball to start from (tests start from a migrated template). */
  pgliteLoad?: Blob;
  poolSize?: number;
  /** The sessions' time zone: the deployment's (config.timeZone), the app's zone unless given. */
  timeZone?: string;
};

/**
 * The zone every session runs in: what current_date means in a query or trigger (an office left,
 * an assignment ended "today") and how a date becomes an instant. The server's default (UTC here)
 * made the database's today yesterday in Beijing from midnight to 08:00.
 */
function sessionZone(opts: OpenOptions): string {
  const tz = opts.timeZone ?? timeZone();
  if (!isTimeZone(tz)) throw new Error(`未知的时区：${tz}`);
  return tz;
}

const NODE_NET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);

/**
 * An error that says the database could not be reached or the connection was lost (server
 * restart, failover, pg_terminate_backend, network), not that the statement was wrong: the
 * request may be retried once the database is back. SQLSTATE class 08 (connection exception),
 * 57P01–57P03 (administrator/crash shutdown, cannot connect now), 53300 (too many connections).
 */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  const code = typeof e.code === 'string' ? e.code : '';
  if (/^08/.test(code) || ['57P01', '57P02', '57P03', '53300'].includes(code) || NODE_NET_CODES.has(code)) return true;
  const msg = typeof e.message === 'string' ? e.message : '';
  return /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Client was closed and is not queryable|Connection refused/i.test(
    msg,
  );
}

/**
 * Database reachability as the process sees it. A connection error marks it down; while down,
 * a probe (SELECT 1 on a fresh connection) runs every `probeMs` until it answers, then it is up
 * again and waiters (paused background jobs) resume. Requests are never held back by it: each
 * tries the database itself, so the first request after the database is back is served.
 */
export class DbHealth extends EventEmitter {
  private down: { since: Date; reason: string } | null = null;
  private probing: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly probe: () => Promise<unknown>,
    private readonly probeMs = 1000,
  ) {
    super();
  }

  get isUp(): boolean {
    return this.down === null;
  }

  get downSince(): Date | null {
    return this.down?.since ?? null;
  }

  /** Records a failure; returns whether it was a connection error (the caller decides what else to do). */
  report(err: unknown): boolean {
    if (!isConnectionError(err)) return false;
    if (!this.down && !this.closed) {
      this.down = { since: new Date(), reason: (err as Error).message };
      this.emit('down', err);
      this.schedule();
    }
    return true;
  }

  private schedule() {
    if (this.probing || this.closed) return;
    this.probing = setTimeout(() => {
      this.probing = null;
      this.probe().then(
        () => {
          if (!this.down) return;
          this.down = null;
          this.emit('up');
        },
        () => this.schedule(),
      );
    }, this.probeMs);
    this.probing.unref();
  }

  /** Resolves when the database is up (at once if it is). */
  whenUp(): Promise<void> {
    if (this.isUp || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.off('up', done);
        this.off('closed', done);
        resolve();
      };
      this.on('up', done);
      this.on('closed', done);
    });
  }

  close(): void {
    this.closed = true;
    if (this.probing) clearTimeout(this.probing);
    this.probing = null;
    this.emit('closed');
  }
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.databaseUrl) {
    // A connect attempt that hangs (a network partition) fails after 30 s instead of holding the
    // request for ever (the limit also bounds a wait for a free pooled connection).
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: opts.poolSize ?? 10,
      connectionTimeoutMillis: 30_000,
      options: `-c TimeZone=${sessionZone(opts)}`,
    });
    const health = new DbHealth(async () => {
      const c = new pg.Client({ connectionString: opts.databaseUrl, connectionTimeoutMillis: 5_000 });
      c.on('error', () => {});
      try {
        await c.connect();
        await c.query('SELECT 1');
      } finally {
        await c.end().catch(() => {});
      }
    });
    // Without a listener an 'error' event ends the process. An idle client's error reaches the
    // pool's; a client checked out (inside a transaction, between two statements) emits its own,
    // so every client gets one as it connects. The statement in flight, if any, fails with the
    // error too, and the request answers 503; the pool discards the broken client on release.
    pool.on('error', (err) => void health.report(err));
    pool.on('connect', (client) => {
      client.on('error', (err) => void health.report(err));
    });
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return {
      kind: 'postgres',
      db,
      pool,
      health,
      close: async () => {
        health.close();
        await db.destroy();
      },
    };
  }
  const dir = opts.pgliteDir ?? 'memory://';
  if (!dir.startsWith('memory://')) fs.mkdirSync(path.dirname(dir), { recursive: true });
  const pglite = await PGlite.create(dir, { loadDataDir: opts.pgliteLoad });
  // One backend, one session for the process: set once.
  await pglite.query(`SELECT set_config('TimeZone', $1, false)`, [sessionZone(opts)]);
  const pool = new pg.Pool(createPgConfig(pglite));
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  // The embedded database lives in this process: it cannot go away while the process runs.
  const health = new DbHealth(async () => pglite.query('SELECT 1'));
  return {
    kind: 'pglite',
    db,
    pool,
    pglite,
    health,
    close: async () => {
      health.close();
      await db.destroy();
      await pglite.close();
    },
  };
}
