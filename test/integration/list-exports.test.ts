import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { ledger } from '../helpers/ledger.js';

type Client = Awaited<ReturnType<TestApp['signIn']>>;

const HOME = '320102';
const ELSEWHERE = '320104';
const S1 = '320102001';

/**
 * The lists a county works through that had no Excel export: 专业市场·园区·楼宇, 退出复核, 待分配基层所
 * and 组建建议. Each export holds what the list shows (filtered the same way, and every row where the
 * list pages), nothing of another county, and leaves an audit record.
 */
describe.each(BACKENDS)('list exports on %s', (backend) => {
  let t: TestApp;
  let editor: Client;
  let other: Client;

  const sheet = async (c: Client, url: string) => {
    const res = await c.get(url);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    const rows: string[][] = [];
    ws.eachRow((r) => rows.push((r.values as (string | number | null)[]).slice(1).map((v) => String(v ?? ''))));
    return { header: rows[0], rows: rows.slice(1) };
  };
  const audited = async (action: string) =>
    (
      await t.db
        .selectFrom('audit_log')
        .select('detail')
        .where('action', '=', action)
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow()
    ).detail as { rows: number };

  beforeAll(async () => {
    t = await testApp(backend);
    const l = ledger(t.db);
    await l.station(S1, '东所');
    const market = await l.zone('market', '南门菜市场', HOME);
    await l.zone('building', '测试大厦', HOME);
    await l.zone('market', '外县市场', ELSEWHERE);
    // Without a station: three at the county's level (one in the market), one in another county.
    await l.entity({ place: HOME, name: '中山路甲店', zoneId: market });
    await l.entity({ place: HOME, name: '中山路乙店' });
    await l.entity({ place: HOME, name: '北京路丙店' });
    await l.entity({ place: ELSEWHERE, name: '外县中山路店' });
    // Two standalone proposals' worth (3 full members each) at the station, and one elsewhere.
    for (const name of ['三党员甲公司', '三党员乙公司']) await l.members(await l.entity({ place: S1, name }), 3);
    await l.members(await l.entity({ place: ELSEWHERE, name: '外县三党员公司' }), 3);
    editor = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: HOME }));
    other = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: ELSEWHERE }));
  });
  afterAll(() => t?.close());

  it('专业市场·园区·楼宇: the zones the filters select, with their entity count, audited', async () => {
    const all = await sheet(editor, '/zones/export');
    expect(all.header).toEqual(['类型', '名称', '地址', '县区', '区域内主体数']);
    expect(all.rows.map((r) => r[1]).sort()).toEqual(['南门菜市场', '测试大厦']);
    expect(all.rows.find((r) => r[1] === '南门菜市场')?.[4]).toBe('1');
    const markets = await sheet(editor, '/zones/export?kind=market');
    expect(markets.rows.map((r) => [r[0], r[1]])).toEqual([['专业市场', '南门菜市场']]);
    expect(await audited('zone.export')).toMatchObject({ rows: 1 });
    expect((await sheet(other, '/zones/export')).rows.map((r) => r[1])).toEqual(['外县市场']);
  });

  it('待分配基层所: every entity without a station past the first page, by keyword, only the county’s own', async () => {
    const page = (await editor.get('/unassigned-entities?pageSize=1')).json();
    expect(page.total).toBe(3);
    const all = await sheet(editor, '/unassigned-entities/export');
    expect(all.header).toEqual(['统一社会信用代码', '注册号', '名称', '主体类型', '住所', '县区']);
    expect(all.rows.map((r) => r[2]).sort()).toEqual(['中山路乙店', '中山路甲店', '北京路丙店']);
    const road = await sheet(editor, `/unassigned-entities/export?q=${encodeURIComponent('中山路')}`);
    expect(road.rows.map((r) => r[2]).sort()).toEqual(['中山路乙店', '中山路甲店']);
    expect(await audited('entity.unassigned_export')).toMatchObject({ rows: 2 });
    const bad = await editor.get('/unassigned-entities/export?countyCode=32');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().detail ?? bad.json().title).toMatch(/县区代码/);
  });

  it('退出复核: a revoked entity’s review, with its reason and state, audited; none of another county', async () => {
    const id = (await editor.get(`/entities?q=${encodeURIComponent('北京路丙店')}`)).json().items[0].id as number;
    expect((await editor.patch(`/entities/${id}`, { status: 'revoked' })).statusCode).toBe(200);
    const open = await sheet(editor, '/exit-reviews/export');
    expect(open.header.slice(0, 4)).toEqual(['市场主体', '原因', '说明', '状态']);
    expect(open.rows.map((r) => r[0])).toEqual(['北京路丙店']);
    expect(open.rows[0][1]).toMatch(/吊销/);
    expect((await sheet(editor, '/exit-reviews/export?state=closed')).rows).toEqual([]);
    expect(await audited('exit.export')).toMatchObject({ rows: 0 });
    expect((await sheet(other, '/exit-reviews/export')).rows).toEqual([]);
  });

  it('组建建议: the open proposals with their units named, by state, only the county’s own', async () => {
    expect((await editor.post('/org-proposals/generate')).statusCode).toBe(200);
    const list = (await editor.get('/org-proposals?pageSize=100')).json();
    const open = await sheet(editor, '/org-proposals/export');
    expect(open.header[0]).toBe('建议名称');
    expect(open.rows).toHaveLength(list.total);
    const units = open.header.indexOf('覆盖单位');
    expect(open.rows.map((r) => r[units])).toEqual(expect.arrayContaining(['三党员乙公司', '三党员甲公司']));
    expect(open.rows.every((r) => r[open.header.indexOf('状态')] === '待处理')).toBe(true);
    expect(await audited('proposal.export')).toMatchObject({ rows: list.total });
    expect((await sheet(editor, '/org-proposals/export?state=accepted')).rows).toEqual([]);
    expect((await sheet(other, '/org-proposals/export')).rows.map((r) => r[units])).not.toContain('三党员甲公司');
  });
});

/**
 * Issue 18: the exports stopped at 100,000 or 200,000 rows without a word, so a province's or a
 * city's unfiltered ledger came out short and looked whole. A list longer than an export holds
 * (XGZ_EXPORT_MAX_ROWS, three here) is now refused in Chinese, nothing written and nothing audited;
 * narrowed by a filter, it is exported whole.
 */
describe.each(BACKENDS)('a list longer than an export holds, on %s', (backend) => {
  let t: TestApp;
  let editor: Client;
  const exported = (action: string) => t.db.selectFrom('audit_log').select('id').where('action', '=', action).execute();

  beforeAll(async () => {
    t = await testApp(backend, { XGZ_EXPORT_MAX_ROWS: '3' });
    const l = ledger(t.db);
    const shops: number[] = [];
    for (const name of ['中山路甲店', '中山路乙店', '中山路丙店', '北京路丁店'])
      shops.push(await l.entity({ place: HOME, name }));
    await l.members(shops[0], 4, 0, ['王一', '王二', '王三', '李四']);
    for (const name of ['甲市场', '乙市场', '丙市场', '丁市场']) await l.zone('market', name, HOME);
    editor = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: HOME }));
  });
  afterAll(() => t?.close());

  it.each([
    ['the entity ledger (its own route)', '/entities/export', 'entity.export', '/entities/export?q=中山路'],
    ['the zones (a list export)', '/zones/export', 'zone.export', '/zones/export?q=甲'],
    ['the roster (a list export)', '/members/export', 'member.export', '/members/export?q=王'],
  ])('%s: refused whole, exported when filtered', async (_, url, action, narrowed) => {
    const res = await editor.get(url);
    expect(res.statusCode, res.body).toBe(422);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.json()).toMatchObject({ title: '导出条数超过上限', code: 'export_too_large' });
    expect(res.json().detail).toMatch(
      /筛选结果超过 3 条，单次导出最多 3 条。请加上县区、基层所、状态等筛选条件，分批导出/,
    );
    expect(await exported(action)).toEqual([]);
    const ok = await editor.get(narrowed);
    expect(ok.statusCode, ok.body).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(ok.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets[0].rowCount).toBeGreaterThan(1);
    expect(wb.worksheets[0].rowCount).toBeLessThanOrEqual(4);
    expect(await exported(action)).toHaveLength(1);
  });
});
