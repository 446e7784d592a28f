import { describe, expect, it } from 'vitest';
import { SHOTS, browserAvailable, browserSuite, noSidewaysScroll, signIn, signInFirstTime } from './browser.js';
import type { Page } from 'playwright-core';
import { stationCodesUnder } from '../helpers/ledger.js';

/** Holds the answers of the requests matching `path` until the returned function is called (a slow server, on demand). */
async function holdAnswers(page: Page, path: RegExp): Promise<() => Promise<void>> {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  await page.route(path, async (route) => {
    await held;
    await route.continue().catch(() => undefined);
  });
  return async () => {
    release();
    await page.unroute(path);
  };
}

/** The city clerk on a phone: the stations as cards, and a task's board by county (which county lags). */
describe.skipIf(!browserAvailable)("the city clerk's stations and task board, on a phone", () => {
  const env = browserSuite();

  it('辖区与基层所 is cards on a phone; a notice to every station shows each county’s progress, a tap narrows the list to it', async () => {
    const { t, url, creds } = env.server;
    const ctx = await env.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await ctx.newPage();
    await signInFirstTime(page, url, creds.get('city_editor')!, 'Nanjing-2026!');

    // The stations: one card each (name, county, guidance post), no table scrolled sideways.
    await page.goto(`${url}/stations`);
    const cards = page.getByTestId('list-card');
    await expect.poll(() => cards.count(), { timeout: 30_000 }).toBeGreaterThan(1);
    expect(await page.locator('.ant-table').count()).toBe(0);
    await expect.poll(() => cards.first().getByTestId('card-status').innerText()).toMatch(/指导站(已建|未建)/);
    await noSidewaysScroll(page, 'stations on a phone');
    await page.screenshot({ path: `${SHOTS}/stations-phone.png`, fullPage: true });

    // A notice straight to every station; two stations of one county receive it.
    const stations = await t.db
      .selectFrom('jurisdiction')
      .select(['code', 'name'])
      .where('level', '=', 'station')
      .where('code', 'like', '3201%')
      .orderBy('code')
      .execute();
    const counties = [...new Set(stations.map((s) => s.code.slice(0, 6)))];
    expect(counties.length).toBeGreaterThan(1);
    const city = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '320100' }));
    const res = await city.post('/deployments', {
      kind: 'notice',
      title: '关于各所签收年报抽查安排的通知',
      body: '请签收。',
      levels: ['station'],
    });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id as number;
    const ahead = stations.filter((s) => s.code.startsWith(counties[0]));
    for (const s of ahead.slice(0, 2)) {
      const clerk = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: s.code }));
      const own = (await clerk.get(`/deployments/${id}`)).json().own.id as number;
      expect((await clerk.post(`/deployment-targets/${own}/receive`)).statusCode).toBe(204);
    }

    await page.goto(`${url}/work/${id}`);
    const areas = page.getByTestId('board-area');
    await expect.poll(() => areas.count(), { timeout: 30_000 }).toBe(counties.length);
    // The county that has received most is last; each bar says done/total.
    const aheadName = (
      await t.db.selectFrom('jurisdiction').select('name').where('code', '=', counties[0]).executeTakeFirstOrThrow()
    ).name;
    await expect.poll(() => areas.last().innerText()).toContain(aheadName);
    expect(await areas.last().innerText()).toContain(`办结 ${Math.min(2, ahead.length)}/${ahead.length}`);
    await noSidewaysScroll(page, 'board by county on a phone');
    await page.screenshot({ path: `${SHOTS}/board-areas-phone.png`, fullPage: true });
    // A tap narrows the list to that county's stations; the status chips narrow it further.
    await areas.last().click();
    const rows = page.getByTestId('board').locator('.ant-collapse-item');
    await expect.poll(() => rows.count()).toBe(ahead.length);
    await page
      .getByTestId('board-status-filter')
      .getByText(/^未办结/)
      .click();
    await expect.poll(() => rows.count()).toBe(ahead.length - Math.min(2, ahead.length));
    await areas.last().click();
    await expect.poll(() => rows.count()).toBe(stations.length - Math.min(2, ahead.length));
    await ctx.close();
  });

  it('年度目标考核 at a station (no children to rank) says why the ranking is empty, not 暂无数据', async () => {
    const { url, creds } = env.server;
    const ctx = await env.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await ctx.newPage();
    await signInFirstTime(page, url, creds.get('station_staff')!, 'Meiyuan-2026!');
    await page.goto(`${url}/assessment`);
    await expect.poll(() => page.getByText('本级没有下级辖区，无需排名').count(), { timeout: 30_000 }).toBe(1);
    expect(await page.getByText('暂无数据').count()).toBe(0);
    await noSidewaysScroll(page, 'assessment at a station on a phone');
    await ctx.close();
  });

  it('the province on a phone: 辖区与基层所 shows the cards at once, the districts behind a 辖区 button', async () => {
    const { t, url, creds } = env.server;
    const ctx = await env.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await ctx.newPage();
    await signInFirstTime(page, url, creds.get('province_editor')!, 'Jiangsu-2026!');
    // 工作台: the province's cities are cards (the table scrolled sideways, 指导站 out of sight); 南京市's
    // card carries its stations.
    const cityStations = await stationCodesUnder(t.db, '3201');
    const nanjing = page.getByTestId('list-card').filter({ hasText: '南京市' });
    await expect.poll(() => nanjing.count(), { timeout: 30_000 }).toBe(1);
    expect(await nanjing.innerText()).toContain(`基层所 ${cityStations.length} 个`);
    expect(await page.locator('.ant-table').count()).toBe(0);
    await noSidewaysScroll(page, "the province's 工作台 on a phone");
    await page.goto(`${url}/stations`);
    // No tree above the cards: the first card stands within the first screen.
    const cards = page.getByTestId('list-card');
    await expect.poll(() => cards.count(), { timeout: 30_000 }).toBeGreaterThan(1);
    expect(await page.locator('.ant-tree').count()).toBe(0);
    const top = await cards.first().boundingBox();
    expect(top!.y + top!.height).toBeLessThan(844);
    await noSidewaysScroll(page, 'stations of the province on a phone');
    await page.screenshot({ path: `${SHOTS}/stations-province-phone.png`, fullPage: true });

    // The 辖区 button opens the tree in a drawer; 南京市 → 玄武区 narrows the cards to its stations and closes it.
    const xuanwu = await stationCodesUnder(t.db, '320102');
    await page.getByTestId('stations-area').click();
    const drawer = page.locator('.ant-drawer-section').filter({ hasText: '选择辖区' });
    await drawer.getByText('南京市', { exact: true }).waitFor();
    await drawer.locator('.ant-tree-treenode', { hasText: '南京市' }).locator('.ant-tree-switcher').click();
    await drawer.getByText('玄武区', { exact: true }).click();
    await page.locator('.ant-drawer-mask').waitFor({ state: 'hidden' });
    await expect.poll(() => page.getByTestId('stations-area').innerText()).toContain('玄武区');
    await expect
      .poll(async () => (await cards.allInnerTexts()).map((c) => c.includes('玄武区')), { timeout: 30_000 })
      .toEqual(xuanwu.map(() => true));
    await noSidewaysScroll(page, 'one district of the province on a phone');
    await ctx.close();
  });

  it('a list or a report on its way says 正在加载…, not 本辖区还没有基层所 or 本级尚未生成该期报表', async () => {
    const { url } = env.server;
    const ctx = await env.browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await ctx.newPage();
    await signIn(page, url, 'province_editor', 'Jiangsu-2026!');
    // The list on its way: it says so, not that the province has no station.
    const release = await holdAnswers(page, /\/api\/v1\/stations\?/);
    await page.goto(`${url}/stations`);
    await expect.poll(() => page.getByTestId('loading').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await page.getByText('本辖区还没有基层所').count()).toBe(0);
    expect(await page.getByText('暂无数据').count()).toBe(0);
    await page.screenshot({ path: `${SHOTS}/stations-loading.png` });
    await release();

    await expect.poll(() => page.getByTestId('loading').count(), { timeout: 30_000 }).toBe(0);
    expect(await page.locator('.ant-table-row').count()).toBeGreaterThan(1);

    const releaseReports = await holdAnswers(page, /\/api\/v1\/reports\?/);
    await page.goto(`${url}/reports`);
    await expect.poll(() => page.getByTestId('loading').count(), { timeout: 30_000 }).toBe(1);
    expect(await page.getByText('本级尚未生成该期报表').count()).toBe(0);
    await releaseReports();
    // The province has not generated this period's report: once the answer is in, that is what it reads.
    await expect.poll(() => page.getByText(/本级尚未生成该期报表/).count(), { timeout: 30_000 }).toBe(1);
    expect(await page.getByTestId('loading').count()).toBe(0);
    await ctx.close();
  });
});
