import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.js';
import { nonEmptyStatements, parseSplits } from 'postgres-semicolons';
import { distributeForCitus } from './citus.js';

const migrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export type Migration = { version: number; name: string; sql: string; checksum: string };

export function listMigrations(dir = migrationsDir): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => {
      const sql = fs.readFileSync(path.join(dir, f), 'utf8');
      return {
        version: Number(f.slice(0, 4)),
        name: f.slice(5, -4),
        sql,
        checksum: crypto.createHash('sm3').update(sql).digest('hex'),
      };
    });
}

/**
 * A migration's statements, to be sent one by one: Citus passes a DDL statement on to the workers
 * as the text it came in, and a text of several statements was refused there ("cannot insert
 * multiple commands into a prepared statement") once the tables were distributed — on every
 * cluster upgrading, never on a new one (its migrations all run before the distribution).
 */
export function statementsOf(text: string): string[] {
  const { positions, unterminated } = parseSplits(text, true);
  if (unterminated) throw new Error(`SQL 未结束：${unterminated}`);
  return nonEmptyStatements(text, positions);
}

/** How many migrations the database has applied, and the latest one (the readiness probe compares them with this code's). */
export const appliedMigrations = (db: Kysely<DB>) =>
  sql<{ n: number; max: number | null }>`SELECT count(*)::int AS n, max(version) AS max FROM schema_migration`
    .execute(db)
    .then((r) => r.rows[0]);

/**
 * Applies pending migrations in order, each in its own transaction, under an advisory lock
 * so two processes starting together do not race. Refuses if an applied file was edited.
 * On a Citus coordinator it then distributes the tables (db/citus.ts; idempotent, nothing elsewhere).
 * `through`: the last version to apply (the tests' Citus template stops short, distributes, then
 * applies the newest migrations to the distributed database, as a deployment upgrading does).
 */
export async function migrate(
  pool: pg.Pool,
  log: (msg: string) => void = () => {},
  through = Infinity,
): Promise<number> {
  const client = await pool.connect();
  let count = 0;
  try {
    await client.query('SELECT pg_advisory_lock(727274)');
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migration (
      version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now())`);
    const applied = new Map<number, string>(
      (
        await client.query<{ version: number; checksum: string }>('SELECT version, checksum FROM schema_migration')
      ).rows.map((r) => [r.version, r.checksum]),
    );
    for (const m of listMigrations().filter((m) => m.version <= through)) {
      const seen = applied.get(m.version);
      if (seen !== undefined) {
        if (seen !== m.checksum) throw new Error(`迁移文件 ${m.version}_${m.name}.sql 在应用后被修改过`);
        continue;
      }
      await client.query('BEGIN');
      try {
        for (const statement of statementsOf(m.sql)) await client.query(statement);
        await client.query('INSERT INTO schema_migration (version, name, checksum) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          m.checksum,
        ]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`迁移 ${m.version}_${m.name} 失败: ${(err as Error).message}`, { cause: err });
      }
      log(`migrated ${m.version}_${m.name}`);
      count++;
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(727274)').catch(() => {});
    client.release();
  }
  await distributeForCitus(pool, log);
  return count;
}
