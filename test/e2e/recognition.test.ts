import { describe, expect, it } from 'vitest';
import {
  SHOTS,
  browserAvailable,
  browserSuite,
  closeDrawer,
  confirmModal,
  pickOption,
  signInFirstTime,
  demoImported,
} from './browser.js';

const COUNTY = '320102';

describe.skipIf(!browserAvailable)('recognition pages in Chromium', () => {
  const env = browserSuite();

  it('an honour is approved and awarded from its drawer and shows flagged once its entity is revoked; a contact point is designated and reviewed through the form; the training page renders', async () => {
    const { t, url } = env.server;
    await demoImported(t);
    const entity = await t.db
      .selectFrom('entity')
      .select(['id', 'name', 'scope_key'])
      .where('county_code', '=', COUNTY)
      .where('status', '=', 'active')
      .orderBy('id')
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto('honour')
      .values({
        kind: 'honest_enterprise',
        entity_id: entity.id,
        subject_name: entity.name,
        nominated_on: '2026-01-05',
        scope_key: entity.scope_key,
      })
      .execute();

    const ctx = await env.browser.newContext({ viewport: { width: 1366, height: 860 }, baseURL: url });
    const page = await ctx.newPage();
    const crashes: string[] = [];
    page.on('pageerror', (e) => crashes.push(e.message));
    await signInFirstTime(page, url, env.server.creds.get('county_editor')!, 'Xuanwu-2026!');

    await page.getByRole('menuitem', { name: '荣誉' }).click();
    const row = page.locator('tr').filter({ hasText: entity.name });
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
    await row.click();
    const drawer = page.locator('.ant-drawer');
    await drawer.getByRole('button', { name: '审核通过' }).click();
    await confirmModal(page.locator('.ant-modal'));
    await expect.poll(() => drawer.getByRole('button', { name: /^授\s*予$/ }).count(), { timeout: 10_000 }).toBe(1);
    await drawer.getByRole('button', { name: /^授\s*予$/ }).click();
    const modal = page.locator('.ant-modal');
    await modal.getByLabel('县级').check();
    await confirmModal(modal);
    await expect
      .poll(() => drawer.locator('.ant-tag').filter({ hasText: '已授予' }).count(), { timeout: 10_000 })
      .toBeGreaterThan(0);
    await page.screenshot({ path: `${SHOTS}/honour-awarded.png`, fullPage: true });
    await closeDrawer(drawer);

    // The registry says the licence is revoked: the honour waits for review.
    await t.db.updateTable('entity').set({ status: 'revoked' }).where('id', '=', entity.id).execute();
    await page.reload();
    await expect
      .poll(() => page.locator('tr').filter({ hasText: entity.name }).filter({ hasText: '待复核' }).count(), {
        timeout: 15_000,
      })
      .toBe(1);
    await page.screenshot({ path: `${SHOTS}/honours.png`, fullPage: true });

    // Designate another entity as a county contact point through the form, then review it for this year.
    const other = await t.db
      .selectFrom('entity')
      .select('name')
      .where('county_code', '=', COUNTY)
      .where('status', '=', 'active')
      .where('id', '<>', entity.id)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    await page.getByRole('menuitem', { name: '联系点·示范点' }).click();
    await expect.poll(() => page.getByText('在册联系点、示范点').count(), { timeout: 15_000 }).toBe(1);
    await page.getByRole('button', { name: /命名联系点/ }).click();
    const form = page.locator('.ant-modal');
    // The search select does not take the form's field id, so it is found by its item's label.
    await pickOption(
      form
        .locator('.ant-form-item')
        .filter({ has: page.locator('label[title="对象"]') })
        .locator('input'),
      other.name,
      { search: other.name.slice(0, 6) },
    );
    await form.getByLabel('负责的局领导或工作人员').fill('王局长');
    await form.getByLabel('党建台账规范').check();
    await form.getByRole('button', { name: /保\s*存/ }).click();
    const pointDrawer = page.locator('.ant-drawer');
    await expect.poll(() => pointDrawer.getByText('党建台账规范').count(), { timeout: 10_000 }).toBe(1);
    await pointDrawer.getByRole('button', { name: '年度复核' }).click();
    await confirmModal(page.locator('.ant-modal'));
    await expect
      .poll(() => pointDrawer.getByText(`${new Date().getFullYear()} 年度：保留`, { exact: false }).count(), {
        timeout: 10_000,
      })
      .toBe(1);
    await closeDrawer(pointDrawer);
    await expect.poll(() => page.locator('.ant-statistic').filter({ hasText: '联系点' }).textContent()).toContain('1');
    await page.screenshot({ path: `${SHOTS}/points.png`, fullPage: true });
    await page.getByRole('menuitem', { name: '学习教育与书记培训' }).click();
    await expect.poll(() => page.getByText('书记培训指标').count(), { timeout: 15_000 }).toBe(1);
    await page.screenshot({ path: `${SHOTS}/training.png`, fullPage: true });
    await page.getByRole('tab', { name: '学习教育' }).click();
    await expect.poll(() => page.getByText('学习教育活动').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(crashes).toEqual([]);
    await ctx.close();
  });
});
