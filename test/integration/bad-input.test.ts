import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';

/** Bad input gets a 4xx problem+json in Chinese naming the field, and the data stays as it was. */
describe.each(BACKENDS)('bad input on %s', (backend) => {
  let t: TestApp;
  let c: Awaited<ReturnType<TestApp['signIn']>>;
  const counts = async () =>
    Promise.all(
      ['jurisdiction', 'bureau_unit', 'app_user', 'audit_log'].map(
        async (tbl) =>
          (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(tbl)}`.execute(t.db)).rows[0].n,
      ),
    );

  beforeAll(async () => {
    t = await testApp(backend);
    c = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '320102' }));
  });
  afterAll(() => t?.close());

  const cases: [string, () => ReturnType<typeof c.call>, number, string | null][] = [
    [
      'malformed JSON',
      () => c.call('POST', '/stations', '{"countyCode": "320102", "name": ', { 'content-type': 'application/json' }),
      400,
      '(body)',
    ],
    [
      'wrong type',
      () => c.post('/stations', { countyCode: 320102, suffix: '001', name: '类型错所' }),
      400,
      'countyCode',
    ],
    ['bad pattern', () => c.post('/stations', { countyCode: '320102', suffix: '1', name: '代码错所' }), 400, 'suffix'],
    [
      'unknown field',
      () =>
        c.post('/stations', { countyCode: '320102', suffix: '002', name: '多字段所', idNumber: '11010519491231002X' }),
      400,
      'idNumber',
    ],
    ['missing field', () => c.post('/units', { kind: 'guidance_post', name: '缺辖区' }), 400, 'jurisdictionCode'],
    [
      'bad date',
      () =>
        c.post('/units', {
          kind: 'xgz_committee',
          jurisdictionCode: '320102',
          name: '日期错',
          foundedOn: '2024-13-45',
        }),
      400,
      'foundedOn',
    ],
    [
      'personal data in a rejected body',
      () =>
        c.post('/units', {
          kind: 'xgz_committee',
          jurisdictionCode: '320102',
          name: '电话错',
          leaderName: 13812345678,
        }),
      400,
      'leaderName',
    ],
    [
      'bad enum',
      () => c.post('/units', { kind: 'secret_society', jurisdictionCode: '320102', name: '类别错' }),
      400,
      'kind',
    ],
    ['bad path id', () => c.patch('/units/abc', { name: '路径错' }), 400, 'id'],
    ['bad query', () => c.get('/stations?pageSize=100000'), 400, 'pageSize'],
    [
      'oversized body',
      () => c.post('/stations', { countyCode: '320102', suffix: '003', name: '大', address: 'x'.repeat(1_100_000) }),
      413,
      null,
    ],
    [
      'wrong content type',
      () => c.call('POST', '/stations', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' }),
      415,
      null,
    ],
    [
      'rule broken',
      () => c.post('/units', { kind: 'guidance_post', jurisdictionCode: '320102', name: '放错层级的指导站' }),
      400,
      'jurisdictionCode',
    ],
  ];

  it.each(cases)('%s → problem+json naming the field, nothing written', async (_name, call, status, field) => {
    const before = await counts();
    const res = await call();
    expect(res.statusCode).toBe(status);
    expect(String(res.headers['content-type'])).toMatch(/application\/problem\+json/);
    const body = res.json();
    expect(body.status).toBe(status);
    expect(body.title).toMatch(/[\u4e00-\u9fa5]/);
    expect(body.detail).toMatch(/[\u4e00-\u9fa5]/);
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+|stack/);
    if (field) expect(body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(await counts()).toEqual(before);
  });

  it('answers an unknown API path with problem+json', async () => {
    const res = await c.get('/no-such-thing');
    expect(res.statusCode).toBe(404);
    expect(res.json().title).toBe('未找到');
  });

  it('sends security headers', async () => {
    const res = await c.get('/stations');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(res.headers['x-frame-options']).toBeTruthy();
  });
});
