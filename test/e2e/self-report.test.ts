import { describe, expect, it } from 'vitest';
import { idNumber } from '../../src/demo/ledger.js';
import { seededRandom } from '../../src/domain/random.js';
import { SHOTS, browserAvailable, browserSuite } from './browser.js';

describe.skipIf(!browserAvailable)('党员报到 on a phone in Chromium', () => {
  const env = browserSuite();

  it("the form refuses a wrong ID number with the domain's check before sending; corrected, the report arrives at its county", async () => {
    const { t, url } = env.server;
    const ctx = await env.browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      baseURL: url,
    });
    const page = await ctx.newPage();
    await page.goto('/self-report');
    const good = idNumber(seededRandom(7), '320102', new Date('1986-06-06'));
    // The same 17 digits with another check character: a regex would pass it, the contract's GB 11643 check does not.
    const wrong = good.slice(0, 17) + (good[17] === '1' ? '2' : '1');
    await page.getByLabel('姓名').fill('孙报到');
    await page.getByLabel('手机').fill('13912345678');
    await page.getByLabel(/身份证号/).fill(wrong);
    await page.getByLabel(/工作单位所在县/).click();
    for (const name of ['江苏省', '南京市', '玄武区'])
      await page.locator('.ant-cascader-menu-item', { hasText: name }).first().click();
    await page.getByLabel('工作单位名称').fill('梅园新村报到面馆');
    await page.getByRole('checkbox').check();
    await page.getByRole('button', { name: /提\s*交/ }).click();
    const idError = page.locator('.ant-form-item', { hasText: '身份证号' }).locator('.ant-form-item-explain-error');
    await expect.poll(() => idError.count()).toBe(1);
    expect(await t.db.selectFrom('self_report').select('id').execute()).toEqual([]);

    await page.getByLabel(/身份证号/).fill(good);
    await page.getByRole('button', { name: /提\s*交/ }).click();
    await expect.poll(() => page.getByText(/回执号：DY-[0-9A-Z]{4}-[0-9A-Z]{4}/).count()).toBe(1);
    const rows = await t.db.selectFrom('self_report').select(['county_code', 'name']).execute();
    expect(rows).toEqual([{ county_code: '320102', name: '孙报到' }]);
    await page.screenshot({ path: `${SHOTS}/self-report.png`, fullPage: true });
    await ctx.close();
  });
});
