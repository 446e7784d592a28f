import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { totpNow } from '../../src/features/auth/totp.js';
import { BACKENDS } from '../helpers/db.js';
import { nextIp, testApp, type TestApp } from '../helpers/app.js';

const XUANWU = '320102';
const QINHUAI = '320104';

describe.each(BACKENDS)('authentication on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(backend);
  });
  afterAll(() => t?.close());

  const login = (username: string, password: string) => t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password }, remoteAddress: nextIp() });

  it('locks an account after 5 failed logins for 15 minutes, refusing even the right password', async () => {
    const u = await t.user({ roles: ['viewer'], jurisdiction: XUANWU });
    for (let i = 1; i <= 4; i++) expect((await login(u.username, 'Wrong-pass1')).statusCode).toBe(401);
    const fifth = await login(u.username, 'Wrong-pass1');
    expect(fifth.statusCode).toBe(423);
    expect(fifth.headers['content-type']).toMatch(/problem\+json/);
    expect(fifth.json().detail).toMatch(/锁定 15 分钟/);
    expect((await login(u.username, u.password)).statusCode).toBe(423);
    const row = await t.db.selectFrom('app_user').select('locked_until').where('id', '=', u.id).executeTakeFirstOrThrow();
    const minutes = (row.locked_until!.getTime() - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(14);
    expect(minutes).toBeLessThanOrEqual(15);
    // When the lock runs out, the right password works again.
    await t.db.updateTable('app_user').set({ locked_until: new Date(Date.now() - 1000) }).where('id', '=', u.id).execute();
    expect((await login(u.username, u.password)).statusCode).toBe(200);
    const failures = await t.db.selectFrom('audit_log').select('outcome').where('action', '=', 'auth.login').where('object_id', '=', String(u.id)).execute();
    expect(failures.filter((f) => f.outcome === 'failure')).toHaveLength(5);
  });

  it('answers an unknown account and a wrong password alike', async () => {
    const u = await t.user({ roles: ['viewer'], jurisdiction: XUANWU });
    const a = await login('nobody-here', 'Whatever-1');
    const b = await login(u.username, 'Whatever-1');
    expect(a.statusCode).toBe(401);
    expect(a.json().detail).toBe(b.json().detail);
  });

  it('expires a session idle for more than 30 minutes', async () => {
    const u = await t.user({ roles: ['viewer'], jurisdiction: XUANWU });
    const c = await t.signIn(u);
    expect((await c.get('/jurisdictions/320102')).statusCode).toBe(200);
    await t.db.updateTable('user_session').set({ last_seen_at: new Date(Date.now() - 29 * 60_000) }).where('user_id', '=', u.id).execute();
    expect((await c.get('/jurisdictions/320102')).statusCode).toBe(200);
    await t.db.updateTable('user_session').set({ last_seen_at: new Date(Date.now() - 31 * 60_000) }).where('user_id', '=', u.id).execute();
    const res = await c.get('/jurisdictions/320102');
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('session_expired');
    expect(await t.db.selectFrom('user_session').select('id_hash').where('user_id', '=', u.id).execute()).toHaveLength(0);
  });

  it('forces a password change at first login and enforces the policy', async () => {
    const u = await t.user({ roles: ['editor'], jurisdiction: XUANWU, mustChange: true });
    const res = await login(u.username, u.password);
    expect(res.json().stage).toBe('password_change');
    const c = t.client(res);
    expect((await c.get('/stations')).statusCode).toBe(403);
    const weak = await c.post('/auth/password', { currentPassword: u.password, newPassword: 'short1' });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().errors[0].field).toBe('newPassword');
    const withName = await c.post('/auth/password', { currentPassword: u.password, newPassword: `${u.username}-X1` });
    expect(withName.json().detail).toMatch(/账号名/);
    const same = await c.post('/auth/password', { currentPassword: u.password, newPassword: u.password });
    expect(same.json().detail).toMatch(/不能与原密码相同/);
    const ok = await c.post('/auth/password', { currentPassword: u.password, newPassword: 'Good-Pass-2026' });
    expect(ok.json().stage).toBe('full');
    expect((await c.get('/stations')).statusCode).toBe(200);
    expect((await login(u.username, 'Good-Pass-2026')).json().stage).toBe('full');
  });

  it('refuses a state-changing request without the CSRF token and writes nothing', async () => {
    const u = await t.user({ roles: ['editor'], jurisdiction: XUANWU });
    const c = await t.signIn(u);
    const before = await t.db.selectFrom('jurisdiction').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
    const body = { countyCode: XUANWU, suffix: '901', name: 'CSRF所' };
    const none = await t.app.inject({ method: 'POST', url: '/api/v1/stations', payload: body, headers: { cookie: c.cookie } });
    const wrong = await c.call('POST', '/stations', body, { 'x-csrf-token': 'forged' });
    for (const r of [none, wrong]) {
      expect(r.statusCode).toBe(403);
      expect(r.json().code).toBe('csrf');
    }
    const after = await t.db.selectFrom('jurisdiction').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
    expect((await c.post('/stations', body)).statusCode).toBe(201);
  });

  it('sets the session cookie HttpOnly and SameSite=Strict', async () => {
    const u = await t.user({ roles: ['viewer'], jurisdiction: XUANWU });
    const cookie = String((await login(u.username, u.password)).headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
  });

  it('三员分立: refuses two duties on one account, and a duty granted by the system administrator', async () => {
    const sys = await t.signIn(await t.user({ roles: ['sysadmin'], jurisdiction: '000000' }));
    const sec = await t.signIn(await t.user({ roles: ['secadmin'], jurisdiction: '000000' }));
    const base = { username: 'dual_duty', displayName: '双职', jurisdictionCode: '000000' };
    const two = await sec.post('/accounts', { ...base, roles: ['secadmin', 'auditor'] });
    expect(two.statusCode).toBe(400);
    expect(two.json().detail).toMatch(/三员分立/);
    const bySys = await sys.post('/accounts', { ...base, roles: ['auditor'] });
    expect(bySys.statusCode).toBe(403);
    const bySec = await sec.post('/accounts', { ...base, roles: ['auditor'] });
    expect(bySec.statusCode).toBe(201);
    const id = bySec.json().id;
    expect((await sec.patch(`/accounts/${id}`, { roles: ['auditor', 'sysadmin'] })).statusCode).toBe(400);
    expect((await sys.patch(`/accounts/${id}`, { roles: ['editor'] })).statusCode).toBe(403);
    const rows = await t.db.selectFrom('app_user').select('roles').where('username', '=', 'dual_duty').execute();
    expect(rows).toEqual([{ roles: ['auditor'] }]);
  });

  it('requires duty holders to enrol TOTP after the password change, and refuses a reused code', async () => {
    const sec = await t.signIn(await t.user({ roles: ['secadmin'], jurisdiction: '000000' }));
    const created = await sec.post('/accounts', { username: 'new_auditor', displayName: '新审计员', jurisdictionCode: '000000', roles: ['auditor'] });
    const password = created.json().temporaryPassword as string;
    const first = await login('new_auditor', password);
    expect(first.json().stage).toBe('password_change');
    const c = t.client(first);
    const changed = await c.post('/auth/password', { currentPassword: password, newPassword: 'Audit-Pass-2026' });
    expect(changed.json().stage).toBe('totp_enrol');
    expect((await c.get('/audit')).statusCode).toBe(403);
    const setup = await c.post('/auth/totp/setup');
    expect(setup.json().uri).toMatch(/^otpauth:\/\/totp\//);
    expect((await c.post('/auth/totp/enrol', { code: '000000' })).statusCode).toBe(400);
    const code = totpNow(setup.json().secret);
    const enrolled = await c.post('/auth/totp/enrol', { code });
    expect(enrolled.json().stage).toBe('full');
    expect((await c.get('/audit')).statusCode).toBe(200);
    // Next login asks for the code; the code just used is refused (single use).
    const again = await login('new_auditor', 'Audit-Pass-2026');
    expect(again.json().stage).toBe('totp');
    const c2 = t.client(again);
    expect((await c2.post('/auth/totp/verify', { code })).statusCode).toBe(401);
  });

  it('ends sessions on the server at logout, role change and disabling', async () => {
    const sys = await t.signIn(await t.user({ roles: ['sysadmin'], jurisdiction: '000000' }));
    const u = await t.user({ roles: ['editor'], jurisdiction: QINHUAI });
    const a = await t.signIn(u);
    expect((await a.post('/auth/logout')).statusCode).toBe(204);
    expect((await a.get('/stations')).statusCode).toBe(401);

    const b = await t.signIn(u);
    expect((await sys.patch(`/accounts/${u.id}`, { roles: ['viewer'] })).statusCode).toBe(200);
    expect((await b.get('/stations')).statusCode).toBe(401);

    const c = await t.signIn(u);
    expect((await sys.patch(`/accounts/${u.id}`, { disabled: true })).statusCode).toBe(200);
    expect((await c.get('/stations')).statusCode).toBe(401);
    expect((await login(u.username, u.password)).statusCode).toBe(401);
  });

  it('lets the security administrator list sessions and force a logout', async () => {
    const sec = await t.signIn(await t.user({ roles: ['secadmin'], jurisdiction: '000000' }));
    const u = await t.user({ roles: ['viewer'], jurisdiction: XUANWU });
    const victim = await t.signIn(u);
    const list = await sec.get('/sessions?pageSize=200');
    const s = list.json().items.find((x: { userId: number }) => x.userId === u.id);
    expect(s).toBeTruthy();
    expect((await sec.del(`/sessions/${s.id}`)).statusCode).toBe(204);
    expect((await victim.get('/jurisdictions/320102')).statusCode).toBe(401);
    const history = await sec.get(`/accounts/${u.id}/logins`);
    expect(history.json().items[0].outcome).toBe('success');
  });

  it('rate-limits login attempts per IP', async () => {
    let limited = 0;
    for (let i = 0; i < 25; i++) {
      const r = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: `nobody${i}`, password: 'x' }, remoteAddress: '10.9.9.9' });
      if (r.statusCode === 429) limited++;
    }
    expect(limited).toBeGreaterThan(0);
  });
});
