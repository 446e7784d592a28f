import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  SHOTS,
  browserAvailable,
  browserSuite,
  demoImported,
  noSidewaysScroll,
  settled,
  signIn,
  signInFirstTime,
} from './browser.js';

const REFUSAL = '列表服务暂时不可用（测试）';

/** Answers the list at `path` with a 500 problem until the returned function is called. */
async function refuse(page: Page, path: string): Promise<() => Promise<void>> {
  const match = (u: URL) => u.pathname === `/api/v1${path}`;
  await page.route(match, (r) =>
    r.fulfill({
      status: 500,
      contentType: 'application/problem+json',
      body: JSON.stringify({ type: 'about:blank', title: '服务器错误', status: 500, detail: REFUSAL }),
    }),
  );
  return () => page.unroute(match);
}

/** What the page shows where a list stands: its refusal with 重试, or (what it said before) its empty text. */
async function shown(page: Page, emptyText: string) {
  const error = page.getByTestId('list-error');
  await expect.poll(() => error.count(), { timeout: 20_000 }).toBe(1);
  return {
    refusal: await error.textContent(),
    retry: await error.getByRole('button', { name: /重\s*试/ }).count(),
    empty: await page.getByText(emptyText).count(),
  };
}

describe.skipIf(!browserAvailable)('lists that could not be read, in Chromium', () => {
  const env = browserSuite();

  it('配送站点 (a table at 1440 px) and 市场主体 (cards at 390 px) show the refusal and 重试, not their empty text; 重试 loads the list', async () => {
    const { t, url, creds } = env.server;
    // The county's entities, which 重试 loads as cards, come from the demo's imports.
    await demoImported(t);
    const desk = await env.browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: url });
    const page = await desk.newPage();
    const crashes: string[] = [];
    page.on('pageerror', (e) => crashes.push(e.message));
    await signInFirstTime(page, url, creds.get('county_editor')!, 'County-2026!');

    const emptyStations = '没有符合条件的配送站点';
    const allow = await refuse(page, '/new-employment/stations');
    await page.goto(`${url}/new-employment?tab=stations`);
    expect(await shown(page, emptyStations)).toEqual({ refusal: expect.stringContaining(REFUSAL), retry: 1, empty: 0 });
    await page.screenshot({ path: `${SHOTS}/list-error-desktop.png` });
    await allow();
    await page
      .getByTestId('list-error')
      .getByRole('button', { name: /重\s*试/ })
      .click();
    // The demo has no delivery stations: once read, the list says so and the refusal is gone.
    await expect.poll(() => page.getByText(emptyStations).count(), { timeout: 20_000 }).toBe(1);
    expect(await page.getByTestId('list-error').count()).toBe(0);

    const phone = await env.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, baseURL: url });
    const small = await phone.newPage();
    small.on('pageerror', (e) => crashes.push(e.message));
    await signIn(small, url, 'county_editor', 'County-2026!');
    const emptyEntities = '没有符合条件的市场主体';
    const allowEntities = await refuse(small, '/entities');
    await small.goto(`${url}/entities`);
    expect(await shown(small, emptyEntities)).toEqual({
      refusal: expect.stringContaining(REFUSAL),
      retry: 1,
      empty: 0,
    });
    await noSidewaysScroll(small, 'phone 市场主体 refused');
    await small.screenshot({ path: `${SHOTS}/list-error-phone.png` });
    await allowEntities();
    await small
      .getByTestId('list-error')
      .getByRole('button', { name: /重\s*试/ })
      .click();
    await expect.poll(() => small.getByTestId('list-card').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(await small.getByTestId('list-error').count()).toBe(0);

    expect(crashes).toEqual([]);
    await desk.close();
    await phone.close();
  });

  it('组建建议 refused says so, not 暂无组建建议 (round 12)', async () => {
    const { url } = env.server;
    const ctx = await env.browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: url });
    const page = await ctx.newPage();
    await signIn(page, url, 'county_editor', 'County-2026!');
    await refuse(page, '/org-proposals');
    await page.goto(`${url}/proposals`);
    expect(await shown(page, '暂无组建建议')).toEqual({
      refusal: expect.stringContaining(REFUSAL),
      retry: 1,
      empty: 0,
    });
    await ctx.close();
  });

  it('配送站点 fits a 1440 px desktop beside the menu: 状态 is not cut at the table’s right edge (round 12)', async () => {
    const { url } = env.server;
    const ctx = await env.browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: url });
    const page = await ctx.newPage();
    await signIn(page, url, 'county_editor', 'County-2026!');
    await page.goto(`${url}/new-employment?tab=stations`);
    const table = page.locator('.ant-table-container').first();
    const status = table.locator('th').filter({ hasText: /^状态$/ });
    await expect.poll(() => status.count(), { timeout: 20_000 }).toBe(1);
    await settled(page);
    const [right, edge] = await Promise.all([
      status.evaluate((e) => e.getBoundingClientRect().right),
      table.evaluate((e) => e.getBoundingClientRect().right),
    ]);
    expect(right, '状态 stands within the table').toBeLessThanOrEqual(edge + 0.5);
    await ctx.close();
  });

  it('市场主体台账 at a 1440 px desktop shows 年报党员 and 年报党组织 without scrolling: they stood past the table’s right edge (round 18)', async () => {
    const { url } = env.server;
    const ctx = await env.browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: url });
    const page = await ctx.newPage();
    await signIn(page, url, 'county_editor', 'County-2026!');
    await page.goto(`${url}/entities`);
    const table = page.locator('.ant-table-container').first();
    const party = table.locator('th').filter({ hasText: /^年报党组织$/ });
    await expect.poll(() => party.count(), { timeout: 20_000 }).toBe(1);
    await settled(page);
    const [right, edge] = await Promise.all([
      party.evaluate((e) => e.getBoundingClientRect().right),
      table.evaluate((e) => e.getBoundingClientRect().right),
    ]);
    expect(right, '年报党组织 stands within the table').toBeLessThanOrEqual(edge + 0.5);
    await ctx.close();
  });

  it('导出 Excel refused (a list longer than one export holds) says why on the page, which stays; allowed, the file downloads under its name (issue 18: the export was a plain link, and a refusal replaced the app with the raw answer)', async () => {
    const { url } = env.server;
    const ctx = await env.browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: url });
    const page = await ctx.newPage();
    await signIn(page, url, 'county_editor', 'County-2026!');
    await page.goto(`${url}/entities`);
    const detail = '筛选结果超过 200,000 条，单次导出最多 200,000 条。请加上县区、基层所、状态等筛选条件，分批导出';
    const isExport = (u: URL) => u.pathname === '/api/v1/entities/export';
    await page.route(isExport, (r) =>
      r.fulfill({
        status: 422,
        contentType: 'application/problem+json',
        body: JSON.stringify({
          type: 'about:blank',
          title: '导出条数超过上限',
          status: 422,
          detail,
          code: 'export_too_large',
        }),
      }),
    );
    const button = page.getByRole('link', { name: /导出 Excel/ });
    await button.click();
    await page.locator('.ant-message-notice').getByText(detail).waitFor({ state: 'visible', timeout: 20_000 });
    await settled(page);
    expect(new URL(page.url()).pathname).toBe('/entities');
    expect(await page.getByText('市场主体台账').count()).toBeGreaterThan(0);
    await page.screenshot({ path: `${SHOTS}/export-refused.png` });
    await page.unroute(isExport);
    const download = page.waitForEvent('download');
    await button.click();
    expect((await download).suggestedFilename()).toMatch(/^市场主体台账-\d{4}-\d{2}-\d{2}\.xlsx$/);
    await ctx.close();
  });
});
