import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/domain/random.js';
import { idNumber } from '../../src/demo/ledger.js';
import { csvFile, importFile, tmpDir } from '../helpers/imports.js';
import { SHOTS, browserAvailable, browserSuite, confirmModal, signInFirstTime } from './browser.js';

describe.skipIf(!browserAvailable)('a member missing from a full roster in Chromium', () => {
  const env = browserSuite();

  it('upload a roster marked as the full roster → the import says one member is missing and links to the case → record 去世 → the member is so recorded', async () => {
    const { t } = env.server;
    const rnd = seededRandom(84);
    const county = await t.db
      .selectFrom('app_user')
      .select(['id', 'scope_key'])
      .where('username', '=', 'county_editor')
      .executeTakeFirstOrThrow();
    const dir = tmpDir();
    const member = (name: string, birth: string) => ({
      姓名: name,
      公民身份号码: idNumber(rnd, '320102', new Date(birth)),
      人员类别: '正式党员',
      所在党支部: '浏览器测试党支部',
    });
    const [kept, gone] = [member('周浏览', '1980-01-01'), member('吴浏览', '1960-02-02')];
    await importFile(t, 'roster', csvFile(dir, '第一次名册.csv', [kept, gone]), {
      id: county.id,
      scopeKey: county.scope_key,
    });

    const page = await env.browser.newPage({ viewport: { width: 1366, height: 860 } });
    await signInFirstTime(page, env.server.url, env.server.creds.get('county_editor')!, 'County-Pass-2026');
    await page.getByRole('menuitem', { name: '数据导入' }).click();
    await page.locator('.ant-segmented').getByText('党员名册', { exact: true }).click();
    await page.locator('input[type=file]').setInputFiles(csvFile(dir, '完整名册.csv', [kept]));
    const plan = page.getByTestId('import-plan');
    await plan.getByTestId('import-full-roster').click();
    await page.screenshot({ path: `${SHOTS}/roster-full-plan.png` });
    await plan.getByRole('button', { name: /开始导入/ }).click();
    const row = page.getByRole('row', { name: /完整名册\.csv/ });
    await expect.poll(() => row.getByText('已完成').count(), { timeout: 60_000 }).toBe(1);
    await expect
      .poll(() => row.getByText('完整名册：所涉党支部中有 1 名党员不在本文件中', { exact: false }).count())
      .toBe(1);
    await page.screenshot({ path: `${SHOTS}/roster-full-done.png` });

    await row.getByRole('link', { name: '查看核实线索' }).click();
    const card = page.getByRole('row', { name: /吴浏览/ });
    await expect.poll(() => card.getByText('名册中已不存在').count()).toBe(1);
    expect(await card.getByText('党组织：浏览器测试党支部').count()).toBe(1);
    await card.click();
    const drawer = page.locator('.ant-drawer').last();
    await expect.poll(() => drawer.getByText('完整名册中的党组织').count()).toBe(1);
    await drawer.getByRole('button', { name: '记录核实结果' }).click();
    const modal = page.locator('.ant-modal').last();
    await modal.getByText('去世', { exact: true }).click();
    await modal.getByLabel('去世日期').fill('2026-10-12');
    await modal.getByLabel('去世日期').press('Enter');
    await confirmModal(modal);
    await expect.poll(() => drawer.getByText('已确认').count()).toBeGreaterThan(0);
    await expect.poll(() => drawer.getByText('去世，2026-10-12').count()).toBe(1);
    await page.screenshot({ path: `${SHOTS}/roster-absent-concluded.png` });
    const status = await t.db
      .selectFrom('member as m')
      .innerJoin('person as p', 'p.id', 'm.person_id')
      .select('m.member_status')
      .where('p.name', '=', '吴浏览')
      .executeTakeFirstOrThrow();
    expect(status.member_status).toBe('deceased');
  });
});
