import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ledger } from '../helpers/ledger.js';
import {
  SHOTS,
  browserAvailable,
  browserSuite,
  closeDrawer,
  pickOption,
  signIn,
  signInFirstTime,
  demoImported,
} from './browser.js';

const STATION = '320102001';

/** The station's "党组织覆盖 N 户" as the 两个覆盖 page shows it, checked against the API behind it. */
async function coveredOnPage(page: Page): Promise<number> {
  await page.getByRole('menuitem', { name: '两个覆盖' }).click();
  const line = page.getByText(/^党组织覆盖 \d+ 户$/);
  await expect.poll(() => line.count(), { timeout: 15_000 }).toBe(1);
  const shown = Number((await line.textContent())!.match(/\d+/)![0]);
  const api = (await (await page.request.get('/api/v1/coverage')).json()) as {
    node: { code: string };
    total: { anyOrg: number };
  };
  expect(api.node.code).toBe(STATION);
  expect(shown).toBe(api.total.anyOrg);
  return shown;
}

describe.skipIf(!browserAvailable)('party organizations in Chromium', () => {
  const env = browserSuite();

  it('coverage → generate proposals → accept the building joint branch → mark it established → the station covers 3 more entities', async () => {
    const { t, url } = env.server;
    await demoImported(t);
    // A building whose three tenants have 2 + 1 + 1 full members: together enough for one joint branch.
    const l = ledger(t.db);
    const zoneId = await l.zone('building', '演示大厦', '320102');
    for (const [name, full] of [
      ['演示大厦甲公司', 2],
      ['演示大厦乙商行', 1],
      ['演示大厦丙工作室', 1],
    ] as const) {
      await l.members(await l.entity({ place: STATION, name, zoneId }), full);
    }

    const ctx = await env.browser.newContext({ viewport: { width: 1366, height: 860 }, baseURL: url });
    const page = await ctx.newPage();
    const crashes: string[] = [];
    page.on('pageerror', (e) => crashes.push(e.message));
    await signInFirstTime(page, url, env.server.creds.get('station_staff')!, 'Station-2026!');
    const before = await coveredOnPage(page);
    await page.screenshot({ path: `${SHOTS}/coverage.png`, fullPage: true });

    // The station's staff generate the proposals for their station.
    await page.getByRole('menuitem', { name: '组建建议' }).click();
    await page.getByRole('button', { name: /生成组建建议/ }).click();
    await page
      .locator('.ant-popconfirm')
      .getByRole('button', { name: /生\s*成/ })
      .click();
    await expect.poll(() => page.getByText('已生成组建建议').count(), { timeout: 30_000 }).toBe(1);
    expect(await page.getByText(/依托区域联合组建 \d+ 条/).count()).toBe(1);

    // Standalone proposals come first; the building's is among the zone ones.
    await pickOption(page.locator('.ant-select').filter({ hasText: '建议类型' }), '依托区域联合组建');
    const card = page.locator('[data-proposal]').filter({ hasText: '同一楼宇 演示大厦' });
    await expect.poll(() => card.count()).toBe(1);
    expect(await card.textContent()).toContain('演示大厦联合党支部');
    await page.screenshot({ path: `${SHOTS}/proposals.png`, fullPage: true });
    await card
      .getByRole('button', { name: /采\s*纳/ })
      .first()
      .click();
    const accept = page.getByRole('dialog');
    await expect.poll(() => accept.getByLabel('组织名称').inputValue()).toBe('演示大厦联合党支部');
    await accept.getByRole('button', { name: /采\s*纳/ }).click();
    await expect.poll(() => page.getByText(/已新建筹建中的组织/).count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => card.count()).toBe(0);

    await page.getByRole('menuitem', { name: /党组织$/ }).click();
    const row = page.getByRole('row', { name: /演示大厦联合党支部/ });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain('筹建');
    await row.click();
    const drawer = page.locator('.ant-drawer');
    await expect.poll(() => drawer.getByRole('link', { name: '演示大厦丙工作室' }).count()).toBe(1);
    await drawer.getByRole('button', { name: '标记为已建' }).click();
    const mark = page.locator('.ant-modal').filter({ hasText: '成立日期' });
    const founded = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
    await mark.getByLabel('成立日期').fill(founded);
    await mark.getByLabel('成立日期').press('Enter');
    // The record cannot be read again after the change: the drawer says so, and no longer shows the record as it
    // was before (it showed both, the stale 筹建 record under the error).
    const detail = /\/api\/v1\/orgs\/\d+$/;
    await page.route(detail, (r) => (r.request().method() === 'GET' ? r.abort() : r.fallback()));
    await mark.getByRole('button', { name: '标记为已建' }).click();
    await expect.poll(() => drawer.locator('.ant-alert-error').textContent()).toContain('网络错误');
    expect(await drawer.getByRole('link', { name: '演示大厦丙工作室' }).count()).toBe(0);
    await page.unroute(detail);
    await closeDrawer(drawer);
    await row.click();
    await expect.poll(() => drawer.locator('.ant-drawer-title').textContent()).toContain('已建');
    await expect.poll(() => drawer.getByText(/状态：筹建 → 已建/).count()).toBe(1);
    expect(await drawer.getByText(founded).count()).toBeGreaterThan(0);
    await page.screenshot({ path: `${SHOTS}/org-drawer.png` });
    await closeDrawer(drawer);
    await expect.poll(() => row.textContent()).toContain('已建');

    expect(await coveredOnPage(page)).toBe(before + 3);
    expect(crashes).toEqual([]);
    await ctx.close();

    // The same pages on a phone (a fresh context: every page's code loads cold, hence the longer waits).
    const slow = { timeout: 15_000 };
    const phoneCtx = await env.browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      baseURL: url,
    });
    const phone = await phoneCtx.newPage();
    await signIn(phone, url, 'station_staff', 'Station-2026!');
    await phone.goto(`${url}/coverage`);
    await expect.poll(() => phone.getByText(/^党组织覆盖 \d+ 户$/).count(), slow).toBe(1);
    await phone.screenshot({ path: `${SHOTS}/coverage-mobile.png`, fullPage: true });
    await phone.goto(`${url}/proposals`);
    await phone.getByText('已采纳', { exact: true }).click();
    await expect.poll(() => phone.locator('[data-proposal]').filter({ hasText: '演示大厦' }).count(), slow).toBe(1);
    await phone.screenshot({ path: `${SHOTS}/proposals-mobile.png`, fullPage: true });
    await phone
      .locator('[data-proposal]')
      .filter({ hasText: '演示大厦' })
      .getByRole('link', { name: /查看组织/ })
      .click();
    await expect.poll(() => phone.locator('.ant-drawer-title').textContent(), slow).toContain('演示大厦联合党支部');
    await phone.screenshot({ path: `${SHOTS}/org-drawer-mobile.png` });
    await phoneCtx.close();
  });
});
