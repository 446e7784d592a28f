import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';

describe.each(BACKENDS)('stations, committees and guidance posts on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(backend);
  });
  afterAll(() => t?.close());

  it('loads the whole GB/T 2260 tree: 31 provinces, 300+ cities, 2,800+ counties', async () => {
    const c = await t.signIn(await t.user({ roles: ['viewer'], jurisdiction: '000000' }));
    const provinces = (await c.get('/jurisdictions/000000/children')).json();
    expect(provinces).toHaveLength(31);
    expect(provinces.find((p: { code: string }) => p.code === '320000').name).toBe('江苏省');
    const counts = await t.db
      .selectFrom('jurisdiction')
      .select(['level'])
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .groupBy('level')
      .execute();
    const n = Object.fromEntries(counts.map((r) => [r.level, Number(r.n)]));
    expect(n.city).toBeGreaterThan(300);
    expect(n.county).toBeGreaterThan(2800);
  });

  it('lets a county editor create, list, edit and delete a station; the code is unique within the county', async () => {
    const c = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '320102' }));
    const made = await c.post('/stations', {
      countyCode: '320102',
      suffix: '011',
      name: '新街口市场监管所',
      servedAreas: ['新街口街道', '华侨路街道'],
    });
    expect(made.statusCode).toBe(201);
    expect(made.json()).toMatchObject({ code: '320102011', level: 'station', parentCode: '320102' });
    const dup = await c.post('/stations', { countyCode: '320102', suffix: '011', name: '另一个所' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().errors).toEqual([{ field: 'suffix', message: '该所代码在本县（区）已被使用' }]);
    expect(
      (await c.post('/stations', { countyCode: '320102', suffix: '019', name: '新街口市场监管所' })).json().errors[0]
        .field,
    ).toBe('name');
    const list = (await c.get('/stations?q=新街口')).json();
    expect(list.items.map((s: { code: string }) => s.code)).toEqual(['320102011']);
    expect((await c.patch('/stations/320102011', { address: '中山路 1 号' })).json().address).toBe('中山路 1 号');
    expect((await c.get('/jurisdictions/320102/children')).json().map((s: { code: string }) => s.code)).toContain(
      '320102011',
    );
    expect((await c.del('/stations/320102011')).statusCode).toBe(204);
    expect((await c.get('/stations?q=新街口')).json().total).toBe(0);
  });

  it('refuses to delete a station that still has a guidance post', async () => {
    const c = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '320102' }));
    await c.post('/stations', { countyCode: '320102', suffix: '012', name: '玄武门市场监管所' });
    expect(
      (await c.post('/units', { kind: 'guidance_post', jurisdictionCode: '320102012', name: '玄武门所指导站' }))
        .statusCode,
    ).toBe(201);
    const del = await c.del('/stations/320102012');
    expect(del.statusCode).toBe(409);
    // Named, with what to do (was: 该记录仍被其他数据引用).
    expect(del.json().detail).toBe('玄武门市场监管所仍有党建工作指导站等单位，不能删除：请先撤销这些单位，再删除');
  });

  it('stations hang on counties, or on cities without counties (东莞)', async () => {
    const gd = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '441900' }));
    expect(
      (await gd.post('/stations', { countyCode: '441900', suffix: '001', name: '南城市场监管所' })).statusCode,
    ).toBe(201);
    expect(
      (await gd.post('/stations', { countyCode: '441900', suffix: '002', name: '东城市场监管所' })).statusCode,
    ).toBe(201);
    const nj = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '320100' }));
    expect(
      (await nj.post('/stations', { countyCode: '320100', suffix: '001', name: '不该建在市级的所' })).statusCode,
    ).toBe(404);
  });

  it('keeps one active committee per node and counts units per sub-jurisdiction', async () => {
    const c = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '320100' }));
    expect(
      (
        await c.post('/units', {
          kind: 'xgz_committee',
          jurisdictionCode: '320100',
          name: '南京市"小个专"党委',
          foundedOn: '2019-06-28',
          staffCount: 9,
        })
      ).statusCode,
    ).toBe(201);
    expect(
      (await c.post('/units', { kind: 'xgz_committee', jurisdictionCode: '320100', name: '重复党委' })).statusCode,
    ).toBe(409);
    expect(
      (await c.post('/units', { kind: 'xgz_committee', jurisdictionCode: '320104', name: '秦淮区"小个专"党委' }))
        .statusCode,
    ).toBe(201);
    const { self, children: summary } = (await c.get('/units/summary/320100')).json();
    expect(self).toMatchObject({ code: '320100', committees: 2, guidancePosts: 1 });
    const xuanwu = summary.find((r: { code: string }) => r.code === '320102');
    const qinhuai = summary.find((r: { code: string }) => r.code === '320104');
    expect(xuanwu).toMatchObject({ guidancePosts: 1, stations: 1 });
    expect(qinhuai).toMatchObject({ committees: 1, guidancePosts: 0 });
    const list = (await c.get('/units?kind=xgz_committee')).json();
    expect(list.total).toBe(2);
    const id = list.items[0].id;
    expect((await c.patch(`/units/${id}`, { status: 'dissolved' })).json().status).toBe('dissolved');
    expect(
      (await c.post('/units', { kind: 'xgz_committee', jurisdictionCode: '320100', name: '重建的党委' })).statusCode,
    ).toBe(201);
  });

  it('serves dictionaries to every signed-in user', async () => {
    const c = await t.signIn(await t.user({ roles: ['viewer'], jurisdiction: '320102' }));
    const d = (await c.get('/dictionaries')).json();
    expect(d.setup_mode.map((x: { label: string }) => x.label)).toContain('联合建');
    expect(d.role.map((x: { code: string }) => x.code)).toContain('station_staff');
  });

  it('lets only a top-level duty holder change the settings their duty owns, audited', async () => {
    const sec = await t.signIn(await t.user({ roles: ['secadmin'], jurisdiction: '000000' }));
    const sys = await t.signIn(await t.user({ roles: ['sysadmin'], jurisdiction: '000000' }));
    expect((await sys.put('/settings/security', { sessionIdleMinutes: 60 })).statusCode).toBe(403);
    expect((await sec.put('/settings/rules', { jointBranchMaxUnits: 6 })).statusCode).toBe(403);
    expect((await sec.put('/settings/security', { sessionIdleMinutes: 2 })).statusCode).toBe(400);
    expect((await sec.put('/settings/security', { sessionIdleMinutes: 60 })).json().sessionIdleMinutes).toBe(60);
    expect((await sys.put('/settings/rules', { jointBranchMaxUnits: 6 })).json().jointBranchMaxUnits).toBe(6);
    const rows = await t.db.selectFrom('audit_log').select('detail').where('action', '=', 'settings.update').execute();
    expect(rows).toHaveLength(2);
    expect(rows[0].detail).toMatchObject({ before: { sessionIdleMinutes: 30 }, after: { sessionIdleMinutes: 60 } });
  });
});
