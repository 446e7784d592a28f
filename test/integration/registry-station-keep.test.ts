import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { csvFile, importFile, tmpDir } from '../helpers/imports.js';
import { usccCheckChar } from '../../src/domain/identifiers/uscc.js';

const uscc = (body17: string) => body17 + usccCheckChar(body17);

/**
 * A plain registry extract (no 基层所 column) re-imported by the county: the station worked out
 * from the address is for entities without one. An entity a station already holds stays there —
 * with its honours, plaques and cases in that station's sight.
 */
describe.each(BACKENDS)('re-importing a registry extract without a station column on %s', (backend) => {
  let t: TestApp;
  let county: { id: number; scopeKey: string };
  const dir = tmpDir();
  beforeAll(async () => {
    t = await testApp(backend);
    const u = await t.user({ roles: ['editor'], jurisdiction: '320102' });
    const c = await t.signIn(u);
    for (const [suffix, name, area] of [
      ['001', '梅园新村市场监管所', '梅园新村街道'],
      ['002', '锁金村市场监管所', '红山街道'],
    ])
      expect((await c.post('/stations', { countyCode: '320102', suffix, name, servedAreas: [area] })).statusCode).toBe(
        201,
      );
    const j = await t.db
      .selectFrom('jurisdiction')
      .select('scope_key')
      .where('code', '=', '320102')
      .executeTakeFirstOrThrow();
    county = { id: u.id, scopeKey: j.scope_key };
  });
  afterAll(() => t?.close());

  const stationOf = async (uscc: string) =>
    await t.db
      .selectFrom('entity')
      .select(['station_code', 'status'])
      .where('uscc', '=', uscc)
      .executeTakeFirstOrThrow();

  it('keeps an entity at the station it is at; places one that has none by its address', async () => {
    const shop = {
      统一社会信用代码: uscc('92320102MA1X00000'),
      字号名称: '玄武区丁轩霞理发店',
      经营者: '丁轩霞',
      组成形式: '个人经营',
      经营场所: '南京市玄武区红山街道93号',
      成立日期: '2005-09-06',
    };
    // First placed by the file itself at 梅园新村 (a clerk's choice, though the street is 红山).
    const first = await importFile(
      t,
      'registry',
      csvFile(dir, 'a.csv', [{ ...shop, 基层所代码: '320102001' }]),
      county,
    );
    expect(first.rejections).toEqual([]);
    expect((await stationOf(shop.统一社会信用代码)).station_code).toBe('320102001');

    // Later the county's plain extract: 注销, no station column; the street maps to 锁金村.
    const newcomer = {
      ...shop,
      统一社会信用代码: uscc('92320102MA1X00001'),
      字号名称: '玄武区新开理发店',
      经营者: '李新开',
    };
    const { rejections } = await importFile(
      t,
      'registry',
      csvFile(dir, 'b.csv', [
        { ...shop, 登记状态: '注销' },
        { ...newcomer, 登记状态: '存续' },
      ]),
      county,
    );
    expect(rejections).toEqual([]);
    expect(await stationOf(shop.统一社会信用代码)).toEqual({ station_code: '320102001', status: 'deregistered' });
    expect((await stationOf(newcomer.统一社会信用代码)).station_code).toBe('320102002');

    // A file that names the station still moves it.
    await importFile(t, 'registry', csvFile(dir, 'c.csv', [{ ...shop, 基层所代码: '320102002' }]), county);
    expect((await stationOf(shop.统一社会信用代码)).station_code).toBe('320102002');
  });
});
