import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { seededRandom } from '../../src/domain/random.js';
import { idNumber, uscc } from '../../src/demo/ledger.js';
import { csvFile, importFile, tmpDir } from '../helpers/imports.js';
import { RUN_STEPS } from '../../src/features/discovery/contract.js';
import {
  browserAvailable,
  browserSuite,
  confirmModal,
  noSidewaysScroll,
  SHOTS,
  signIn,
  signInFirstTime,
  demoImported,
} from './browser.js';

describe.skipIf(!browserAvailable)('member discovery in Chromium', () => {
  const env = browserSuite();

  it('run discovery → a hidden-member case appears for the right station → confirm it → the member shows on the entity page; another station does not see it', async () => {
    const { t } = env.server;
    // The demo's queued imports run first; then one known entity at the first station.
    await demoImported(t);
    const editor = await t.db
      .selectFrom('app_user')
      .select('id')
      .where('username', '=', 'city_editor')
      .executeTakeFirstOrThrow();
    const rnd = seededRandom(5);
    const id = idNumber(rnd, '320102', new Date('1983-04-04'));
    const dir = tmpDir();
    const who = { id: editor.id, scopeKey: '3201' };
    await importFile(
      t,
      'registry',
      csvFile(dir, 'r.csv', [
        {
          统一社会信用代码: uscc(rnd, 'individual', '320102'),
          名称: '梅园新村测试面馆',
          主体类型: '个体工商户',
          所属县区代码: '320102',
          基层所代码: '320102001',
          '法定代表人/经营者': '钱测试',
          '法定代表人/经营者身份证号': id,
        },
      ]),
      who,
    );
    await importFile(
      t,
      'roster',
      csvFile(dir, 'm.csv', [
        { 姓名: '钱测试', 公民身份号码: id, 党员类别: '正式党员', 组织关系所在党组织: '外区某社区党委' },
      ]),
      who,
    );

    const city = await env.browser.newPage({ viewport: { width: 1366, height: 860 } });
    await signInFirstTime(city, env.server.url, env.server.creds.get('city_editor')!, 'City-Pass-2026');
    await city.getByRole('menuitem', { name: '查找党员' }).click();
    // While the run is at its second step the page shows where it is: the progress it polls is held there until looked at.
    let hold = true;
    await city.route('**/api/v1/discovery/runs/*', async (route) => {
      if (!hold) return route.continue();
      const res = await route.fetch();
      await route.fulfill({ response: res, json: { ...(await res.json()), status: 'running', step: RUN_STEPS[1] } });
    });
    await city.getByRole('button', { name: /运行比对/ }).click();
    const steps = city.getByTestId('run-steps');
    await expect
      .poll(() => steps.locator('.ant-steps-item-process').textContent(), { timeout: 15_000 })
      .toContain(RUN_STEPS[1]);
    expect(await steps.locator('.ant-steps-item-finish').allTextContents()).toEqual([RUN_STEPS[0]]);
    await city.screenshot({ path: `${SHOTS}/discovery-running.png` });
    hold = false;
    await expect.poll(() => city.getByText(/比对完成/).count(), { timeout: 60_000 }).toBe(1);

    const staffCtx = await env.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const staff = await staffCtx.newPage();
    await signInFirstTime(staff, env.server.url, env.server.creds.get('station_staff')!, 'Station-2026!');
    await staff.goto(`${env.server.url}/discovery`);
    // A station has no level below it: no jurisdiction filter takes room on its phone.
    await staff.getByTestId('case-state').waitFor();
    expect(await staff.getByTestId('case-under').count()).toBe(0);
    // On a phone the list is cards, each with its status.
    const row = staff.getByTestId('list-card').filter({ hasText: '梅园新村测试面馆' }).filter({ hasText: '隐形党员' });
    await expect.poll(() => row.count()).toBe(1);
    await row.click();
    await staff
      .getByRole('button', { name: /确\s*认/ })
      .first()
      .click();
    await confirmModal(staff.locator('.ant-modal').last());
    await expect.poll(() => staff.getByText('已确认').count()).toBeGreaterThan(0);
    await staff.screenshot({ path: `${SHOTS}/case-confirmed.png` });
    // The list downloads as Excel under its filters: here 已确认 alone, so the confirmed case is the one line.
    await staff.goto(`${env.server.url}/discovery?state=confirmed`);
    await expect.poll(() => staff.getByTestId('list-card').count()).toBe(1);
    await noSidewaysScroll(staff, 'the case list with its export, on a phone');
    const download = staff.waitForEvent('download');
    await staff.getByRole('link', { name: /导出 Excel/ }).click();
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(await (await download).path());
    const lines = book.getWorksheet('核实线索')!.getSheetValues().slice(2) as unknown[][];
    expect(lines.map((l) => [l[1], l[2], l[5]])).toEqual([['隐形党员', '梅园新村测试面馆', '已确认']]);
    const entity = await t.db
      .selectFrom('entity')
      .select('id')
      .where('name', '=', '梅园新村测试面馆')
      .executeTakeFirstOrThrow();
    await staff.goto(`${env.server.url}/entities/${entity.id}`);
    await expect.poll(() => staff.getByText(/钱测试 · 党员 · 已确认/).count()).toBe(1);
    await staff.screenshot({ path: `${SHOTS}/entity-member.png`, fullPage: true });
    await staffCtx.close();

    const other = await t.user({ roles: ['station_staff'], jurisdiction: '320102002' });
    const page = await env.browser.newPage();
    await signIn(page, env.server.url, other.username, other.password);
    await page.getByRole('menuitem', { name: '查找党员' }).click();
    await expect.poll(() => page.getByText(/没有线索|待核实/).count()).toBeGreaterThan(0);
    expect(await page.getByText('梅园新村测试面馆').count()).toBe(0);
  });
});
