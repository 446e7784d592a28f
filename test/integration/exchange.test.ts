import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { tmpDir } from '../helpers/imports.js';
import { ledger } from '../helpers/ledger.js';
import { withCaseLog } from '../../src/features/discovery/case-log.js';

/**
 * System-to-system exchange (issue 15): a service account issued by the security administrator
 * delivers registry batches through the import pipeline (idempotent by batch id), reads the change
 * feed across cursors, and is refused outside its node, its permissions, its addresses and its
 * token's life — at once, with nothing written.
 */
const A = '320102';
const B = '320104';
const NEXT_YEAR = `${new Date().getFullYear() + 1}-12-31`;
const USCC = ['92320102MA1PX7EB3T', validUscc('92320102MA1Q0DKR5'), validUscc('92320102MA1Q0E2F4')];

const csv = (rows: Record<string, string>[]) => {
  const headers = Object.keys(rows[0]);
  const q = (v: string) => `"${v.replaceAll('"', '""')}"`;
  return (
    [headers.map(q).join(','), ...rows.map((r) => headers.map((h) => q(r[h] ?? '')).join(','))].join('\r\n') + '\r\n'
  );
};
const registryRow = (uscc: string, name: string) => ({
  统一社会信用代码: uscc,
  名称: name,
  主体类型: '个体工商户',
  所属县区代码: A,
  '法定代表人/经营者': '王某',
  '法定代表人/经营者身份证号': '11010519491231002X',
});

describe.each(BACKENDS)('exchange on %s', (backend) => {
  let t: TestApp;
  let sec: Awaited<ReturnType<TestApp['signIn']>>;
  let biz: Awaited<ReturnType<TestApp['signIn']>>;
  const bearer = (
    token: string,
    method: 'GET' | 'POST' | 'PATCH',
    url: string,
    body?: string | object,
    type?: string,
    remoteAddress = '127.0.0.1',
  ) =>
    t.app.inject({
      method,
      url: `/api/v1${url}`,
      payload: body as never,
      remoteAddress,
      headers: { authorization: `Bearer ${token}`, ...(type ? { 'content-type': type } : {}) },
    });
  const issue = async (o: { permissions: string[]; node?: string; rate?: number; ips?: string[] }) => {
    const res = await sec.post('/service-accounts', {
      name: `省平台-${o.permissions.join('-')}`,
      jurisdictionCode: o.node ?? A,
      permissions: o.permissions,
      expiresAt: NEXT_YEAR,
      ipAllowlist: o.ips ?? ['127.0.0.1', '::1/128'],
      ratePerMinute: o.rate ?? 1000,
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().token).toBeNull();
    return confirm(res.json().account.id);
  };
  /** The business side of the account's node (here the city above both counties) confirms it and takes the token. */
  const confirm = async (id: number) => {
    const res = await biz.post(`/service-accounts/${id}/token`, {});
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ token: string; account: { id: number; tokenHint: string; state: string; terms: string } }>();
  };
  const counts = async () => ({
    entities: Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM entity`.execute(t.db)).rows[0].n),
    jobs: Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM import_job`.execute(t.db)).rows[0].n),
    batches: Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM exchange_batch`.execute(t.db)).rows[0].n),
  });

  beforeAll(async () => {
    t = await testApp(backend);
    t.app.ctx.config.dataDir = tmpDir();
    sec = await t.signIn(await t.user({ roles: ['secadmin'], jurisdiction: A }));
    biz = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '320100' }));
  });
  afterAll(() => t?.close());

  it('issues a token once, keeps only its keyed hash, and the token signs in nowhere', async () => {
    const { token, account } = await issue({ permissions: ['registry.write'] });
    expect(token).toMatch(/^xgzsa_[A-Za-z0-9_-]{43}$/);
    expect(account.tokenHint).toBe(`xgzsa_…${token.slice(-4)}`);
    const row = await t.db
      .selectFrom('service_account')
      .selectAll()
      .where('user_id', '=', account.id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(token.slice(6));
    const list = await sec.get('/service-accounts');
    expect(list.body).not.toContain(token.slice(6));
    // Not an account of the accounts page, and no way in through the sign-in or a session route.
    expect((await sec.get('/accounts?pageSize=100')).json().items.map((a: { id: number }) => a.id)).not.toContain(
      account.id,
    );
    const user = await t.db
      .selectFrom('app_user')
      .select('username')
      .where('id', '=', account.id)
      .executeTakeFirstOrThrow();
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { username: user.username, password: token },
        })
      ).statusCode,
    ).toBe(401);
    expect((await bearer(token, 'POST', '/auth/login', { username: user.username, password: 'x' })).statusCode).toBe(
      401,
    );
    const session = await bearer(token, 'GET', '/entities');
    expect(session.statusCode).toBe(401);
    expect(session.json().code).toBe('token_not_for_session');
    // A person's session cannot call the exchange routes.
    const staff = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: A }));
    expect((await staff.get('/exchange/changes')).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/exchange/changes' })).statusCode).toBe(401);
    // Malformed bodies are refused in Chinese, naming the field.
    const bad = await sec.post('/service-accounts', {
      name: '坏',
      jurisdictionCode: A,
      permissions: ['members.read', 'nope'],
      expiresAt: '2020-01-01',
      ipAllowlist: ['1.2.3.4/40'],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['name', 'permissions.1', 'ipAllowlist.0']),
    );
  });

  it('imports a registry batch once however often it is delivered; a reused batch id with another body is 409 naming the batch', async () => {
    const { token, account } = await issue({ permissions: ['registry.write', 'changes.read'] });
    const body = csv([registryRow(USCC[0], '交换小吃店'), registryRow(USCC[1], '交换理发店')]);
    const before = await counts();
    const first = await bearer(
      token,
      'POST',
      '/exchange/imports/registry?batch=REG-2026-001',
      body,
      'text/csv; charset=utf-8',
    );
    expect(first.statusCode, first.body).toBe(202);
    expect(first.json()).toMatchObject({ batch: 'REG-2026-001', node: A, replayed: false });
    await t.app.imports.idle();
    const job = await bearer(token, 'GET', `/exchange/imports/${first.json().job.id}`);
    expect(job.json()).toMatchObject({ status: 'done', rowsAccepted: 2, rowsRejected: 0, batch: 'REG-2026-001' });
    const again = await bearer(token, 'POST', '/exchange/imports/registry?batch=REG-2026-001', body, 'text/csv');
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ replayed: true, job: { id: first.json().job.id } });
    await t.app.imports.idle();
    expect(await counts()).toEqual({
      entities: before.entities + 2,
      jobs: before.jobs + 1,
      batches: before.batches + 1,
    });
    // The same batch id with a different body: refused, naming the batch; nothing written.
    const other = await bearer(
      token,
      'POST',
      '/exchange/imports/registry?batch=REG-2026-001',
      csv([registryRow(USCC[2], '别的店')]),
      'text/csv',
    );
    expect(other.statusCode).toBe(409);
    expect(other.json().detail).toContain('REG-2026-001');
    expect(other.json().errors[0].field).toBe('batch');
    await t.app.imports.idle();
    expect(await counts()).toEqual({
      entities: before.entities + 2,
      jobs: before.jobs + 1,
      batches: before.batches + 1,
    });
    expect(await t.db.selectFrom('entity').select('id').where('uscc', '=', USCC[2]).executeTakeFirst()).toBeUndefined();
    // NDJSON: one object a line, keys as the template's headers or field names; rejected rows are listed.
    const nd = [
      JSON.stringify({ uscc: USCC[2], name: '流式小店', kind: '个体工商户', countyCode: A }),
      JSON.stringify({ uscc: 'BAD', name: '坏码', kind: '个体工商户' }),
    ].join('\n');
    const third = await bearer(
      token,
      'POST',
      '/exchange/imports/registry?batch=REG-2026-002',
      nd,
      'application/x-ndjson',
    );
    expect(third.statusCode, third.body).toBe(202);
    await t.app.imports.idle();
    expect((await bearer(token, 'GET', `/exchange/imports/${third.json().job.id}`)).json()).toMatchObject({
      status: 'done',
      rowsAccepted: 1,
      rowsRejected: 1,
    });
    const rej = await bearer(token, 'GET', `/exchange/imports/${third.json().job.id}/rejections`);
    expect(rej.json().items).toHaveLength(1);
    expect(rej.json().items[0]).toMatchObject({ rowNo: 3 });
    expect(
      (await bearer(token, 'GET', '/exchange/imports')).json().items.map((j: { batch: string }) => j.batch),
    ).toEqual(['REG-2026-002', 'REG-2026-001']);
    // A bad NDJSON line refuses the whole body, naming the line; nothing written.
    const c0 = await counts();
    const badNd = await bearer(
      token,
      'POST',
      '/exchange/imports/registry?batch=REG-2026-003',
      `${JSON.stringify({ uscc: USCC[2], name: 'x', kind: '个体工商户' })}\n{"名称": "缺括号"\n`,
      'application/x-ndjson',
    );
    expect(badNd.statusCode).toBe(400);
    expect(badNd.json().detail).toContain('第 2 行');
    const unknown = await bearer(
      token,
      'POST',
      '/exchange/imports/registry?batch=REG-2026-004',
      JSON.stringify({ uscc: USCC[2], 密码: 'x' }),
      'application/x-ndjson',
    );
    expect(unknown.json().detail).toContain('未知的字段"密码"');
    expect(await counts()).toEqual(c0);
    // Every call is audited under the account.
    const audited = await t.db
      .selectFrom('audit_log')
      .select(['action', 'outcome'])
      .where('actor_id', '=', account.id)
      .execute();
    expect(audited.filter((a) => a.action === 'exchange.call').length).toBeGreaterThanOrEqual(8);
    expect(audited.some((a) => a.action === 'exchange.call' && a.outcome === 'denied')).toBe(true);
    expect(audited.filter((a) => a.action === 'import.upload')).toHaveLength(2);
  });

  it('refuses another node, a missing permission and a foreign address with 403, writing nothing', async () => {
    const { token } = await issue({ permissions: ['registry.write'] });
    const before = await counts();
    const body = csv([registryRow(validUscc('92320102MA1Q0F0X3'), '越界店')]);
    const foreign = await bearer(token, 'POST', `/exchange/imports/registry?batch=X-1&node=${B}`, body, 'text/csv');
    expect(foreign.statusCode).toBe(403);
    const roster = await bearer(
      token,
      'POST',
      '/exchange/imports/roster?batch=X-2',
      csv([{ 姓名: '张三', 人员类别: '正式党员' }]),
      'text/csv',
    );
    expect(roster.statusCode).toBe(403);
    expect((await bearer(token, 'GET', '/exchange/changes')).statusCode).toBe(403);
    expect((await bearer(token, 'GET', '/exchange/figures')).statusCode).toBe(403);
    const far = await bearer(token, 'POST', '/exchange/imports/registry?batch=X-3', body, 'text/csv', '10.9.8.7');
    expect(far.statusCode).toBe(403);
    expect(far.json().code).toBe('ip_not_allowed');
    await t.app.imports.idle();
    expect(await counts()).toEqual(before);
    // A station's account cannot deliver registry extracts (county and above), nor read another's jobs.
    const county = await sec.post('/stations', {}).catch(() => null);
    void county;
    const other = await issue({ permissions: ['registry.write', 'changes.read'] });
    const mine = await bearer(other.token, 'POST', '/exchange/imports/registry?batch=Y-1', body, 'text/csv');
    expect(mine.statusCode).toBe(202);
    await t.app.imports.idle();
    expect((await bearer(token, 'GET', `/exchange/imports/${mine.json().job.id}`)).statusCode).toBe(404);
  });

  it('三员分立: the security administrator never holds a working token; the business side confirms and takes it, again after a permission or certificate change', async () => {
    const created = await sec.post('/service-accounts', {
      name: '省级平台',
      jurisdictionCode: A,
      permissions: ['changes.read', 'members.read'],
      expiresAt: NEXT_YEAR,
      ipAllowlist: ['127.0.0.1'],
    });
    expect(created.json()).toMatchObject({ token: null, account: { state: 'unconfirmed', confirmedAt: null } });
    const id = created.json().account.id as number;
    // The administrator cannot take one; a station below the node or a sibling county cannot confirm it.
    expect((await sec.post(`/service-accounts/${id}/token`, {})).statusCode).toBe(403);
    const sibling = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: B }));
    expect((await sibling.post(`/service-accounts/${id}/token`, {})).statusCode).toBe(404);
    const { token, account } = await confirm(id);
    expect(account.state).toBe('active');
    expect((await bearer(token, 'GET', '/exchange/changes?limit=1')).statusCode).toBe(200);
    const seen = account.terms;
    const widened = await sec.call('PATCH', `/service-accounts/${id}`, { ipAllowlist: ['127.0.0.1', '10.0.0.0/8'] });
    expect(widened.json().state).toBe('unconfirmed');
    expect(widened.json().terms).not.toBe(seen);
    const waiting = await bearer(token, 'GET', '/exchange/changes?limit=1');
    expect([waiting.statusCode, waiting.json().code]).toEqual([401, 'account_unconfirmed']);
    // The confirmation names what the editor saw: the terms as they were before the change confirm nothing.
    const stale = await biz.post(`/service-accounts/${id}/token`, { terms: seen });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().detail).toMatch(/刚被安全管理员修改/);
    expect((await sec.get('/service-accounts')).json().items.find((a: { id: number }) => a.id === id).state).toBe(
      'unconfirmed',
    );
    // A station's staff write data, but do not vouch for another system.
    const staff = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: A }));
    expect((await staff.post(`/service-accounts/${id}/token`, { terms: widened.json().terms })).statusCode).toBe(403);
    const again = await confirm(id);
    expect((await bearer(again.token, 'GET', '/exchange/changes?limit=1')).statusCode).toBe(200);
    const who = await t.db
      .selectFrom('audit_log')
      .select(['action', 'actor_id'])
      .where('object_type', '=', 'service_account')
      .where('object_id', '=', String(id))
      .where('action', 'like', 'service_account.%')
      .orderBy('id')
      .execute();
    expect(who.map((a) => a.action)).toEqual([
      'service_account.create',
      'service_account.confirm',
      'service_account.update',
      'service_account.confirm',
    ]);
    // A longer life or a higher rate is a change of terms too (round-5 probe).
    const longer = await sec.call('PATCH', `/service-accounts/${id}`, {
      expiresAt: new Date(Date.now() + 3 * 365 * 86_400_000).toISOString(),
      ratePerMinute: 100000,
    });
    expect(longer.json().state).toBe('unconfirmed');
    const after = await bearer(again.token, 'GET', '/exchange/changes?limit=1');
    expect([after.statusCode, after.json().code]).toEqual([401, 'account_unconfirmed']);
  });

  it('stops a revoked or expired token at once (401), and a rotated token replaces the old one', async () => {
    const { token, account } = await issue({ permissions: ['changes.read'] });
    expect((await bearer(token, 'GET', '/exchange/changes?limit=1')).statusCode).toBe(200);
    const rotated = await biz.post(`/service-accounts/${account.id}/token`, {});
    expect(rotated.statusCode).toBe(200);
    const fresh = rotated.json().token as string;
    expect((await bearer(token, 'GET', '/exchange/changes?limit=1')).statusCode).toBe(401);
    expect((await bearer(fresh, 'GET', '/exchange/changes?limit=1')).statusCode).toBe(200);
    await t.db
      .updateTable('service_account')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('user_id', '=', account.id)
      .execute();
    const expired = await bearer(fresh, 'GET', '/exchange/changes?limit=1');
    expect([expired.statusCode, expired.json().code]).toEqual([401, 'token_expired']);
    await t.db
      .updateTable('service_account')
      .set({ expires_at: new Date(Date.now() + 86_400_000) })
      .where('user_id', '=', account.id)
      .execute();
    expect((await bearer(fresh, 'GET', '/exchange/changes?limit=1')).statusCode).toBe(200);
    expect((await sec.post(`/service-accounts/${account.id}/revoke`, { reason: '对接系统下线' })).statusCode).toBe(200);
    const revoked = await bearer(fresh, 'GET', '/exchange/changes?limit=1');
    expect([revoked.statusCode, revoked.json().code]).toEqual([401, 'token_revoked']);
    expect((await bearer('xgzsa_' + 'A'.repeat(43), 'GET', '/exchange/changes')).statusCode).toBe(401);
  });

  it('limits each account to its own rate', async () => {
    const { token } = await issue({ permissions: ['changes.read'], rate: 3 });
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await bearer(token, 'GET', '/exchange/changes?limit=1')).statusCode);
    expect(codes).toEqual([200, 200, 200, 429]);
    const other = await issue({ permissions: ['changes.read'], rate: 3 });
    expect((await bearer(other.token, 'GET', '/exchange/changes?limit=1')).statusCode).toBe(200);
  });

  it('serves the change feed across cursors with nothing missed or repeated, within the subtree, without personal data unless granted', async () => {
    const reader = await issue({ permissions: ['changes.read'] });
    const writer = await issue({ permissions: ['registry.write'] });
    const readAll = async (token: string, after: string | undefined, limit: number) => {
      const seen: { cursor: string; kind: string; id: number; op: string; data: Record<string, unknown> | null }[] = [];
      let cursor = after;
      for (;;) {
        const res = await bearer(token, 'GET', `/exchange/changes?limit=${limit}${cursor ? `&after=${cursor}` : ''}`);
        expect(res.statusCode, res.body).toBe(200);
        const page = res.json();
        seen.push(...page.items);
        cursor = page.next;
        if (!page.more) return { seen, cursor: cursor! };
      }
    };
    const first = await readAll(reader.token, undefined, 2);
    expect(first.seen.length).toBeGreaterThan(2);
    // More changes arrive: a new batch (inserts) and an edit of an entity (update).
    // Twelve rows in one batch: one transaction, serials crossing a decimal digit (the cursor orders by number, not text).
    const fixed = csv(
      Array.from({ length: 12 }, (_, i) =>
        registryRow(validUscc(`92320102MA1R0${String(i).padStart(4, '0')}`), `游标店${i}`),
      ),
    );
    expect(
      (await bearer(writer.token, 'POST', '/exchange/imports/registry?batch=CUR-1', fixed, 'text/csv')).statusCode,
    ).toBe(202);
    await t.app.imports.idle();
    const ed = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: A }));
    const target = await t.db.selectFrom('entity').select('id').where('uscc', '=', USCC[0]).executeTakeFirstOrThrow();
    expect((await ed.patch(`/entities/${target.id}`, { status: 'revoked' })).statusCode).toBe(200);
    const second = await readAll(reader.token, first.cursor, 3);
    const all = [...first.seen, ...second.seen];
    // No cursor twice; the cursors strictly increase; the later page holds exactly the later changes.
    expect(new Set(all.map((c) => c.cursor)).size).toBe(all.length);
    const key = (c: string) => c.split('.').map((x) => BigInt(x));
    for (let i = 1; i < all.length; i++) {
      const [a, b] = [key(all[i - 1].cursor), key(all[i].cursor)];
      expect(a[0] < b[0] || (a[0] === b[0] && a[1] < b[1])).toBe(true);
    }
    expect(second.seen.filter((c) => c.kind === 'entity' && c.op === 'insert')).toHaveLength(12);
    const update = second.seen.find((c) => c.kind === 'entity' && c.id === target.id && c.op === 'update');
    expect(update?.data).toMatchObject({ status: 'revoked', uscc: USCC[0] });
    // Everything the log holds for A is served once (read again from the start: the same sequence).
    const again = await readAll(reader.token, undefined, 1000);
    expect(again.seen.map((c) => c.cursor)).toEqual(all.map((c) => c.cursor));
    // …and it is the log's own order (by number) of every change under A, none left out.
    const logged = await sql<{
      c: string;
    }>`SELECT xid::text || '.' || seq::text AS c FROM change_log WHERE scope_key LIKE ${`${A}%`} ORDER BY xid, seq`.execute(
      t.db,
    );
    expect(again.seen.map((c) => c.cursor)).toEqual(logged.rows.map((r) => r.c));
    // Nothing personal: no ID number, no phone, no member names without members.read.
    const text = JSON.stringify(again.seen);
    expect(text).not.toContain('11010519491231002X');
    expect(text).not.toContain('王某');
    // An account of the sibling county sees none of A's changes.
    const secB = await t.signIn(await t.user({ roles: ['secadmin'], jurisdiction: B }));
    const bAcc = await secB.post('/service-accounts', {
      name: '乙平台',
      jurisdictionCode: B,
      permissions: ['changes.read'],
      expiresAt: NEXT_YEAR,
      ipAllowlist: ['127.0.0.1'],
    });
    expect(bAcc.statusCode).toBe(201);
    const bSeen = await readAll((await confirm(bAcc.json().account.id)).token, undefined, 1000);
    expect(bSeen.seen).toEqual([]);
    // The sibling's administrator cannot touch A's accounts.
    expect((await secB.post(`/service-accounts/${reader.account.id}/revoke`, { reason: '越权吊销' })).statusCode).toBe(
      404,
    );
    expect(
      (
        await secB.post('/service-accounts', {
          name: '越权',
          jurisdictionCode: A,
          permissions: ['changes.read'],
          expiresAt: NEXT_YEAR,
          ipAllowlist: ['127.0.0.1'],
        })
      ).statusCode,
    ).toBe(404);
    // A malformed cursor is a 400 naming it.
    const badCursor = await bearer(reader.token, 'GET', '/exchange/changes?after=abc');
    expect([badCursor.statusCode, badCursor.json().errors[0].field]).toEqual([400, 'after']);
  });

  it('names members in the feed only to an account holding members.read, and audits whom it named', async () => {
    const l = ledger(t.db);
    const entityId = await l.entity({ place: A, name: '有党员的店' });
    const [memberId] = await l.members(entityId, 1, 0, ['李党员']);
    const start = async (token: string) => {
      let after = '';
      for (;;) {
        const res = await bearer(token, 'GET', `/exchange/changes?limit=1000${after ? `&after=${after}` : ''}`);
        expect(res.statusCode, res.body).toBe(200);
        const page = res.json<{
          items: { kind: string; data: Record<string, unknown> | null }[];
          next: string;
          more: boolean;
        }>();
        const link = page.items.find((c) => c.kind === 'member_link' && c.data?.entityId === entityId);
        if (link || !page.more) return { link, after, next: page.next };
        after = page.next;
      }
    };
    const plain = await issue({ permissions: ['changes.read'] });
    const seen = await start(plain.token);
    expect(seen.link?.data).toEqual({ entityId, method: 'exact', linkedAt: expect.any(String) });
    const granted = await issue({ permissions: ['changes.read', 'members.read'] });
    const named = await start(granted.token);
    expect(named.link?.data).toMatchObject({ entityId, memberId, name: '李党员' });
    // The page that named the member is audited under the account, with its cursors and how many it named.
    const audits = await t.db
      .selectFrom('audit_log')
      .select(['actor_id', 'detail'])
      .where('action', '=', 'exchange.member_names')
      .where('actor_id', '=', granted.account.id)
      .execute();
    expect(audits.map((a) => a.detail)).toContainEqual({
      after: named.after || null,
      next: named.next,
      rows: expect.any(Number),
    });
    expect(
      await t.db
        .selectFrom('audit_log')
        .select('id')
        .where('action', '=', 'exchange.member_names')
        .where('actor_id', '=', plain.account.id)
        .execute(),
    ).toEqual([]);
  });

  // A page's cases are read apart from the page (the feed's kase CTE: on Citus the cases are on the
  // workers) and joined back in the page's order, with the member for members.read.
  it('serves a case as it is now on its insert and its update, in cursor order, naming its member only when granted', async () => {
    const l = ledger(t.db);
    const entityId = await l.entity({ place: A, name: '有线索的店' });
    const [memberId] = await l.members(entityId, 1, 0, ['王线索']);
    const [raised] = (
      await withCaseLog<{ id: number }>(
        sql`INSERT INTO discovery_case (kind, entity_id, member_id, scope_key, county_code, evidence, evidence_hash)
          VALUES ('hidden_member', ${entityId}, ${memberId}, ${A}, ${A}, '{}', 'feed-probe') RETURNING id, scope_key`,
        'insert',
      ).execute(t.db)
    ).rows;
    await withCaseLog(
      sql`UPDATE discovery_case SET state = 'contacted' WHERE id = ${raised.id} RETURNING id, scope_key, scope_key AS from_scope`,
      'update',
    ).execute(t.db);
    const walk = async (token: string) => {
      const items: { cursor: string; kind: string; id: number; op: string; data: Record<string, unknown> | null }[] =
        [];
      for (let after = '', more = true; more;) {
        const res = await bearer(token, 'GET', `/exchange/changes?limit=1000${after ? `&after=${after}` : ''}`);
        expect(res.statusCode, res.body).toBe(200);
        const page = res.json<{ items: typeof items; next: string; more: boolean }>();
        items.push(...page.items);
        [after, more] = [page.next, page.more];
      }
      return items;
    };
    const plain = await walk((await issue({ permissions: ['changes.read'] })).token);
    const lines = plain.filter((c) => c.kind === 'case' && Number(c.id) === Number(raised.id));
    expect(lines.map((c) => c.op)).toEqual(['insert', 'update']);
    for (const c of lines)
      expect(c.data).toEqual({
        kind: 'hidden_member',
        state: 'contacted',
        entityId,
        raisedAt: expect.any(String),
        updatedAt: expect.any(String),
      });
    const cursors = plain.map((c) => c.cursor.split('.').map(BigInt));
    expect(
      cursors.every(
        (c, i) => i === 0 || c[0] > cursors[i - 1][0] || (c[0] === cursors[i - 1][0] && c[1] > cursors[i - 1][1]),
      ),
    ).toBe(true);
    const granted = await walk((await issue({ permissions: ['changes.read', 'members.read'] })).token);
    expect(granted.find((c) => c.kind === 'case' && Number(c.id) === Number(raised.id))?.data).toMatchObject({
      memberId,
      name: '王线索',
    });
  });

  it('serves the figures and the submitted report versions of the subtree', async () => {
    const { token } = await issue({ permissions: ['figures.read'] });
    const f = await bearer(token, 'GET', '/exchange/figures');
    expect(f.statusCode, f.body).toBe(200);
    expect(f.json().node.code).toBe(A);
    expect(f.json().figures.operating).toBeGreaterThan(0);
    expect((await bearer(token, 'GET', `/exchange/figures?under=${B}`)).statusCode).toBe(404);
    const r = await bearer(token, 'GET', '/exchange/reports');
    expect(r.statusCode).toBe(200);
    expect(Array.isArray(r.json().items)).toBe(true);
  });
});

/** Makes a valid 统一社会信用代码 from its first 17 characters (GB 32100-2015 check character). */
function validUscc(first17: string): string {
  const chars = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const w = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const sum = [...first17].reduce((s, c, i) => s + chars.indexOf(c) * w[i], 0);
  return first17 + chars[(31 - (sum % 31)) % 31];
}

describe.each(BACKENDS.filter((b) => b === 'postgres'))(
  'change feed under concurrent transactions on %s',
  (backend) => {
    let t: TestApp;
    afterAll(() => t?.close());

    it('never skips a change committed after a later one was served', async () => {
      t = await testApp(backend);
      const sec = await t.signIn(await t.user({ roles: ['secadmin'], jurisdiction: A }));
      const acc = await sec.post('/service-accounts', {
        name: '并发读取',
        jurisdictionCode: A,
        permissions: ['changes.read'],
        expiresAt: NEXT_YEAR,
        ipAllowlist: ['127.0.0.1'],
      });
      const biz = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: A }));
      const token = (await biz.post(`/service-accounts/${acc.json().account.id}/token`, {})).json().token as string;
      const read = async (after?: string) =>
        (
          await t.app.inject({
            method: 'GET',
            url: `/api/v1/exchange/changes?limit=1000${after ? `&after=${after}` : ''}`,
            headers: { authorization: `Bearer ${token}` },
          })
        ).json<{ items: { id: number; kind: string }[]; next: string }>();
      const insert = async (reg: string) =>
        Number(
          (
            await sql<{
              id: number;
            }>`INSERT INTO entity (kind, reg_no, name, county_code, scope_key) VALUES ('individual', ${reg}, ${'并发' + reg}, ${A}, ${A}) RETURNING id::int AS id`.execute(
              t.db,
            )
          ).rows[0].id,
        );
      // Two entities on file; the concurrent writes rename them (a rename touches no tally row, so neither write waits on the other's locks).
      const [slowId, fastId] = [await insert('320102000000001'), await insert('320102000000002')];
      const rename = async (db: typeof t.db, id: number) => {
        await sql`SET LOCAL lock_timeout = '10s'`.execute(db);
        await sql`UPDATE entity SET name = name || '（更名）' WHERE id = ${id}`.execute(db);
      };
      const start = (await read()).next;
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let started!: () => void;
      const begun = new Promise<void>((r) => (started = r));
      // The slow transaction takes its xid and writes first, but commits last.
      const slow = t.db.transaction().execute(async (trx) => {
        await rename(trx, slowId);
        started();
        await held;
      });
      await begun;
      await t.db
        .transaction()
        .execute((trx) => rename(trx, fastId))
        .catch(async (err: unknown) => {
          release(); // a lock wait would otherwise hold the slow transaction open for ever
          await slow;
          throw err;
        });
      // While the slow one is open, the fast one (committed) is held back too: serving it would move the cursor past the slow one.
      const during = await read(start);
      expect(during.items.map((i) => i.id)).not.toContain(fastId);
      release();
      await slow;
      const after = await read(during.next);
      const ids = after.items.filter((i) => i.kind === 'entity').map((i) => i.id);
      expect(ids).toEqual([slowId, fastId]);
    });
  },
);
