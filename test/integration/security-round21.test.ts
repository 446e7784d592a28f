import fs from 'node:fs';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usccCheckChar } from '../../src/domain/identifiers/uscc.js';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { ledger } from '../helpers/ledger.js';
import { csvFile, importFile, tmpDir } from '../helpers/imports.js';

/**
 * Round 21 of the security probe (SECURITY.md, 第二十一轮探测). Every test here failed on the code
 * before its fix.
 */
const COUNTY = '320102';
const STATION = '320102001';

/** Longer than the time after which a request's credential is looked at again before it writes. */
const pause = () => new Promise((r) => setTimeout(r, 1_200));

describe.each(BACKENDS)('security regressions, round 21, on %s', (backend) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await testApp(backend);
    await ledger(t.db).station(STATION, '东所');
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A request whose body is still arriving: `rest` ends it. */
  function streaming(o: { url: string; headers: Record<string, string>; first: string }) {
    const body = new PassThrough();
    body.write(o.first);
    // inject() sends when its result is asked for: then() sends it now.
    const res = t.app.inject({ method: 'POST', url: o.url, headers: o.headers, payload: body }).then((r) => r);
    return { res, rest: (tail: string) => body.end(tail) };
  }

  it('an attachment whose upload was still arriving when its account was disabled is not stored: the session was checked only as the request began, so a file sent over minutes was kept under an account (or a scope) the system administrator had already ended', async () => {
    const u = await t.user({ roles: ['editor'], jurisdiction: COUNTY });
    const c = await t.signIn(u);
    const admin = await t.signIn(await t.user({ roles: ['sysadmin'], jurisdiction: COUNTY }));
    const notice = await c.post('/deployments', {
      kind: 'notice',
      title: '第二十一轮附件',
      body: '正文',
      targets: [STATION],
    });
    expect(notice.statusCode, notice.body).toBe(201);
    const b = 'round21boundary';
    const up = streaming({
      url: `/api/v1/attachments/deployment/${notice.json().id}`,
      headers: { cookie: c.cookie, 'x-csrf-token': c.csrf, 'content-type': `multipart/form-data; boundary=${b}` },
      first: `--${b}\r\nContent-Disposition: form-data; name="file"; filename="离职前.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\n`,
    });
    await pause();
    const disabled = await admin.patch(`/accounts/${u.id}`, { disabled: true });
    expect(disabled.statusCode, disabled.body).toBe(200);
    up.rest(`\n%%EOF\n\r\n--${b}--\r\n`);
    const res = await up.res;
    expect(res.statusCode, res.body).toBe(401);
    expect(res.json().detail).toContain('会话已结束');
    const kept = await t.db.selectFrom('attachment').select('id').where('file_name', '=', '离职前.pdf').execute();
    expect(kept).toEqual([]);
  });

  it("a service account's delivery still arriving when the account was revoked is not imported: the token was checked only as the request began, so a batch sent over minutes with a leaked token was queued after the security administrator revoked it", async () => {
    const sec = await t.signIn(await t.user({ roles: ['secadmin'], jurisdiction: COUNTY }));
    const biz = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: COUNTY }));
    const created = await sec.post('/service-accounts', {
      name: '第二十一轮对接',
      jurisdictionCode: COUNTY,
      permissions: ['registry.write'],
      expiresAt: `${new Date().getFullYear() + 1}-12-31`,
      ipAllowlist: ['127.0.0.1'],
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().account.id as number;
    const issued = await biz.post(`/service-accounts/${id}/token`, {});
    expect(issued.statusCode, issued.body).toBe(200);
    const first17 = '92320102MA1R21001';
    const line = JSON.stringify({
      uscc: first17 + usccCheckChar(first17),
      name: '第二十一轮小吃店',
      kind: '个体工商户',
      countyCode: COUNTY,
    });
    const delivery = streaming({
      url: '/api/v1/exchange/imports/registry?batch=r21-revoked',
      headers: { authorization: `Bearer ${issued.json().token}`, 'content-type': 'application/x-ndjson' },
      first: `${line}\n`,
    });
    await pause();
    const revoked = await sec.post(`/service-accounts/${id}/revoke`, { reason: '令牌泄露' });
    expect(revoked.statusCode, revoked.body).toBe(200);
    delivery.rest('');
    const res = await delivery.res;
    expect(res.statusCode, res.body).toBe(401);
    expect(res.json().code).toBe('token_revoked');
    const jobs = await t.db.selectFrom('import_job').select('id').where('created_by', '=', id).execute();
    expect(jobs).toEqual([]);
  });

  it("an import queued by an account that was revoked or disabled before the job started does not run: a leaked token's batch waiting behind others in the queue was imported after the revocation, and a departed clerk's file after the account was disabled", async () => {
    const dir = tmpDir();
    try {
      const first17 = (n: number) => `92320102MA1R2110${n}`;
      const file = (n: number) =>
        csvFile(dir, `r21-${n}.csv`, [
          {
            统一社会信用代码: first17(n) + usccCheckChar(first17(n)),
            名称: `第二十一轮排队${n}号店`,
            主体类型: '个体工商户',
            登记状态: '存续',
            成立日期: '2020-05-01',
            住所: '玄武区中山路 21 号',
            所属县区代码: COUNTY,
          },
        ]);
      const clerk = await t.user({ roles: ['editor'], jurisdiction: COUNTY });
      const svc = await t.user({ roles: ['editor'], jurisdiction: COUNTY });
      await t.db.updateTable('app_user').set({ disabled: true }).where('id', '=', clerk.id).execute();
      const sec = await t.signIn(await t.user({ roles: ['secadmin'], jurisdiction: COUNTY }));
      const created = await sec.post('/service-accounts', {
        name: '第二十一轮排队对接',
        jurisdictionCode: COUNTY,
        permissions: ['registry.write'],
        expiresAt: `${new Date().getFullYear() + 1}-12-31`,
        ipAllowlist: ['127.0.0.1'],
      });
      expect(created.statusCode, created.body).toBe(201);
      const account = created.json().account.id as number;
      expect((await sec.post(`/service-accounts/${account}/revoke`, { reason: '令牌泄露' })).statusCode).toBe(200);
      for (const [n, by] of [
        [1, clerk.id],
        [2, account],
      ] as const) {
        const { job } = await importFile(t, 'registry', file(n), { id: by, scopeKey: COUNTY });
        expect(job.status).toBe('failed');
        expect(job.error).toContain(n === 1 ? '已停用' : '已吊销');
        const entity = await t.db
          .selectFrom('entity')
          .select('id')
          .where('name', '=', `第二十一轮排队${n}号店`)
          .execute();
        expect(entity).toEqual([]);
      }
      // An account in good standing imports the same kind of file.
      const { job } = await importFile(t, 'registry', file(3), { id: svc.id, scopeKey: COUNTY });
      expect(job.status, job.error ?? '').toBe('done');
      expect(job.rows_accepted).toBe(1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a service account's expiry written as a time without a zone is that time in the deployment's zone (China time), not the host's: on a host running in UTC, 10:00 meant 18:00 Beijing, and the token outlived the moment the security administrator set by eight hours", async () => {
    const sec = await t.signIn(await t.user({ roles: ['secadmin'], jurisdiction: COUNTY }));
    const day = `${new Date().getFullYear() + 1}-06-30`;
    const host = process.env.TZ;
    process.env.TZ = 'America/New_York'; // a host elsewhere: what the answer must not depend on
    try {
      for (const [expiresAt, meant] of [
        [`${day}T10:00`, `${day}T02:00:00.000Z`],
        [`${day} 10:00:30`, `${day}T02:00:30.000Z`],
        [`${day}T10:00+08:00`, `${day}T02:00:00.000Z`],
        [`${day}T10:00Z`, `${day}T10:00:00.000Z`],
        [day, `${day}T15:59:59.999Z`],
      ]) {
        const res = await sec.post('/service-accounts', {
          name: `第二十一轮有效期${expiresAt}`,
          jurisdictionCode: COUNTY,
          permissions: ['registry.write'],
          expiresAt,
          ipAllowlist: ['127.0.0.1'],
        });
        expect(res.statusCode, res.body).toBe(201);
        expect([expiresAt, res.json().account.expiresAt]).toEqual([expiresAt, meant]);
      }
    } finally {
      if (host === undefined) delete process.env.TZ;
      else process.env.TZ = host;
    }
  });
});
