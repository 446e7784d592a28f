import fs from 'node:fs';
import { freePort } from '../helpers/net.js';
import path from 'node:path';
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/connection.js';
import { hashPassword } from '../../src/crypto/password.js';
import { registerAuditKey, verifyAuditChain } from '../../src/db/audit-chain.js';
import { deriveKeys } from '../../src/crypto/keys.js';
import { trackingHash } from '../../src/features/appeals/engine.js';
import { ledger } from '../helpers/ledger.js';
import { pgDatabase, randomBetween, sleep, tmp, xgz } from './harness.js';

/** The servers run with this master key, so the chain they write can be verified here. */
const KEY = crypto.randomBytes(32).toString('hex');
const withAuditKey = <T extends Parameters<typeof registerAuditKey>[0]>(db: T): T => (
  registerAuditKey(db, deriveKeys(Buffer.from(KEY, 'hex')).auditMac),
  db
);

const STATION = '320102001';

/**
 * All backend connections of the server's database terminated (pg_terminate_backend, this test's
 * database only) at random moments while clerks and the public keep it busy: the server process
 * never exits, requests answer 200/201 or 503 (Chinese problem+json with Retry-After), every
 * acknowledged appeal is in the database, the audit chain verifies, and SIGTERM then stops it
 * cleanly.
 */
describe.runIf(process.env.DATABASE_URL)(
  'terminating every backend connection under load (server process on PostgreSQL)',
  () => {
    let d: Awaited<ReturnType<typeof pgDatabase>>;
    let database: Database;
    let server: ReturnType<typeof xgz>;
    let base: string;
    const password = `Pw-${crypto.randomBytes(6).toString('hex')}A`;
    beforeAll(async () => {
      d = await pgDatabase();
      database = await openDatabase({ databaseUrl: d.url, poolSize: 2 });
      await ledger(database.db).station(STATION, '东所');
      await database.db
        .insertInto('app_user')
        .values({
          username: 'clerk',
          display_name: '所里',
          jurisdiction_code: STATION,
          scope_key: STATION,
          roles: ['station_staff'],
          password_hash: await hashPassword(password, 1000),
          must_change_password: false,
        })
        .execute();
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      server = xgz(
        {
          DATABASE_URL: d.url,
          XGZ_DATA_DIR: tmp('outage'),
          XGZ_DATA_KEY: KEY,
          PORT: String(port),
          XGZ_APPEAL_RATE: '1000000',
          // All from one address (no trusted proxy): a county's daily cap, and the address's share of it, lifted too.
          XGZ_APPEAL_COUNTY_DAILY: '1000000',
          XGZ_LOG_LEVEL: 'error',
        },
        ['serve', '--no-demo'],
      );
      for (let i = 0; ; i++) {
        const ok = await fetch(`${base}/readyz`).then(
          (r) => r.status === 200,
          () => false,
        );
        if (ok) break;
        if (i > 600 || server.child.exitCode !== null)
          throw new Error(
            `server did not become ready: ${(await Promise.race([server, sleep(10).then(() => null)]))?.out ?? ''}`,
          );
        await sleep(200);
      }
    });
    afterAll(async () => {
      if (server?.child.exitCode === null) server.child.kill('SIGKILL');
      await database?.close();
      await d?.drop();
    });

    async function terminateAll(): Promise<number> {
      const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await admin.connect();
      try {
        return (
          await admin.query(
            'SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
            [d.name],
          )
        ).rows[0].n;
      } finally {
        await admin.end();
      }
    }

    it('never exits, answers only 503s during the outage, loses no acknowledged write, and stops gracefully', async () => {
      const login = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'clerk', password }),
      });
      expect(login.status, await login.clone().text()).toBe(200);
      const cookie = login.headers.get('set-cookie')!.split(';')[0];
      const acknowledged: string[] = [];
      const statuses = new Map<number, number>();
      const bad: string[] = [];
      let stop = false;
      const note = async (res: Response) => {
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status === 503) {
          const body = await res.json();
          if (
            res.headers.get('retry-after') !== '5' ||
            body.title !== '服务暂不可用' ||
            !/application\/problem\+json/.test(res.headers.get('content-type') ?? '')
          )
            bad.push(JSON.stringify(body));
          return null;
        }
        if (res.status >= 300) bad.push(`${res.status} ${await res.text()}`);
        return res.status < 300 ? res.json() : null;
      };
      const worker = async (w: number) => {
        for (let i = 0; !stop; i++) {
          const body = await note(
            await fetch(`${base}/api/v1/public/appeals`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.1.${w}.${i & 255}` },
              body: JSON.stringify({
                category: 'parking',
                content: `小区不让电动车进门（${w}-${i}）`,
                areaCode: STATION,
              }),
            }),
          );
          if (body) acknowledged.push(body.code);
          await note(await fetch(`${base}/api/v1/appeals?pageSize=5`, { headers: { cookie } }));
        }
      };
      const workers = Array.from({ length: 8 }, (_, w) => worker(w));
      let terminated = 0;
      for (let k = 0; k < 4; k++) {
        await sleep(randomBetween(300, 1200));
        terminated += await terminateAll();
        expect(server.child.exitCode, 'the server process exited').toBeNull();
      }
      await sleep(1500);
      stop = true;
      await Promise.all(workers);
      expect(server.child.exitCode).toBeNull();
      expect(terminated).toBeGreaterThan(0);
      expect(bad).toEqual([]);
      expect([...statuses.keys()].sort()).toEqual(expect.arrayContaining([200, 201]));
      expect([...statuses.keys()].filter((s) => ![200, 201, 503].includes(s))).toEqual([]);
      // Served again at once after the last outage.
      expect((await fetch(`${base}/api/v1/appeals?pageSize=5`, { headers: { cookie } })).status).toBe(200);
      const stored = new Set(
        (await database.db.selectFrom('appeal_case').select('tracking_hash').execute()).map((r) => r.tracking_hash),
      );
      const lost = acknowledged.filter((c) => !stored.has(trackingHash(c)));
      expect(lost).toEqual([]);
      expect(await verifyAuditChain(withAuditKey(database.db))).toMatchObject({ ok: true });
      console.log(
        `outage: ${acknowledged.length} appeals acknowledged, 0 lost; statuses ${JSON.stringify(Object.fromEntries(statuses))}; ${terminated} backends terminated`,
      );

      server.child.kill('SIGTERM');
      const ended = await server;
      expect(ended.code, ended.out).toBe(0);
      expect(ended.out).toMatch(/收到 SIGTERM，正在停止[\s\S]*XGZ 已停止/);
    });
  },
);

/** SIGTERM of a server on the embedded database: it stops, says so, exits 0 and releases the data-dir lock. */
describe('stopping a server on the embedded database', () => {
  it('releases the lock on SIGTERM, so the next command runs at once', async () => {
    const dataDir = tmp('stop');
    const port = await freePort();
    const server = xgz({ DATABASE_URL: '', XGZ_DATA_DIR: dataDir, PORT: String(port), XGZ_LOG_LEVEL: 'error' }, [
      'serve',
      '--no-demo',
    ]);
    for (let i = 0; ; i++) {
      if (
        await fetch(`http://127.0.0.1:${port}/readyz`).then(
          (r) => r.status === 200,
          () => false,
        )
      )
        break;
      if (i > 900 || server.child.exitCode !== null) throw new Error('server did not become ready');
      await sleep(200);
    }
    expect(fs.existsSync(path.join(dataDir, 'xgz.pid'))).toBe(true);
    const busy = await xgz({ DATABASE_URL: '', XGZ_DATA_DIR: dataDir }, ['audit', 'verify']);
    expect(busy.code).toBe(1);
    expect(busy.out).toMatch(/正被 XGZ 进程 \d+（serve） 使用/);
    server.child.kill('SIGTERM');
    const ended = await server;
    expect(ended.code, ended.out).toBe(0);
    expect(ended.out).toMatch(/XGZ 已停止/);
    expect(fs.existsSync(path.join(dataDir, 'xgz.pid'))).toBe(false);
    const verify = await xgz({ DATABASE_URL: '', XGZ_DATA_DIR: dataDir }, ['audit', 'verify']);
    expect(verify.code, verify.out).toBe(0);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
