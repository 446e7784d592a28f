import path from 'node:path';
import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { seededRandom } from '../../src/demo/random.js';
import { uscc } from '../../src/demo/ledger.js';
import { SHOTS, browserAvailable, browserSuite, signInFirstTime } from './browser.js';
import { tmpDir } from '../helpers/imports.js';

describe.skipIf(!browserAvailable)('import in Chromium', () => {
  const env = browserSuite();

  it('upload an XLSX with bad rows → progress reaches 100% → the ledger shows the good rows → the error report lists the bad ones', async () => {
    const rnd = seededRandom(99);
    const good = Array.from({ length: 5 }, (_, i) => ({ code: uscc(rnd, 'individual', '320102'), name: `浏览器导入测试${i + 1}号店` }));
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('数据');
    ws.addRow(['统一社会信用代码', '名称', '主体类型', '成立日期', '所属县区代码', '从业人数']);
    for (const g of good) ws.addRow([g.code, g.name, '个体工商户', '2024-04-01', '320102', 3]);
    ws.addRow(['92320102MA00000000', '校验位错误的店', '个体工商户', '2024-04-01', '320102', 3]);
    ws.addRow([uscc(rnd, 'individual', '320102'), '日期错误的店', '个体工商户', '2024-02-30', '320102', 3]);
    ws.addRow([uscc(rnd, 'individual', '320102'), '不在辖区的店', '个体工商户', '2024-04-01', '110101', 3]);
    const file = path.join(tmpDir(), '登记信息.xlsx');
    await wb.xlsx.writeFile(file);

    const page = await env.browser.newPage({ viewport: { width: 1366, height: 860 }, acceptDownloads: true });
    await signInFirstTime(page, env.server.url, env.server.creds.get('city_editor')!, 'City-Pass-2026');
    await page.getByRole('menuitem', { name: '数据导入' }).click();
    await page.locator('input[type=file]').setInputFiles(file);
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
});
