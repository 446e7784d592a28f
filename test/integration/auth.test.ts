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

  const login = (username: string, password: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username, password },
      remoteAddress: nextIp(),
    });

  it('locks an account at an address after 5 failed logins for 15 minutes, refusing even the right password from there', async () => {
    const u = await t.user({ roles: ['viewer'], jurisdiction: XUANWU });
    const ip = nextIp();
    const from = (password: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: u.username, password },
        remoteAddress: ip,
      });
    for (let i = 1; i <= 4; i++) expect((await from('Wrong-pass1')).statusCode).toBe(401);
    const fifth = await from('Wrong-pass1');
    expect(fifth.statusCode).toBe(423);
    expect(fifth.headers['content-type']).toMatch(/problem\+json/);
    expect(fifth.json().detail).toMatch(/暂停 15 分钟/);
    expect((await from(u.password)).statusCode).toBe(423);
    const row = await t.db
      .selectFrom('login_throttle')
      .select('locked_until')
      .where('user_id', '=', u.id)
      .executeTakeFirstOrThrow();
    const minutes = (row.locked_until!.getTime() - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(14);
    expect(minutes).toBeLessThanOrEqual(15);
    // When the lock runs out, the right password works again.
    await t.db
      .updateTable('login_throttle')
      .set({ locked_until: new Date(Date.now() - 1000) })
      .where('user_id', '=', u.id)
      .execute();
    expect((await from(u.password)).statusCode).toBe(200);
    const failures = await t.db
      .selectFrom('audit_log')
      .select('outcome')
      .where('action', '=', 'auth.login')
      .where('object_id', '=', String(u.id))
      .execute();
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
    await t.db
      .updateTable('user_session')
      .set({ last_seen_at: new Date(Date.now() - 29 * 60_000) })
      .where('user_id', '=', u.id)
      .execute();
    expect((await c.get('/jurisdictions/320102')).statusCode).toBe(200);
    await t.db
      .updateTable('user_session')
      .set({ last_seen_at: new Date(Date.now() - 31 * 60_000) })
      .where('user_id', '=', u.id)
      .execute();
    const res = await c.get('/jurisdictions/320102');
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('session_expired');
    expect(await t.db.selectFrom('user_session').select('id_hash').where('user_id', '=', u.id).execute()).toHaveLength(
      0,
    );
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
    // The step gave the session a new token (round 10): the one it was made with names nothing now.
    expect((await t.client(ok).get('/stations')).statusCode).toBe(200);
    expect((await c.get('/stations')).statusCode).toBe(401);
    expect((await login(u.username, 'Good-Pass-2026')).json().stage).toBe('full');
  });

  it('refuses a state-changing request without the CSRF token and writes nothing', async () => {
    const u = await t.user({ roles: ['editor'], jurisdiction: XUANWU });
    const c = await t.signIn(u);
    const before = await t.db
      .selectFrom('jurisdiction')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();
    const body = { countyCode: XUANWU, suffix: '901', name: 'CSRF所' };
    const none = await t.app.inject({
      method: 'POST',
      url: '/api/v1/stations',
      payload: body,
      headers: { cookie: c.cookie },
    });
    const wrong = await c.call('POST', '/stations', body, { 'x-csrf-token': 'forged' });
    for (const r of [none, wrong]) {
      expect(r.statusCode).toBe(403);
      expect(r.json().code).toBe('csrf');
    }
    const after = await t.db
      .selectFrom('jurisdiction')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();
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
    // Even the security administrator cannot make a duty account on the web (it would know its password).
    const bySec = await sec.post('/accounts', { ...base, roles: ['auditor'] });
    expect(bySec.statusCode).toBe(403);
    const id = (await t.user({ ...base, username: 'dual_duty', roles: ['auditor'], jurisdiction: '000000' })).id;
    expect((await sec.patch(`/accounts/${id}`, { roles: ['auditor', 'sysadmin'] })).statusCode).toBe(400);
    expect((await sys.patch(`/accounts/${id}`, { roles: ['editor'] })).statusCode).toBe(403);
    const rows = await t.db.selectFrom('app_user').select('roles').where('username', '=', 'dual_duty').execute();
    expect(rows).toEqual([{ roles: ['auditor'] }]);
  });

  it('requires duty holders to enrol TOTP after the password change, and refuses a reused code', async () => {
    // A duty account made on the server (xgz user create): one-time password, no second factor yet.
    const made = await t.user({
      roles: ['auditor'],
      jurisdiction: '000000',
      username: 'new_auditor',
      mustChange: true,
    });
    await t.db
      .updateTable('app_user')
      .set({ totp_enabled: false, totp_secret_enc: null })
      .where('id', '=', made.id)
      .execute();
    const password = made.password;
    const first = await login('new_auditor', password);
    expect(first.json().stage).toBe('password_change');
    const c = t.client(first);
    const changed = await c.post('/auth/password', { currentPassword: password, newPassword: 'Audit-Pass-2026' });
    expect(changed.json().stage).toBe('totp_enrol');
    const enrolling = t.client(changed);
    expect((await enrolling.get('/audit')).statusCode).toBe(403);
    const setup = await enrolling.post('/auth/totp/setup');
    expect(setup.json().uri).toMatch(/^otpauth:\/\/totp\//);
    expect((await enrolling.post('/auth/totp/enrol', { code: '000000' })).statusCode).toBe(400);
    const code = totpNow(setup.json().secret);
    const enrolled = await enrolling.post('/auth/totp/enrol', { code });
    expect(enrolled.json().stage).toBe('full');
    expect((await t.client(enrolled).get('/audit')).statusCode).toBe(200);
    expect((await enrolling.get('/audit')).statusCode).toBe(401);
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
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: `nobody${i}`, password: 'x' },
        remoteAddress: '10.9.9.9',
      });
      if (r.statusCode === 429) limited++;
    }
    expect(limited).toBeGreaterThan(0);
  });
});

/**
 * Issue 16: each finding of the probe replayed. Findings 2, 3, 7, 8, 13 and the session half of 14.
 */
describe.each(BACKENDS)('security findings (issue 16) on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(backend);
  });
  afterAll(() => t?.close());

  const loginFrom = (ip: string, username: string, password: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password }, remoteAddress: ip });
  const wrongCode = (secret: string) => String((Number(totpNow(secret)) + 500_000) % 1_000_000).padStart(6, '0');

  it('finding 2: checks the lock at the TOTP step, ends the half-signed-in session, and the right code then fails', async () => {
    const u = await t.user({ roles: ['auditor'], jurisdiction: '000000' });
    const ip = nextIp();
    const first = await loginFrom(ip, u.username, u.password);
    expect(first.json().stage).toBe('totp');
    const c = t.client(first);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await c.post('/auth/totp/verify', { code: wrongCode(u.totpSecret!) })).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 423]);
    const right = await c.post('/auth/totp/verify', { code: totpNow(u.totpSecret!) });
    expect(right.statusCode).toBe(401);
    expect((await c.get('/auth/me')).statusCode).toBe(401);
    expect(await t.db.selectFrom('user_session').select('id_hash').where('user_id', '=', u.id).execute()).toHaveLength(
      0,
    );
    // Wrong codes prove the password is known: the account itself is locked, from every address.
    const again = await loginFrom(nextIp(), u.username, u.password);
    expect(again.statusCode).toBe(423);
    expect(again.headers['content-type']).toMatch(/problem\+json/);
  });

  it('finding 2: a lock set while a session waits at the TOTP or forced-change step refuses that step', async () => {
    const a = await t.user({ roles: ['auditor'], jurisdiction: '000000' });
    const ca = t.client(await loginFrom(nextIp(), a.username, a.password));
    const b = await t.user({ roles: ['viewer'], jurisdiction: XUANWU, mustChange: true });
    const cb = t.client(await loginFrom(nextIp(), b.username, b.password));
    await t.db
      .updateTable('app_user')
      .set({ locked_until: new Date(Date.now() + 600_000) })
      .where('id', 'in', [a.id, b.id])
      .execute();
    const totp = await ca.post('/auth/totp/verify', { code: totpNow(a.totpSecret!) });
    const change = await cb.post('/auth/password', { currentPassword: b.password, newPassword: 'Fresh-Pass-2026' });
    expect([totp.statusCode, change.statusCode]).toEqual([423, 423]);
    expect(change.json().title).toBe('账号已锁定');
    const row = await t.db
      .selectFrom('app_user')
      .select('must_change_password')
      .where('id', '=', b.id)
      .executeTakeFirstOrThrow();
    expect(row.must_change_password).toBe(true);
  });

  it('finding 8: wrong passwords from one address lock that address only, progressively; the owner elsewhere still signs in', async () => {
    const u = await t.user({ roles: ['secadmin'], jurisdiction: '000000' });
    const attacker = nextIp();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await loginFrom(attacker, u.username, 'Wrong-pass1')).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 423]);
    expect((await loginFrom(attacker, u.username, u.password)).statusCode).toBe(423);
    const owner = await loginFrom(nextIp(), u.username, u.password);
    expect(owner.statusCode).toBe(200);
    expect(owner.json().stage).toBe('totp');
    // The second lock from the same address lasts twice as long.
    const first = await t.db
      .selectFrom('login_throttle')
      .selectAll()
      .where('user_id', '=', u.id)
      .where('ip', '=', attacker)
      .executeTakeFirstOrThrow();
    expect((first.locked_until!.getTime() - Date.now()) / 60_000).toBeGreaterThan(14);
    await t.db
      .updateTable('login_throttle')
      .set({ locked_until: new Date(Date.now() - 1000) })
      .where('user_id', '=', u.id)
      .execute();
    for (let i = 0; i < 5; i++) await loginFrom(attacker, u.username, 'Wrong-pass1');
    const second = await t.db
      .selectFrom('login_throttle')
      .selectAll()
      .where('user_id', '=', u.id)
      .where('ip', '=', attacker)
      .executeTakeFirstOrThrow();
    expect((second.locked_until!.getTime() - Date.now()) / 60_000).toBeGreaterThan(29);
    const refusals = await t.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'auth.login')
      .where('object_id', '=', String(u.id))
      .where('outcome', '=', 'failure')
      .execute();
    expect(refusals).toHaveLength(10);
  });

  it('finding 8: the security administrator (or the CLI) unlocks an account', async () => {
    const sec = await t.signIn(await t.user({ roles: ['secadmin'], jurisdiction: '000000' }));
    const u = await t.user({ roles: ['sysadmin'], jurisdiction: '000000' });
    const ip = nextIp();
    for (let i = 0; i < 5; i++) await loginFrom(ip, u.username, 'Wrong-pass1');
    expect((await loginFrom(ip, u.username, u.password)).statusCode).toBe(423);
    const list = await sec.get(`/accounts?q=${u.username}`);
    expect(list.json().items[0].locked).toBe(true);
    expect((await sec.post(`/accounts/${u.id}/unlock`)).statusCode).toBe(200);
    expect((await loginFrom(ip, u.username, u.password)).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) await loginFrom(ip, u.username, 'Wrong-pass1');
    const { unlockAccount } = await import('../../src/features/accounts/admin.js');
    expect(await unlockAccount(t.db, u.username)).toBe(true);
    expect((await loginFrom(ip, u.username, u.password)).statusCode).toBe(200);
  });

  it('finding 7: replacing the TOTP secret or the password needs the current password and a current code', async () => {
    const u = await t.user({ roles: ['auditor'], jurisdiction: '000000' });
    const c = await t.signIn(u);
    const bare = await c.post('/auth/totp/setup');
    expect(bare.statusCode).toBe(400);
    expect(bare.json().errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['currentPassword']),
    );
    const wrongPw = await c.post('/auth/totp/setup', { currentPassword: 'Not-the-1', code: wrongCode(u.totpSecret!) });
    expect(wrongPw.statusCode).toBe(401);
    const noCode = await c.post('/auth/totp/setup', { currentPassword: u.password });
    expect(noCode.statusCode).toBe(400);
    expect(noCode.json().errors[0].field).toBe('code');
    const pwNoCode = await c.post('/auth/password', { currentPassword: u.password, newPassword: 'Other-Pass-2026' });
    expect(pwNoCode.statusCode).toBe(400);
    expect(pwNoCode.json().errors[0].field).toBe('code');
    const stored = await t.db
      .selectFrom('app_user')
      .select(['totp_secret_enc', 'password_hash'])
      .where('id', '=', u.id)
      .executeTakeFirstOrThrow();
    // With both, the re-bind works.
    await t.db.updateTable('app_user').set({ totp_last_step: null }).where('id', '=', u.id).execute();
    const ok = await c.post('/auth/totp/setup', { currentPassword: u.password, code: totpNow(u.totpSecret!) });
    expect(ok.statusCode).toBe(200);
    const after = await t.db
      .selectFrom('app_user')
      .select(['totp_secret_enc', 'password_hash'])
      .where('id', '=', u.id)
      .executeTakeFirstOrThrow();
    expect(after).toEqual(stored);
    expect((await c.post('/auth/totp/enrol', { code: totpNow(ok.json().secret) })).statusCode).toBe(200);
  });

  it('finding 3: no duty holder obtains a sign-in for a duty account; the system administrator gets no business credential', async () => {
    const sec = await t.signIn(await t.user({ roles: ['secadmin'], jurisdiction: '000000' }));
    const sys = await t.signIn(await t.user({ roles: ['sysadmin'], jurisdiction: '000000' }));
    const auditor = await t.user({ roles: ['auditor'], jurisdiction: '000000' });
    const admin = await t.user({ roles: ['sysadmin'], jurisdiction: '000000' });
    const before = await t.db
      .selectFrom('app_user')
      .select(['id', 'password_hash', 'totp_secret_enc'])
      .where('id', 'in', [auditor.id, admin.id])
      .orderBy('id')
      .execute();
    for (const id of [auditor.id, admin.id]) {
      for (const path of ['reset-password', 'reset-totp']) {
        const res = await sec.post(`/accounts/${id}/${path}`);
        expect(res.statusCode, `${path} ${id}`).toBe(403);
        expect(res.json().detail).toMatch(/命令行/);
        expect(res.body).not.toMatch(/temporaryPassword/);
      }
    }
    expect(
      await t.db
        .selectFrom('app_user')
        .select(['id', 'password_hash', 'totp_secret_enc'])
        .where('id', 'in', [auditor.id, admin.id])
        .orderBy('id')
        .execute(),
    ).toEqual(before);
    const duty = await sec.post('/accounts', {
      username: 'api_auditor',
      displayName: '审计',
      jurisdictionCode: '000000',
      roles: ['auditor'],
    });
    expect(duty.statusCode).toBe(403);
    expect(duty.body).not.toMatch(/temporaryPassword/);
    // Business accounts: the system administrator creates them and never sees a password; the
    // security administrator issues a one-time password that only lets its holder change it.
    const biz = await t.user({ roles: ['editor'], jurisdiction: XUANWU });
    expect((await sys.post(`/accounts/${biz.id}/reset-password`)).statusCode).toBe(403);
    const created = await sys.post('/accounts', {
      username: 'new_editor',
      displayName: '新编辑',
      jurisdictionCode: XUANWU,
      roles: ['editor'],
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().temporaryPassword).toBeUndefined();
    const issued = await sec.post(`/accounts/${created.json().id}/reset-password`);
    expect(issued.statusCode).toBe(200);
    const first = await login('new_editor', issued.json().temporaryPassword);
    expect(first.json().stage).toBe('password_change');
    expect((await t.client(first).get('/entities')).statusCode).toBe(403);
    // The system administrator reaches no business data.
    for (const url of ['/entities', '/members', '/orgs', '/cases', '/appeals', '/instructors'])
      expect((await sys.get(url)).statusCode, url).toBe(403);
  });

  const login = (username: string, password: string) => loginFrom(nextIp(), username, password);

  it('finding 3: a duty account is reset on the server (xgz user reset-password / reset-totp): one-time password, forced change, new second factor', async () => {
    const { resetPasswordOnServer, resetTotpOnServer } = await import('../../src/features/accounts/admin.js');
    const auditor = await t.user({ roles: ['auditor'], jurisdiction: '000000' });
    const old = await t.signIn(auditor);
    const password = await resetPasswordOnServer(t.db, auditor.username, 1000);
    expect(password).toMatch(/^\S{14}$/);
    expect(await resetTotpOnServer(t.db, auditor.username)).toBe(true);
    expect((await old.get('/auth/me')).statusCode).toBe(401);
    expect((await login(auditor.username, auditor.password)).statusCode).toBe(401);
    const first = await login(auditor.username, password!);
    expect(first.json().stage).toBe('password_change');
    const c = t.client(first);
    expect(
      (await c.post('/auth/password', { currentPassword: password, newPassword: 'Audit-Reset-2026' })).json().stage,
    ).toBe('totp_enrol');
    const via = await t.db
      .selectFrom('audit_log')
      .select(['action', 'actor_name', 'detail'])
      .where('object_id', '=', String(auditor.id))
      .where('action', 'in', ['account.reset_password', 'account.reset_totp'])
      .execute();
    expect(via.map((a) => [a.action, a.actor_name, (a.detail as { via: string }).via]).sort()).toEqual([
      ['account.reset_password', 'system', 'cli'],
      ['account.reset_totp', 'system', 'cli'],
    ]);
    expect(await resetPasswordOnServer(t.db, 'nobody-at-all')).toBeNull();
  });

  it('round 2: the security administrator can neither disable, move nor re-role a duty account, nor make one of a business account', async () => {
    const { setDisabledOnServer } = await import('../../src/features/accounts/admin.js');
    const sec = await t.signIn(await t.user({ roles: ['secadmin'], jurisdiction: '000000' }));
    const auditor = await t.user({ roles: ['auditor'], jurisdiction: '000000' });
    const admin = await t.user({ roles: ['sysadmin'], jurisdiction: '000000' });
    for (const [id, body] of [
      [auditor.id, { disabled: true }],
      [auditor.id, { jurisdictionCode: XUANWU }],
      [auditor.id, { roles: ['viewer'] }],
      [admin.id, { disabled: true }],
    ] as const) {
      const res = await sec.call('PATCH', `/accounts/${id}`, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(403);
      expect(res.json().detail).toMatch(/三员分立.*命令行/);
    }
    const kept = await t.db
      .selectFrom('app_user')
      .select(['disabled', 'jurisdiction_code', 'roles'])
      .where('id', '=', auditor.id)
      .executeTakeFirstOrThrow();
    expect(kept).toEqual({ disabled: false, jurisdiction_code: '000000', roles: ['auditor'] });
    // Its name may change, and a form sent back with the same roles and node is no change.
    const renamed = await sec.call('PATCH', `/accounts/${auditor.id}`, {
      displayName: '审计员甲',
      roles: ['auditor'],
      disabled: false,
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    // Nor make one of a business account whose one-time password it issued: taking the business role is
    // the system administrator's, and no account holds both.
    const biz = await t.user({ roles: ['viewer'], jurisdiction: '000000' });
    expect((await sec.post(`/accounts/${biz.id}/reset-password`)).statusCode).toBe(200);
    expect((await sec.call('PATCH', `/accounts/${biz.id}`, { roles: ['auditor'] })).statusCode).toBe(403);
    // The command line disables and enables a duty account, audited as the system.
    const old = await t.signIn(auditor);
    expect(await setDisabledOnServer(t.db, auditor.username, true)).toBe(true);
    expect((await old.get('/auth/me')).statusCode).toBe(401);
    expect((await login(auditor.username, auditor.password)).statusCode).toBe(401);
    expect(await setDisabledOnServer(t.db, auditor.username, false)).toBe(true);
    expect((await login(auditor.username, auditor.password)).statusCode).toBe(200);
  });

  it('finding 13: reveal answers carry Cache-Control: no-store; /api/docs needs a signed-in session', async () => {
    const appeal = await t.app.inject({
      method: 'POST',
      url: '/api/v1/public/appeals',
      payload: {
        category: 'parking',
        content: '小区不让电动车进门，送餐只能步行很远',
        areaCode: XUANWU,
        phone: '13912345678',
      },
      remoteAddress: nextIp(),
    });
    expect(appeal.statusCode, appeal.body).toBe(201);
    const id = (await t.db.selectFrom('appeal_case').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow()).id;
    const editor = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: XUANWU }));
    const revealed = await editor.post(`/appeals/${id}/reveal`);
    expect(revealed.json().phone).toBe('13912345678');
    expect(revealed.headers['cache-control']).toMatch(/no-store/);
    for (const url of ['/api/docs', '/api/docs/json']) {
      const anon = await t.app.inject({ method: 'GET', url });
      expect(anon.statusCode, url).toBe(401);
      expect(anon.headers['content-type']).toMatch(/problem\+json/);
    }
    const docs = await t.app.inject({ method: 'GET', url: '/api/docs/json', headers: { cookie: editor.cookie } });
    expect(docs.statusCode).toBe(200);
    expect(docs.json().openapi).toMatch(/^3/);
  });

  it('finding 14: a session ends after its absolute lifetime, however active', async () => {
    const u = await t.user({ roles: ['viewer'], jurisdiction: XUANWU });
    const c = await t.signIn(u);
    const age = (hours: number) =>
      sql`UPDATE user_session SET created_at = now() - make_interval(hours => ${hours}), last_seen_at = now() WHERE user_id = ${u.id}`.execute(
        t.db,
      );
    await age(11);
    expect((await c.get('/auth/me')).statusCode).toBe(200);
    await age(13);
    const res = await c.get('/auth/me');
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('session_expired');
  });

  it('finding 14: a fourth session ends the oldest (limit 3 by default), audited', async () => {
    const u = await t.user({ roles: ['viewer'], jurisdiction: XUANWU });
    const sessions = [];
    for (let i = 0; i < 4; i++) sessions.push(await t.signIn(u));
    const alive = [];
    for (const s of sessions) alive.push((await s.get('/auth/me')).statusCode);
    expect(alive).toEqual([401, 200, 200, 200]);
    const evicted = await t.db
      .selectFrom('audit_log')
      .select(['detail'])
      .where('action', '=', 'session.evicted')
      .where('object_id', '=', String(u.id))
      .execute();
    expect(evicted).toHaveLength(1);
  });
});
