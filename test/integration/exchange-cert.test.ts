import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { tmpDir } from '../helpers/imports.js';

/**
 * Client certificates for service accounts (issue 15): the server's own TLS listener asks for a
 * client certificate without requiring one; on /api/v1/exchange/… a certificate verified against
 * the configured client CA whose fingerprint is registered to an active account authenticates as
 * that account, under the same node, permission, address and audit rules as its token. The CAs,
 * keys and certificates are made here with the openssl CLI, in a temporary folder.
 */
const A = '320102';
const B = '320104';
const NEXT_YEAR = `${new Date().getFullYear() + 1}-12-31`;

function makePki(dir: string) {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const ca = (name: string) =>
    ssl(
      'req',
      '-x509',
      ...ec,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    );
  const leaf = (name: string, signer: string, ext: string) => {
    ssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/O=XGZ test/CN=${name}`);
    fs.writeFileSync(path.join(dir, `${name}.ext`), ext);
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${signer}.crt`,
      '-CAkey',
      `${signer}.key`,
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    );
  };
  ca('xgz-client-ca');
  ca('rogue-ca');
  leaf('server', 'xgz-client-ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  for (const c of ['province-platform', 'unregistered', 'second-system'])
    leaf(c, 'xgz-client-ca', 'extendedKeyUsage=clientAuth\n');
  leaf('rogue', 'rogue-ca', 'extendedKeyUsage=clientAuth\n');
  return (name: string) => path.join(dir, name);
}

describe.each(BACKENDS)('service accounts by client certificate on %s', (backend) => {
  let t: TestApp;
  let sec: Awaited<ReturnType<TestApp['signIn']>>;
  let biz: Awaited<ReturnType<TestApp['signIn']>>;
  let file: (name: string) => string;
  let port: number;
  const pem = (name: string) => fs.readFileSync(file(`${name}.crt`), 'utf8');

  /** A call over TLS to our listener, with the client certificate `cert` (or none). */
  const call = (method: string, url: string, cert: string | null, body?: string, type = 'text/csv') =>
    new Promise<{ status: number; json: { code?: string; detail?: string; items?: unknown[] } }>((resolve, reject) => {
      const req = https.request(
        {
          host: '127.0.0.1',
          port,
          method,
          path: `/api/v1${url}`,
          rejectUnauthorized: false,
          ...(cert ? { cert: pem(cert), key: fs.readFileSync(file(`${cert}.key`)) } : {}),
          headers: body ? { 'content-type': type } : {},
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : {} }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const issue = async (permissions: string[]) => {
    const res = await sec.post('/service-accounts', {
      name: `证书对接-${permissions.join('-')}`,
      jurisdictionCode: A,
      permissions,
      expiresAt: NEXT_YEAR,
      ipAllowlist: ['127.0.0.1', '::1/128'],
      ratePerMinute: 1000,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ account: { id: number } }>().account;
  };
  /** A business account of the node confirms the account as it stands (its certificate included). */
  const confirm = async (id: number) =>
    expect((await biz.post(`/service-accounts/${id}/token`, {})).statusCode).toBe(200);

  beforeAll(async () => {
    const dir = tmpDir();
    file = makePki(dir);
    t = await testApp(backend, {
      XGZ_TLS_CERT: file('server.crt'),
      XGZ_TLS_KEY: file('server.key'),
      XGZ_TLS_CLIENT_CA: file('xgz-client-ca.crt'),
    });
    t.app.ctx.config.dataDir = tmpDir();
    sec = await t.signIn(await t.user({ roles: ['secadmin'], jurisdiction: A }));
    biz = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: A }));
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as AddressInfo).port;
  });
  afterAll(() => t?.close());

  it('a registered certificate from the configured CA authenticates on the exchange routes only; unknown, foreign-CA and revoked ones are 401; outside its node 403 with nothing written', async () => {
    const account = await issue(['changes.read', 'registry.write']);
    const reg = await sec.call('PUT', `/service-accounts/${account.id}/certificate`, { pem: pem('province-platform') });
    expect(reg.statusCode, reg.body).toBe(200);
    const fp = execFileSync(
      'openssl',
      ['x509', '-noout', '-fingerprint', '-sha256', '-in', file('province-platform.crt')],
      { encoding: 'utf8' },
    )
      .split('=')[1]
      .trim();
    expect(reg.json().certificate).toMatchObject({
      fingerprint: fp,
      subject: expect.stringContaining('CN=province-platform'),
    });

    // A browser without a certificate still connects; a certificate opens no session route.
    expect((await call('GET', '/health', null)).status).toBe(200);
    expect((await call('GET', '/exchange/changes', null)).status).toBe(401);
    expect((await call('GET', '/entities', 'province-platform')).status).toBe(401);

    // The security administrator registered it: it works once the business side confirms the account.
    const waiting = await call('GET', '/exchange/changes?limit=10', 'province-platform');
    expect([waiting.status, waiting.json.code]).toEqual([401, 'account_unconfirmed']);
    await confirm(account.id);
    const ok = await call('GET', '/exchange/changes?limit=10', 'province-platform');
    expect(ok.status, JSON.stringify(ok.json)).toBe(200);
    expect(Array.isArray(ok.json.items)).toBe(true);
    const audited = await t.db
      .selectFrom('audit_log')
      .select(['actor_id', 'detail'])
      .where('action', '=', 'exchange.call')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(Number(audited.actor_id)).toBe(account.id);

    const unknown = await call('GET', '/exchange/changes', 'unregistered');
    expect(unknown.status).toBe(401);
    expect(unknown.json.code).toBe('cert_unknown');
    const rogue = await call('GET', '/exchange/changes', 'rogue');
    expect(rogue.status).toBe(401);
    expect(rogue.json.code).toBe('cert_untrusted');
    // The rogue certificate's fingerprint registered changes nothing: the CA must have signed it.
    const other = await issue(['changes.read']);
    expect((await sec.call('PUT', `/service-accounts/${other.id}/certificate`, { pem: pem('rogue') })).statusCode).toBe(
      200,
    );
    expect((await call('GET', '/exchange/changes', 'rogue')).status).toBe(401);

    // Outside its node: 403, nothing written.
    const jobs = async () =>
      Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM import_job`.execute(t.db)).rows[0].n);
    const before = await jobs();
    const body = '统一社会信用代码,名称,主体类型,所属县区代码\r\n92320102MA1PX7EB3T,证书小吃店,个体工商户,320104\r\n';
    const wrongNode = await call(
      'POST',
      `/exchange/imports/registry?batch=CERT-1&node=${B}`,
      'province-platform',
      body,
    );
    expect(wrongNode.status).toBe(403);
    expect(await jobs()).toBe(before);
    // Outside its permissions: 403.
    expect((await call('GET', '/exchange/figures', 'province-platform')).status).toBe(403);

    // Revoked: the next call is refused.
    expect((await sec.post(`/service-accounts/${account.id}/revoke`, { reason: '对接系统下线' })).statusCode).toBe(200);
    const revoked = await call('GET', '/exchange/changes', 'province-platform');
    expect(revoked.status).toBe(401);
    expect(revoked.json.code).toBe('token_revoked');
  });

  it('a certificate is registered by fingerprint or PEM, one account each, and removing it stops it at once', async () => {
    const account = await issue(['changes.read']);
    const fp = execFileSync(
      'openssl',
      ['x509', '-noout', '-fingerprint', '-sha256', '-in', file('second-system.crt')],
      { encoding: 'utf8' },
    )
      .split('=')[1]
      .trim();
    const byFp = await sec.call('PUT', `/service-accounts/${account.id}/certificate`, {
      fingerprint: fp.toLowerCase(),
    });
    expect(byFp.statusCode, byFp.body).toBe(200);
    expect(byFp.json().certificate).toEqual({ fingerprint: fp, subject: null, notAfter: null });
    await confirm(account.id);
    expect((await call('GET', '/exchange/changes', 'second-system')).status).toBe(200);
    // The same certificate for a second account is refused, naming the field.
    const twin = await issue(['changes.read']);
    const dup = await sec.call('PUT', `/service-accounts/${twin.id}/certificate`, { pem: pem('second-system') });
    expect(dup.statusCode).toBe(400);
    expect(dup.json().errors[0].field).toBe('pem');
    // Bad input, in Chinese, naming the field; a CA certificate is not a client's.
    const bad = await sec.call('PUT', `/service-accounts/${twin.id}/certificate`, { fingerprint: 'AB:CD' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('fingerprint');
    expect(
      (await sec.call('PUT', `/service-accounts/${twin.id}/certificate`, { pem: 'not a certificate' })).json().errors[0]
        .field,
    ).toBe('pem');
    expect(
      (await sec.call('PUT', `/service-accounts/${twin.id}/certificate`, { pem: pem('xgz-client-ca') })).statusCode,
    ).toBe(400);

    const removed = await sec.call('DELETE', `/service-accounts/${account.id}/certificate`);
    expect(removed.statusCode, removed.body).toBe(200);
    expect(removed.json().certificate).toBeNull();
    expect((await call('GET', '/exchange/changes', 'second-system')).status).toBe(401);
    const trail = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('object_id', '=', String(account.id))
      .where('action', 'like', 'service_account.certificate%')
      .orderBy('id')
      .execute();
    expect(trail.map((a) => a.action)).toEqual(['service_account.certificate', 'service_account.certificate_remove']);
  });
});
