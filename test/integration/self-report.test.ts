import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/domain/random.js';
import { uscc } from '../../src/demo/ledger.js';
import { BACKENDS } from '../helpers/db.js';
import { nextIp, testApp, type TestApp } from '../helpers/app.js';
import { csvFile, importFile, tmpDir } from '../helpers/imports.js';

const rnd = seededRandom(77);
const CODE = uscc(rnd, 'individual', '320102');

describe.each(BACKENDS)('public self-report (党员找组织) on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(backend);
    const u = await t.user({ roles: ['editor'], jurisdiction: '320102' });
    const editor = await t.signIn(u);
    await editor.post('/stations', { countyCode: '320102', suffix: '001', name: '梅园新村市场监管所' });
    await importFile(
      t,
      'registry',
      csvFile(tmpDir(), 'r.csv', [
        {
          统一社会信用代码: CODE,
          名称: '玄武区报到测试店',
          主体类型: '个体工商户',
          所属县区代码: '320102',
          基层所代码: '320102001',
        },
      ]),
      { id: u.id, scopeKey: '320102' },
    );
  });
  afterAll(() => t?.close());

  const report = (body: Record<string, unknown>, ip = nextIp()) =>
    t.app.inject({ method: 'POST', url: '/api/v1/public/self-report', payload: body, remoteAddress: ip });
  const valid = {
    name: '孙报到',
    phone: '13812340000',
    countyCode: '320102',
    entityName: '玄武区报到测试店',
    uscc: CODE,
    orgRelation: '老家某村党支部',
    consent: true,
  };

  it('lands as a case for the station of the entity, never as a confirmed member, and shows nothing back', async () => {
    const res = await report(valid);
    expect(res.statusCode).toBe(201);
    expect(Object.keys(res.json()).sort()).toEqual(['message', 'receipt']);
    expect(res.body).not.toContain('13812340000');
    expect(await t.db.selectFrom('member').selectAll().execute()).toEqual([]);
    const staff = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: '320102001' }));
    const list = (await staff.get('/cases?kind=self_report')).json().items;
    expect(list).toMatchObject([
      { kind: 'self_report', state: 'open', entityName: '玄武区报到测试店', memberName: '孙报到' },
    ]);
    const detail = (await staff.get(`/cases/${list[0].id}`)).json();
    expect(detail.report).toMatchObject({ name: '孙报到', phone: '138****0000', orgRelation: '老家某村党支部' });
    const stored = await t.db.selectFrom('self_report').select('phone_enc').executeTakeFirstOrThrow();
    expect(stored.phone_enc).not.toContain('13812340000');
    // Only a person's confirmation makes a member.
    expect((await staff.post(`/cases/${list[0].id}/actions`, { action: 'confirm' })).statusCode).toBe(200);
    const members = (await staff.get('/members')).json().items;
    expect(members).toMatchObject([{ name: '孙报到', confidence: 'confirmed', sources: ['self_report', 'staff'] }]);
  });

  it('masks ID numbers and phones typed into the free-text fields (round-5 probe)', async () => {
    const res = await report({
      ...valid,
      uscc: undefined,
      name: '李四13900001111',
      phone: '13900001111',
      entityName: '某店 老板320115199812058626 手机17801335127',
      orgRelation: '联系人 320115 1998 1205 8626',
    });
    expect(res.statusCode, res.body).toBe(201);
    const row = await t.db
      .selectFrom('self_report')
      .select(['name', 'entity_text', 'org_relation'])
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      name: '李四139****1111',
      entity_text: '某店 老板320115********8626 手机178****5127',
      org_relation: expect.stringMatching(/^联系人 320115\*+8626$/),
    });
    const editor = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '320102' }));
    const c = await t.db
      .selectFrom('discovery_case')
      .select('id')
      .where('kind', '=', 'self_report')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    const shown = JSON.stringify((await editor.get(`/cases/${c.id}`)).json());
    expect(shown).not.toMatch(/19981205|1998 1205|0133|0000 ?1111/);
  });

  it('an entity not in the ledger lands with the county', async () => {
    expect(
      (await report({ ...valid, uscc: undefined, entityName: '不在台账的店', phone: '13812340001' })).statusCode,
    ).toBe(201);
    const c = await t.db
      .selectFrom('discovery_case')
      .select(['scope_key', 'entity_id'])
      .where('kind', '=', 'self_report')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(c).toEqual({ scope_key: '320102', entity_id: null });
  });

  it('refuses without consent and with bad fields, in Chinese, naming the field, writing nothing', async () => {
    const before = (await t.db.selectFrom('self_report').select('id').execute()).length;
    const noConsent = await report({ ...valid, consent: false });
    expect(noConsent.statusCode).toBe(400);
    expect(noConsent.json().errors).toContainEqual({ field: 'consent', message: '请阅读并同意告知事项' });
    const badPhone = await report({ ...valid, phone: '12345' });
    expect(badPhone.json().errors[0]).toMatchObject({ field: 'phone', message: '手机号应为 11 位，以 1 开头' });
    const badId = await report({ ...valid, idNumber: '110105194912310021' });
    expect(badId.json().errors[0]).toMatchObject({ field: 'idNumber', message: '身份证号校验位错误' });
    expect((await t.db.selectFrom('self_report').select('id').execute()).length).toBe(before);
  });

  it('is rate-limited per address', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 7; i++)
      codes.push((await report({ ...valid, phone: `1390000000${i}` }, '10.1.2.3')).statusCode);
    expect(codes.slice(0, 5)).toEqual([201, 201, 201, 201, 201]);
    expect(codes.slice(5)).toEqual([429, 429]);
  });

  it('serves the division list publicly for the form, without stations', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/public/divisions/320100' });
    expect(res.json().map((d: { name: string }) => d.name)).toContain('玄武区');
    const counties = (await t.app.inject({ method: 'GET', url: '/api/v1/public/divisions/320102' })).json();
    expect(counties).toEqual([]);
  });
});
