import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { sql } from 'kysely';
import { BACKENDS } from '../helpers/db.js';
import { nextIp, testApp, type TestApp } from '../helpers/app.js';
import { ledger } from '../helpers/ledger.js';
import { isConnectionError, openDatabase } from '../../src/db/connection.js';
import { verifyAuditChain } from '../../src/db/audit-chain.js';
import {
  acquireDataDirLock,
  assertDataDirFree,
  formatRef,
  processStartToken,
  releaseDataDirLock,
} from '../../src/db/lock.js';
import { reclaimStaleImports, INTERRUPTED_MESSAGE } from '../../src/jobs/import/lease.js';
import { buildApp } from '../../src/server.js';
import { demoPlaces, writeDemoFiles } from '../../src/demo/files.js';
import { loadConfig } from '../../src/config.js';
import { deriveKeys } from '../../src/crypto/keys.js';
import { SettingsStore } from '../../src/db/settings.js';
import type { AppContext } from '../../src/http/context.js';

const S1 = '320102001';
const until = async (cond: () => boolean | Promise<boolean>, what: string, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

/** A process that has exited, with the start token it had: a stale lease or lock. */
async function deadProcessRef(): Promise<{ pid: number; token: string | null }> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
  await until(() => processStartToken(child.pid!) !== null, 'child start');
  const ref = { pid: child.pid!, token: processStartToken(child.pid!) };
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  return ref;
}

describe.each(BACKENDS)('health, readiness and dead import jobs on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(backend);
  });
  afterAll(() => t?.close());

  it('answers /healthz and /readyz publicly with minimal JSON; /readyz says when migrations are not current', async () => {
    const h = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(h.statusCode).toBe(200);
    expect(h.json()).toEqual({ status: 'ok' });
    const r = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({ status: 'ready' });
    const last = (
      await sql<{
        version: number;
        name: string;
        checksum: string;
        applied_at: Date;
      }>`SELECT * FROM schema_migration ORDER BY version DESC LIMIT 1`.execute(t.db)
    ).rows[0];
    await sql`DELETE FROM schema_migration WHERE version = ${last.version}`.execute(t.db);
    try {
      const pending = await t.app.inject({ method: 'GET', url: '/readyz' });
      expect(pending.statusCode).toBe(503);
      expect(pending.json()).toMatchObject({
        status: 'unavailable',
        reason: 'migrations_pending',
        detail: '数据库迁移尚未完成',
      });
    } finally {
      await sql`INSERT INTO schema_migration (version, name, checksum, applied_at) VALUES (${last.version}, ${last.name}, ${last.checksum}, ${last.applied_at})`.execute(
        t.db,
      );
    }
  });

  it('ends a running import whose process died at once, deletes its key rows and audits it; a live one is left alone', async () => {
    const dead = await deadProcessRef();
    const mk = async (lease: string | null, heartbeat: Date | null) =>
      (
        await t.db
          .insertInto('import_job')
          .values({
            kind: 'registry',
            file_name: 'x.csv',
            file_path: '/nonexistent/x.csv',
            file_bytes: 1,
            scope_key: '',
            status: 'running',
            lease_owner: lease,
            heartbeat_at: heartbeat,
            started_at: new Date(),
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const deadJob = await mk(formatRef({ host: os.hostname(), ...dead }), new Date());
    const liveJob = await mk(
      formatRef({ host: os.hostname(), pid: process.pid, token: processStartToken(process.pid) }),
      new Date(),
    );
    const farFresh = await mk('elsewhere/42/t1', new Date());
    const farStale = await mk('elsewhere/43/t1', new Date(Date.now() - 5 * 60_000));
    await t.db
      .insertInto('import_key')
      .values([
        { job_id: deadJob, h: '1', row_no: 2 },
        { job_id: deadJob, h: '2', row_no: 3 },
        { job_id: liveJob, h: '1', row_no: 2 },
      ])
      .execute();

    const ended = await reclaimStaleImports(t.db);
    expect(ended.sort()).toEqual([deadJob, farStale].sort());
    const rows = await t.db
      .selectFrom('import_job')
      .select(['id', 'status', 'error'])
      .where('id', 'in', [deadJob, liveJob, farFresh, farStale])
      .orderBy('id')
      .execute();
    expect(rows.map((r) => r.status)).toEqual(['failed', 'running', 'running', 'failed']);
    expect(rows[0].error).toBe(INTERRUPTED_MESSAGE);
    const keys = await t.db.selectFrom('import_key').select('job_id').execute();
    expect(keys.map((k) => k.job_id)).toEqual([liveJob]);
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['object_id', 'outcome'])
      .where('action', '=', 'import.run')
      .where('object_id', '=', String(deadJob))
      .execute();
    expect(audit).toEqual([{ object_id: String(deadJob), outcome: 'failure' }]);
    // Re-runnable at once from the web: the interrupted job is no longer "in progress".
    const editor = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '000000' }));
    const rerun = await editor.post(`/imports/${deadJob}/rerun`);
    expect(rerun.json().detail ?? '').not.toMatch(/仍在进行/);
    await t.db
      .updateTable('import_job')
      .set({ status: 'failed', lease_owner: null })
      .where('id', 'in', [liveJob, farFresh])
      .execute();
    await t.app.imports.idle();
  });
});

describe.each(BACKENDS)('stopping the app on %s', (backend) => {
  it('hands an import in progress back to the queue after its current batch, as if never started, for the next start to run', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xgz-rel-stop-'));
    const saved = process.env.XGZ_IMPORT_BATCH_ROWS;
    process.env.XGZ_IMPORT_BATCH_ROWS = '50';
    const t = await testApp(backend);
    try {
      const files = await writeDemoFiles(dir, {
        entities: 1500,
        seed: 6,
        badShare: 0.05,
        places: await demoPlaces(t.db, ['320105']),
      });
      const job = await t.db
        .insertInto('import_job')
        .values({
          kind: 'registry',
          file_name: 'registry.csv',
          file_path: files.registry,
          file_bytes: fs.statSync(files.registry).size,
          scope_key: '',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      t.app.imports.enqueue(job.id);
      await until(
        async () =>
          ((await t.db.selectFrom('import_job').select('rows_read').where('id', '=', job.id).executeTakeFirst())
            ?.rows_read ?? 0) >= 100,
        'the import to be under way',
        60_000,
      );
      await t.app.imports.stop();
      const back = await t.db.selectFrom('import_job').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow();
      expect(back).toMatchObject({
        status: 'queued',
        rows_read: 0,
        rows_accepted: 0,
        rows_rejected: 0,
        lease_owner: null,
        error: null,
      });
      expect((await t.db.selectFrom('import_key').select('job_id').where('job_id', '=', job.id).execute()).length).toBe(
        0,
      );
      expect(
        (await t.db.selectFrom('import_rejection').select('job_id').where('job_id', '=', job.id).execute()).length,
      ).toBe(0);
      const partial = Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM entity`.execute(t.db)).rows[0].n);
      expect(partial).toBeGreaterThan(0);
      expect(partial).toBeLessThan(1500);
    } finally {
      if (saved === undefined) delete process.env.XGZ_IMPORT_BATCH_ROWS;
      else process.env.XGZ_IMPORT_BATCH_ROWS = saved;
      await t.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the data-dir lock', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xgz-lock-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is not blocked by a stale file naming an unrelated live process, or a dead one; is held by a live XGZ process', async () => {
    const other = spawn('sleep', ['30']);
    try {
      await until(() => processStartToken(other.pid!) !== null, 'sleep start');
      fs.writeFileSync(path.join(dir, 'xgz.pid'), String(other.pid)); // the older bare-pid format
      expect(() => assertDataDirFree(dir)).not.toThrow();
      fs.writeFileSync(path.join(dir, 'xgz.pid'), JSON.stringify({ host: os.hostname(), pid: other.pid, token: 't1' }));
      expect(() => assertDataDirFree(dir)).not.toThrow();
      fs.writeFileSync(path.join(dir, 'xgz.pid'), JSON.stringify({ host: os.hostname(), ...(await deadProcessRef()) }));
      expect(() => assertDataDirFree(dir)).not.toThrow();
    } finally {
      other.kill('SIGKILL');
    }
    // A live holder (a child that took the lock the way the server does) blocks, until it is killed.
    const src = path.resolve('src/db/lock.ts');
    const holder = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import(${JSON.stringify(src)}).then((m) => { m.acquireDataDirLock(${JSON.stringify(dir)}, 'serve'); console.log('locked'); setTimeout(() => {}, 60000); })`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    holder.stdout.on('data', (d) => (out += d));
    await until(() => out.includes('locked'), 'holder lock', 30_000);
    expect(() => assertDataDirFree(dir)).toThrow(/正被 XGZ 进程 \d+（serve） 使用/);
    expect(() => acquireDataDirLock(dir, 'test')).toThrow(/请先停止该进程/);
    holder.kill('SIGKILL');
    await new Promise((r) => holder.once('exit', r));
    acquireDataDirLock(dir, 'test');
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'xgz.pid'), 'utf8'))).toMatchObject({
      pid: process.pid,
      command: 'test',
    });
    releaseDataDirLock();
    expect(fs.existsSync(path.join(dir, 'xgz.pid'))).toBe(false);
  });
});

describe.runIf(process.env.DATABASE_URL)('losing the PostgreSQL connections', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp('postgres');
    await ledger(t.db).station(S1, '东所');
  });
  afterAll(() => t?.close());

  const dbName = () => new URL(t.ctx.database.pool.options.connectionString!).pathname.slice(1);
  async function terminateAll() {
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    try {
      const r = await admin.query(
        'SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [dbName()],
      );
      return r.rows[0].n as number;
    } finally {
      await admin.end();
    }
  }

  it('survives a connection terminated while checked out and idle between statements (the crash of issue 17)', async () => {
    const client = await t.ctx.database.pool.connect();
    await client.query('SELECT 1');
    expect(await terminateAll()).toBeGreaterThan(0);
    await until(() => !t.ctx.database.health.isUp, 'health to notice');
    client.release(true);
    await until(() => t.ctx.database.health.isUp, 'health probe to see the database back');
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });

  it('answers requests in flight 503 in Chinese with Retry-After, loses no acknowledged write, and serves again at once', async () => {
    const staff = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: S1 }));
    const acknowledged: string[] = [];
    const statuses: number[] = [];
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const res = await t.app.inject({
          method: 'POST',
          url: '/api/v1/public/appeals',
          payload: { category: 'parking', content: `小区不让电动车进门 ${crypto.randomUUID()}`, areaCode: S1 },
          remoteAddress: nextIp(),
        });
        statuses.push(res.statusCode);
        if (res.statusCode === 201) acknowledged.push(res.json().code);
        else {
          expect(res.statusCode, res.body).toBe(503);
          expect(res.headers['retry-after']).toBe('5');
          expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
          expect(res.json()).toMatchObject({ status: 503, title: '服务暂不可用', code: 'database_unavailable' });
          expect(res.json().detail).toMatch(/数据库暂时无法连接/);
        }
        const list = await staff.get('/appeals?pageSize=5');
        statuses.push(list.statusCode);
        expect([200, 503]).toContain(list.statusCode);
      }
    };
    const workers = Array.from({ length: 6 }, worker);
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 150 + Math.random() * 300));
      await terminateAll();
    }
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await Promise.all(workers);
    // Served again as soon as the database answers.
    const after = await staff.get('/appeals?pageSize=5');
    expect(after.statusCode).toBe(200);
    expect(statuses.filter((s) => s !== 200 && s !== 201 && s !== 503)).toEqual([]);
    expect(acknowledged.length).toBeGreaterThan(0);
    const stored = await t.db.selectFrom('appeal_case').select('tracking_hash').execute();
    expect(stored.length).toBeGreaterThanOrEqual(acknowledged.length);
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true });
  });
});

describe.runIf(process.env.DATABASE_URL)('an import while the PostgreSQL connections are lost', () => {
  const LEDGER = [
    `SELECT uscc, reg_no, name, kind, status, registered_on, address, county_code, station_code, industry_section, employees FROM entity ORDER BY uscc`,
    `SELECT e.uscc, ep.role, p.name, p.birth_date, p.id_bi IS NOT NULL AS has_id FROM entity_person ep JOIN entity e ON e.id = ep.entity_id JOIN person p ON p.id = ep.person_id ORDER BY 1, 2, 3`,
    `SELECT count(*)::int AS n FROM person`,
    `SELECT count(*)::int AS n FROM import_key`,
  ];
  const state = async (t: TestApp) => Promise.all(LEDGER.map(async (q) => (await sql.raw(q).execute(t.db)).rows));

  it('pauses, and once the database is back runs the job again to the same end as an uninterrupted import', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xgz-rel-imp-'));
    const saved = process.env.XGZ_IMPORT_BATCH_ROWS;
    process.env.XGZ_IMPORT_BATCH_ROWS = '100';
    const clean = await testApp('postgres');
    const t = await testApp('postgres');
    try {
      const files = await writeDemoFiles(dir, {
        entities: 1500,
        seed: 5,
        badShare: 0.02,
        places: await demoPlaces(t.db, ['320105']),
      });
      const enqueue = async (x: TestApp) => {
        const job = await x.db
          .insertInto('import_job')
          .values({
            kind: 'registry',
            file_name: 'registry.csv',
            file_path: files.registry,
            file_bytes: fs.statSync(files.registry).size,
            scope_key: '',
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        x.app.imports.enqueue(job.id);
        return job.id;
      };
      await enqueue(clean);
      await clean.app.imports.idle();
      const expected = await state(clean);

      const id = await enqueue(t);
      await until(
        async () =>
          ((await t.db.selectFrom('import_job').select('rows_read').where('id', '=', id).executeTakeFirst())
            ?.rows_read ?? 0) >= 300,
        'the import to be under way',
        60_000,
      );
      const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await admin.connect();
      const dbName = new URL(t.ctx.database.pool.options.connectionString!).pathname.slice(1);
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [dbName],
      );
      await admin.end();
      await until(
        async () =>
          (
            await t.db
              .selectFrom('import_job')
              .select('status')
              .where('id', '=', id)
              .executeTakeFirstOrThrow()
              .catch(() => ({ status: 'running' }))
          ).status === 'done',
        'the import to finish',
        120_000,
      );
      await t.app.imports.idle();
      const job = await t.db.selectFrom('import_job').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      expect(job.status, job.error ?? '').toBe('done');
      expect(await state(t)).toEqual(expected);
    } finally {
      if (saved === undefined) delete process.env.XGZ_IMPORT_BATCH_ROWS;
      else process.env.XGZ_IMPORT_BATCH_ROWS = saved;
      await clean.close();
      await t.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a database that cannot be reached', () => {
  it('gets every request 503 in Chinese (not 500), and /readyz says so while /healthz stays up', async () => {
    const database = await openDatabase({ databaseUrl: 'postgres://root@127.0.0.1:9/none', poolSize: 2 });
    const config = {
      ...loadConfig({ XGZ_PASSWORD_ITERATIONS: '1000', XGZ_DATA_DIR: '.tmp/unused', XGZ_LOG_LEVEL: 'silent' }),
      databaseUrl: undefined,
    };
    const ctx: AppContext = {
      config,
      database,
      db: database.db,
      keys: deriveKeys(crypto.randomBytes(32)),
      settings: new SettingsStore(database.db, 0),
    };
    const app = await buildApp(ctx, { webDist: null });
    try {
      const login = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'a', password: 'b' },
      });
      expect(login.statusCode, login.body).toBe(503);
      expect(login.json().title).toBe('服务暂不可用');
      expect(login.headers['retry-after']).toBe('5');
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({ reason: 'database_unreachable', detail: '数据库暂时无法连接' });
      expect(isConnectionError(Object.assign(new Error('x'), { code: '57P01' }))).toBe(true);
      expect(isConnectionError(Object.assign(new Error('x'), { code: '23505' }))).toBe(false);
    } finally {
      await app.close();
      await database.close();
    }
  });
});
