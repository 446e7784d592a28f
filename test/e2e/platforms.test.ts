import { describe, expect, it } from 'vitest';
import {
  SHOTS,
  browserAvailable,
  browserSuite,
  closeDrawer,
  modalOpened,
  pickOption,
  signInFirstTime,
} from './browser.js';

describe.skipIf(!browserAvailable)('new employment groups in Chromium', () => {
  const env = browserSuite();

  it("register a platform → a delivery station → count its riders → the station shows the count and the area's figures include it", async () => {
    const { url } = env.server;
    const ctx = await env.browser.newContext({ viewport: { width: 1366, height: 860 }, baseURL: url });
    const page = await ctx.newPage();
    const crashes: string[] = [];
    page.on('pageerror', (e) => crashes.push(e.message));
    await signInFirstTime(page, url, env.server.creds.get('county_editor')!, 'County-2026!');

    await page.getByRole('menuitem', { name: '新业态新就业群体' }).click();
    await expect.poll(() => page.getByText('还没有骑手数统计').count(), { timeout: 15_000 }).toBe(1);
    await page.getByRole('tab', { name: '平台企业' }).click();
    await expect.poll(() => page.getByText('还没有平台企业').count()).toBe(1);
    await page.getByRole('button', { name: /登记平台企业/ }).click();
    const form = page.getByRole('dialog');
    await modalOpened(form);
    await form.getByRole('button', { name: /保\s*存/ }).click();
    await expect.poll(() => form.getByText('请选择业态').count()).toBe(1);
    await form.getByLabel('平台名称').fill('测试外卖平台');
    await pickOption(form.getByLabel('业态'), '外卖');
    await form.getByRole('button', { name: /保\s*存/ }).click();
    const drawer = page.locator('.ant-drawer');
    await expect
      .poll(() => drawer.locator('.ant-drawer-title').textContent(), { timeout: 10_000 })
      .toContain('测试外卖平台');
    await closeDrawer(drawer);

    await page.getByRole('tab', { name: '配送站点' }).click();
    await page.getByRole('button', { name: /登记配送站点/ }).click();
    const sform = page.getByRole('dialog');
    await pickOption(sform.getByLabel('平台企业'), '测试外卖平台', { search: '测试外卖' });
    await sform.getByLabel('站点名称').fill('测试东站');
    await sform.getByRole('button', { name: /保\s*存/ }).click();
    await expect
      .poll(() => drawer.locator('.ant-drawer-title').textContent(), { timeout: 10_000 })
      .toContain('测试东站');
    expect(await drawer.getByText('还没有统计骑手数').count()).toBe(1);
    await drawer.getByRole('button', { name: /登记骑手数/ }).click();
    const cform = page.locator('.ant-modal').filter({ hasText: '骑手人数' });
    await cform.getByLabel('骑手人数').fill('36');
    await cform.getByRole('button', { name: /保\s*存/ }).click();
    await expect.poll(() => drawer.getByText(/骑手数：36 人/).count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => drawer.locator('canvas').count()).toBeGreaterThan(0);
    await page.screenshot({ path: `${SHOTS}/delivery-station.png` });

    const figures = (await (await page.request.get('/api/v1/new-employment/figures')).json()) as {
      total: { riders: number; stations: number; stationCoverage: { operating: number } };
    };
    expect(figures.total).toMatchObject({ riders: 36, stations: 1, stationCoverage: { operating: 1 } });
    await closeDrawer(drawer);
    await page.getByRole('tab', { name: '概况与覆盖' }).click();
    await expect.poll(() => page.getByText('近 12 个月骑手数').count()).toBe(1);
    // The figures follow the change made on the other tabs.
    await expect.poll(() => page.getByText('还没有骑手数统计').count()).toBe(0);
    await page.screenshot({ path: `${SHOTS}/new-employment.png`, fullPage: true });
    expect(crashes).toEqual([]);
    await ctx.close();
  });
});
