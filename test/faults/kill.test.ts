import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { openDatabase } from '../../src/db/connection.js';
import type { DB } from '../../src/db/schema.js';
import { checksums, demoFilesBeforeAll, pgDatabase, randomBetween, ROUNDS, tmp, xgz } from './harness.js';

const KEY = crypto.randomBytes(32).toString('hex');
const dir = tmp('kill');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const LEDGER = {
  entity: `SELECT uscc, reg_no, name, kind, status, registered_on, address, county_code, station_code, industry_section, employees FROM entity ORDER BY uscc`,
  roles: `SELECT e.uscc, ep.role, p.name, p.birth_date, p.id_bi IS NOT NULL AS has_id, p.phone_bi IS NOT NULL AS has_phone FROM entity_person ep JOIN entity e ON e.id = ep.entity_id JOIN person p ON p.id = ep.person_id ORDER BY 1, 2, 3`,
  zones: `SELECT z.county_code, z.name, z.kind, e.uscc FROM entity_zone ez JOIN zone z ON z.id = ez.zone_id JOIN entity e ON e.id = ez.entity_id ORDER BY 1, 2, 4`,
  people: `SELECT count(*)::int AS n FROM person`,
  leftovers: `SELECT (SELECT count(*) FROM import_key)::int AS keys, (SELECT count(*) FROM import_job WHERE status = 'running')::int AS running`,
};

const demo = demoFilesBeforeAll(dir);

/** kill -9 of `xgz import` at a random point, then the CLI lists (ending the dead job) and imports again. */
describe.each(process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'])(
  'kill -9 of a CLI import on %s',
  (backend) => {
    const dbs: { drop(): Promise<void> }[] = [];
    afterAll(async () => void (await Promise.all(dbs.map((d) => d.drop()))));
    async function target(): Promise<{
      env: NodeJS.ProcessEnv;
      open(): Promise<{ db: Kysely<DB>; close(): Promise<void> }>;
    }> {
      if (backend === 'postgres') {
        const d = await pgDatabase();
        dbs.push(d);
        return {
          env: { DATABASE_URL: d.url, XGZ_DATA_DIR: tmp('key'), XGZ_DATA_KEY: KEY, XGZ_IMPORT_BATCH_ROWS: '200' },
          open: async () => {
            const x = await openDatabase({ databaseUrl: d.url, poolSize: 2 });
            return { db: x.db, close: () => x.close() };
          },
        };
      }
      const dataDir = tmp('lite');
      return {
        env: { DATABASE_URL: '', XGZ_DATA_DIR: dataDir, XGZ_DATA_KEY: KEY, XGZ_IMPORT_BATCH_ROWS: '200' },
        open: async () => {
          const lite = await PGlite.create(path.join(dataDir, 'pgdata'));
          const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: new pg.Pool(createPgConfig(lite)) }) });
          return {
            db,
            close: async () => {
              await db.destroy();
              await lite.close();
            },
          };
        },
      };
    }

    it(`ends as an uninterrupted import (${ROUNDS} random kill points)`, async () => {
      const clean = await target();
      const t0 = Date.now();
      const first = await xgz(clean.env, ['import', 'registry', demo.files.registry]);
      expect(first.code, first.out).toBe(0);
      const took = Date.now() - t0;
      const c = await clean.open();
      const expected = await checksums(c.db, LEDGER);
      await c.close();
      expect(expected.leftovers).toMatch(/^1:/);

      for (let round = 0; round < ROUNDS; round++) {
        const t = await target();
        const killAt = randomBetween(took * 0.3, took * 0.95);
        const killed = await xgz(t.env, ['import', 'registry', demo.files.registry], killAt);
        const list = await xgz(t.env, ['imports', 'list']);
        expect(list.code, list.out).toBe(0);
        // A job the kill cut short is no longer "running": it is ended as interrupted, at once.
        expect(list.out).not.toMatch(/导入中/);
        if (killed.signal === 'SIGKILL' && /#\d+\t失败\/中断/.test(list.out))
          expect(list.out).toMatch(/进程已不在的导入任务已标为中断|导入进程意外中止/);
        const again = await xgz(t.env, ['import', 'registry', demo.files.registry]);
        expect(again.code, again.out).toBe(0);
        const o = await t.open();
        const got = await checksums(o.db, LEDGER);
        await o.close();
        expect(got, `killed at ${killAt} ms of ${took} (${killed.signal ?? 'finished first'})`).toEqual(expected);
      }
    });
  },
);
