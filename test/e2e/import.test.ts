import path from 'node:path';
import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { seededRandom } from '../../src/domain/random.js';
import { uscc } from '../../src/demo/ledger.js';
import {
  SHOTS,
  browserAvailable,
  browserSuite,
  confirmModal,
  noSidewaysScroll,
  noSqueezedCells,
  pickOption,
  signIn,
  signInFirstTime,
} from './browser.js';
import { csvFile, tmpDir } from '../helpers/imports.js';

describe.skipIf(!browserAvailable)('import in Chromium', () => {
  const env = browserSuite();

  it('upload an XLSX whose name column the import does not know → the column plan asks for it → map it, preview, acknowledge an unused phone column → progress reaches 100% → the ledger shows the good rows → the error report lists the bad ones', async () => {
    const rnd = seededRandom(99);
    const good = Array.from({ length: 5 }, (_, i) => ({
      code: uscc(rnd, 'individual', '320102'),
      name: `浏览器导入测试${i + 1}号店`,
    }));
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('数据');
    ws.addRow(['某区个体工商户导出']);
    // 住所 and 登记机关 as extracts give them: long text the preview must not squeeze a character a line.
    const [place, authority] = ['南京市玄武区梅园新村街道长江路 100 号 1 幢 101 室', '南京市玄武区市场监督管理局'];
    ws.addRow([
      '统一社会信用代码',
      '商户称号',
      '市场主体类型',
      '成立日期',
      '所属县区代码',
      '从业人数',
      '备用号码',
      '住所',
      '登记机关',
    ]);
    for (const g of good)
      ws.addRow([
        g.code,
        g.name,
        '个体工商户',
        new Date(Date.UTC(2024, 3, 1)),
        '320102',
        3,
        '13912345678',
        place,
        authority,
      ]);
    ws.addRow(['92320102MA00000000', '校验位错误的店', '个体工商户', '2024-04-01', '320102', 3, '', place, authority]);
    ws.addRow([
      uscc(rnd, 'individual', '320102'),
      '日期错误的店',
      '个体工商户',
      '2024-02-30',
      '320102',
      3,
      '',
      place,
      authority,
    ]);
    ws.addRow([
      uscc(rnd, 'individual', '320102'),
      '不在辖区的店',
      '个体工商户',
      '2024-04-01',
      '110101',
      3,
      '',
      place,
      '',
    ]);
    const file = path.join(tmpDir(), '登记信息.xlsx');
    await wb.xlsx.writeFile(file);

    const page = await env.browser.newPage({ viewport: { width: 1366, height: 860 }, acceptDownloads: true });
    await signInFirstTime(page, env.server.url, env.server.creds.get('city_editor')!, 'City-Pass-2026');
    await page.getByRole('menuitem', { name: '数据导入' }).click();
    await page.locator('input[type=file]').setInputFiles(file);
    // The column plan: 名称 has no column yet; map it to 商户称号 and the preview shows the names.
    const plan = page.getByTestId('import-plan');
    await expect.poll(() => plan.getByTestId('import-missing').count()).toBe(1);
    expect(await plan.getByText('表头所在行').count()).toBe(1);
    expect(await plan.getByRole('button', { name: /开始导入/ }).isDisabled()).toBe(true);
    await pickOption(plan.getByTestId('map-name'), '商户称号');
    await expect.poll(() => plan.getByTestId('import-missing').count()).toBe(0);
    await expect.poll(() => plan.getByTestId('import-sample').getByText('浏览器导入测试1号店').count()).toBe(1);
    expect(await plan.getByTestId('import-sample').getByText('格式无误').count()).toBe(5); // each row judged before the import
    // 住所 and 登记机关 stood a character a line in the preview (clerk probe, round 6).
    await noSqueezedCells(page, 'import preview', '[data-testid="import-sample"]');
    // An unused column of phone numbers must be acknowledged before the import starts.
    await expect
      .poll(() => plan.getByText('列"备用号码"像手机号，将不导入（无法识别的列）').count())
      .toBeGreaterThan(0);
    expect(await plan.getByRole('button', { name: /开始导入/ }).isDisabled()).toBe(true);
    await plan.getByTestId('import-ack').click();
    await page.screenshot({ path: `${SHOTS}/import-plan.png` });
    await plan.getByRole('button', { name: /开始导入/ }).click();
    const row = page.getByRole('row', { name: /登记信息\.xlsx/ });
    await expect.poll(() => row.getByText('已完成').count(), { timeout: 60_000 }).toBe(1);
    expect(await row.locator('.ant-progress').getAttribute('aria-valuenow')).toBe('100');
    await page.screenshot({ path: `${SHOTS}/import-done.png` });

    const download = page.waitForEvent('download');
    await row.getByText('错误报告').click();
    const report = new ExcelJS.Workbook();
    await report.xlsx.readFile(await (await download).path());
    const reasons = report.worksheets[0].getColumn(4).values.slice(2).map(String);
    expect(reasons).toHaveLength(3);
    expect(reasons.join('|')).toMatch(/校验位错误.*不是有效日期.*不在您的辖区内/);

    await page.getByRole('menuitem', { name: '市场主体台账' }).click();
    await page.getByPlaceholder('名称或统一社会信用代码').fill('浏览器导入测试');
    await page.getByPlaceholder('名称或统一社会信用代码').press('Enter');
    await expect.poll(() => page.getByRole('row', { name: /浏览器导入测试/ }).count()).toBe(5);
    expect(await page.getByText('校验位错误的店').count()).toBe(0);
    await page.screenshot({ path: `${SHOTS}/ledger-after-import.png` });
  });

  it('entities no station was found for → 待分配基层所 → assigned in bulk by a road name, remembered for the next import', async () => {
    const rnd = seededRandom(1224);
    const dir = tmpDir();
    const codes = Array.from({ length: 3 }, () => uscc(rnd, 'individual', '320102'));
    const rows = (cs: string[], from: number) =>
      cs.map((c, i) => ({
        统一社会信用代码: c,
        名称: `待分配测试${from + i}号店`,
        主体类型: '个体工商户',
        所属县区代码: '320102',
        住所: `玄武区浏览器测试大道 ${from + i} 号`,
      }));
    const page = await env.browser.newPage({ viewport: { width: 1440, height: 860 } });
    await signInFirstTime(page, env.server.url, env.server.creds.get('county_editor')!, 'County-Pass-2026');
    await page.getByRole('menuitem', { name: '数据导入' }).click();
    // A workbook with two sheets of registry columns, of two shapes: the page asks which one (a 封面
    // it would pass over, and sheets of one shape it reads together).
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('注销名单').addRow(['统一社会信用代码', '名称', '登记状态', '注销日期']);
    const ws = wb.addWorksheet('登记信息');
    ws.addRow(['统一社会信用代码', '名称', '主体类型', '所属县区代码', '住所']);
    ws.addRow([
      uscc(rnd, 'individual', '320102'),
      '工作表选择测试店',
      '个体工商户',
      '320102',
      '玄武区工作表测试路 1 号',
    ]);
    const twoSheets = path.join(dir, '两个工作表.xlsx');
    await wb.xlsx.writeFile(twoSheets);
    await page.locator('input[type=file]').setInputFiles(twoSheets);
    const ask = page.locator('.ant-modal').filter({ hasText: '请选择要导入的工作表' });
    await ask.waitFor({ state: 'visible' });
    await ask.getByLabel('登记信息').check();
    await confirmModal(ask, /导入此工作表/);
    await startPlanned(page);
    await expect
      .poll(
        () =>
          page
            .getByRole('row', { name: /两个工作表\.xlsx/ })
            .getByText('已完成')
            .count(),
        { timeout: 120_000 },
      )
      .toBe(1);
    expect(
      await page
        .getByRole('row', { name: /两个工作表\.xlsx/ })
        .getByText('工作表"登记信息"')
        .count(),
    ).toBe(1);

    await page.locator('input[type=file]').setInputFiles(csvFile(dir, '无基层所.csv', rows(codes.slice(0, 2), 1)));
    await startPlanned(page);
    await expect
      .poll(
        () =>
          page
            .getByRole('row', { name: /无基层所\.csv/ })
            .getByText('已完成')
            .count(),
        { timeout: 120_000 },
      )
      .toBe(1);

    // The 工作台's 待办 counts the entities awaiting a station and opens the list to assign them from.
    await page.getByRole('menuitem', { name: '工作台' }).click();
    const todo = page.getByTestId('todo-item').filter({ hasText: '户存续市场主体未分到基层所' });
    await expect.poll(() => todo.count(), { timeout: 20_000 }).toBe(1);
    // On a phone too: the item fits, and opens the list to assign from.
    const phone = await env.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const small = await phone.newPage();
    await signIn(small, env.server.url, 'county_editor', 'County-Pass-2026');
    const smallTodo = small.getByTestId('todo-item').filter({ hasText: '户存续市场主体未分到基层所' });
    await expect.poll(() => smallTodo.count(), { timeout: 20_000 }).toBe(1);
    await noSidewaysScroll(small, 'phone workbench');
    await smallTodo.click();
    await expect.poll(() => small.getByTestId('unassigned-search').count()).toBe(1);
    expect(small.url()).toContain('/entities/unassigned');
    await noSidewaysScroll(small, 'phone 待分配基层所');
    await small.screenshot({ path: `${SHOTS}/unassigned-phone.png`, fullPage: true });
    await phone.close();
    await todo.click();
    await expect.poll(() => page.url()).toContain('/entities/unassigned');
    await page.getByPlaceholder('住所或名称中的关键词，如 中山路').fill('浏览器测试大道');
    await page.getByPlaceholder('住所或名称中的关键词，如 中山路').press('Enter');
    await expect.poll(() => page.getByRole('row', { name: /待分配测试\d号店/ }).count()).toBe(2);
    const { db } = env.server.t;
    const station = await db
      .selectFrom('jurisdiction')
      .select(['code', 'name'])
      .where('parent_code', '=', '320102')
      .orderBy('code')
      .executeTakeFirstOrThrow();
    await page.getByTestId('unassigned-assign').click();
    const modal = page.locator('.ant-modal').filter({ hasText: '分配基层所' });
    await modal.waitFor({ state: 'visible' });
    expect(await modal.getByTestId('assign-keyword').inputValue()).toBe('浏览器测试大道');
    await pickOption(modal.getByTestId('assign-station'), station.name, { search: station.name });
    await expect.poll(() => page.locator('.ant-select-dropdown:visible').count()).toBe(0);
    await page.screenshot({ path: `${SHOTS}/unassigned-assign.png` });
    await confirmModal(modal, /分\s*配/);
    await expect.poll(() => page.getByRole('row', { name: /待分配测试\d号店/ }).count()).toBe(0);
    await expect.poll(() => page.getByRole('row', { name: /浏览器测试大道/ }).count()).toBe(1); // the remembered rule

    const placed = await db
      .selectFrom('entity')
      .select(['uscc', 'station_code'])
      .where('uscc', 'in', codes.slice(0, 2))
      .execute();
    expect(placed.map((p) => p.station_code)).toEqual([station.code, station.code]);

    // The next import places the same road at the same station by itself.
    await page.getByRole('menuitem', { name: '数据导入' }).click();
    await page.locator('input[type=file]').setInputFiles(csvFile(dir, '同一路.csv', rows(codes.slice(2), 3)));
    await startPlanned(page);
    await expect
      .poll(
        () =>
          page
            .getByRole('row', { name: /同一路\.csv/ })
            .getByText('已完成')
            .count(),
        { timeout: 120_000 },
      )
      .toBe(1);
    expect(
      (await db.selectFrom('entity').select('station_code').where('uscc', '=', codes[2]).executeTakeFirstOrThrow())
        .station_code,
    ).toBe(station.code);
  });

  it('an annual-report extract dropped on 登记信息 → the plan says it looks like a 年报 → one click reads it as one, every required field found', async () => {
    const page = await env.browser.newPage({ viewport: { width: 1366, height: 860 } });
    await signInFirstTime(page, env.server.url, env.server.creds.get('county2_editor')!, 'County2-Pass-2026');
    await page.getByRole('menuitem', { name: '数据导入' }).click();
    await page
      .locator('input[type=file]')
      .setInputFiles(path.resolve(import.meta.dirname, '../fixtures/extracts/annual-report.utf8bom.csv'));
    const plan = page.getByTestId('import-plan');
    await expect.poll(() => plan.getByTestId('import-likelier').count()).toBe(1);
    expect(await plan.getByTestId('import-missing').count()).toBe(1);
    await page.screenshot({ path: `${SHOTS}/import-likelier.png` });
    await plan.getByRole('button', { name: '改为按年报导入' }).click();
    await expect.poll(() => plan.getByTestId('import-likelier').count()).toBe(0);
    expect(await plan.getByTestId('import-missing').count()).toBe(0);
    expect(await page.locator('.ant-segmented-item-selected').innerText()).toBe('年报');
    await expect.poll(() => plan.getByRole('button', { name: /开始导入/ }).isEnabled()).toBe(true);
  });
});

/** Every upload shows its column plan first: a file whose columns are all known is started from it. */
async function startPlanned(page: Page) {
  const start = page.getByTestId('import-plan').getByRole('button', { name: /开始导入/ });
  await start.waitFor({ state: 'visible' });
  await expect.poll(() => start.isEnabled()).toBe(true);
  await start.click();
  await page.getByTestId('import-plan').waitFor({ state: 'detached' });
}
