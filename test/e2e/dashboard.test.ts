import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { sql } from 'kysely';
import { periodOf, takeSystemSnapshots, trendStart } from '../../src/features/indicators/service.js';
import { ledger } from '../helpers/ledger.js';
import { registerDemoOrgs } from '../../src/demo/jurisdiction.js';
import { registerDemoWork } from '../../src/demo/work.js';
import {
  SHOTS,
  browserAvailable,
  browserSuite,
  holdAnswers,
  settled,
  signIn,
  signInFirstTime,
  demoImported,
} from './browser.js';

type Dashboard = {
  node: { code: string; name: string };
  figures: { operating: number; orgCoverage: number | null };
  children: { code: string; name: string; level: string; operating: number; orgCoverage: number | null }[];
};

/** The figure a headline card shows, as a number. */
async function headline(page: Page, key: string): Promise<number> {
  const value = page.locator(`[data-indicator="${key}"] .ant-statistic-content-value`);
  await expect.poll(() => value.count(), { timeout: 15_000 }).toBe(1);
  return Number((await value.textContent())!.replace(/[,%]/g, ''));
}

describe.skipIf(!browserAvailable)('the dashboard in Chromium', () => {
  const env = browserSuite();

  it("renders the city's figures with charts, drills down to a county and back, and a headline figure opens its list", async () => {
    const { t, url } = env.server;
    await demoImported(t);
    // Organizations over a few of 玄武区's entities, with members found in them, so coverage is above zero.
    const l = ledger(t.db);
    const picked = await t.db
      .selectFrom('entity')
      .select(['id', 'name', 'scope_key', 'county_code', 'station_code'])
      .where('county_code', '=', '320102')
      .where('status', '=', 'active')
      .orderBy('id')
      .limit(4)
      .execute();
    for (const e of picked) {
      await l.members(e.id, 3);
      const org = await t.db
        .insertInto('party_org')
        .values({
          name: `${e.name}党支部`,
          kind: 'branch',
          setup_mode: 'standalone',
          county_code: e.county_code,
          station_code: e.station_code,
          scope_key: e.scope_key,
          status: 'established',
          founded_on: '2024-07-01',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await t.db
        .insertInto('party_org_entity')
        .values({ org_id: org.id, entity_id: e.id, scope_key: e.scope_key })
        .execute();
    }
    // Two earlier months of history, as the scheduled job would have left them (a little lower than now).
    await takeSystemSnapshots(t.db, true);
    for (const [months, drop] of [
      [3, 2],
      [2, 1],
    ] as const) {
      await sql`INSERT INTO indicator_snapshot (jurisdiction_code, scope_key, period, counts, trigger)
        SELECT jurisdiction_code, scope_key, ${trendStart(months)}, jsonb_set(jsonb_set(counts, '{anyOrg}', to_jsonb(greatest((counts->>'anyOrg')::int - ${drop}, 0))), '{work}', to_jsonb(greatest((counts->>'work')::int - ${drop}, 0))), 'schedule'
        FROM indicator_snapshot WHERE period = ${periodOf()}`.execute(t.db);
    }
    const ctx = await env.browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: url });
    const page = await ctx.newPage();
    const crashes: string[] = [];
    page.on('pageerror', (e) => crashes.push(e.message));
    await signInFirstTime(page, url, env.server.creds.get('city_editor')!, 'City-2026!');
    const api = async (code?: string) =>
      (await (await page.request.get(`/api/v1/dashboard${code ? `?under=${code}` : ''}`)).json()) as Dashboard;

    await page.getByRole('menuitem', { name: '数据看板' }).click();
    const city = await api();
    expect(city.figures.operating).toBeGreaterThan(0);
    expect(city.figures.orgCoverage).toBeGreaterThan(0);
    expect(await headline(page, 'operating')).toBe(city.figures.operating);
    expect(await headline(page, 'orgCoverage')).toBeCloseTo((city.figures.orgCoverage ?? 0) * 100, 1);
    expect(await page.getByText('2 个月的快照 + 本月实时').count()).toBe(1);
    // Three charts: sub-jurisdictions (treemap by default), the monthly trend, the funnel.
    await expect.poll(() => page.locator('canvas').count(), { timeout: 15_000 }).toBe(3);
    expect(await page.locator('.ant-segmented-item-selected').textContent()).toBe('矩形树图');
    const map = page.locator('.ant-segmented-item-disabled');
    expect(await map.textContent()).toContain('审图号');
    await page.screenshot({ path: `${SHOTS}/dashboard.png`, fullPage: true });
    await page.getByText('排序条形图').click();
    await expect.poll(() => page.locator('canvas').count()).toBe(3);
    // The bars' axis fits the highest rate (no 10% floor that leaves small rates as slivers).
    const top = Math.max(0, ...city.children.map((c) => (c.orgCoverage ?? 0) * 100));
    const axis = Number(await page.locator('[data-axis-max]').getAttribute('data-axis-max'));
    expect(axis).toBeGreaterThanOrEqual(top);
    expect(axis).toBeLessThanOrEqual(Math.max(1, top * 2));
    await page.screenshot({ path: `${SHOTS}/dashboard-bar.png` });

    // Drill down to the county with the most entities, through its row.
    const county = [...city.children].sort((a, b) => b.operating - a.operating)[0];
    expect(county.level).toBe('county');
    await page.locator('.ant-table-row a', { hasText: county.name }).first().click();
    await expect.poll(() => new URL(page.url()).searchParams.get('under')).toBe(county.code);
    const here = await api(county.code);
    await expect.poll(() => headline(page, 'operating')).toBe(here.figures.operating);
    expect(here.figures.operating).toBe(county.operating);
    expect(await page.locator('.ant-breadcrumb').last().textContent()).toContain(city.node.name);
    expect(await page.getByText('各基层所对比').count()).toBe(1);
    await expect.poll(() => page.locator('canvas').count()).toBe(3);
    await page.screenshot({ path: `${SHOTS}/dashboard-county.png`, fullPage: true });

    // The headline figure opens the entity list behind it, filtered to the county: same count.
    await page.locator('[data-indicator="operating"] a').click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/entities');
    expect(Object.fromEntries(new URL(page.url()).searchParams)).toMatchObject({
      under: county.code,
      coverage: 'operating',
    });
    await expect.poll(() => page.getByText(`共 ${here.figures.operating} 条`).count(), { timeout: 15_000 }).toBe(1);
    await page.screenshot({ path: `${SHOTS}/dashboard-list.png` });

    // Searching on quickly: the answer for 便利店, come after the one for 服装, is dropped (its rows stood under 服装).
    const first = await holdAnswers(
      page,
      (u) => u.pathname === '/api/v1/entities' && u.searchParams.get('q') === '便利店',
    );
    const search = page.getByPlaceholder('名称或统一社会信用代码');
    await search.fill('便利店');
    await search.press('Enter');
    await expect.poll(() => first.asked()).toBe(1);
    await search.fill('服装');
    await search.press('Enter');
    const rows = page.locator('.ant-table-row');
    await expect.poll(() => rows.first().textContent(), { timeout: 15_000 }).toContain('服装');
    first.release();
    await first.landed();
    expect(await rows.first().textContent()).toContain('服装');
    expect(await page.getByText('便利店').count()).toBe(0);

    // Back up: the breadcrumb's city link returns to the city's dashboard.
    await page.goBack();
    await page.locator('.ant-breadcrumb a', { hasText: city.node.name }).last().click();
    await expect.poll(() => new URL(page.url()).searchParams.get('under')).toBeNull();
    await expect.poll(() => headline(page, 'operating')).toBe(city.figures.operating);

    // A slow answer for a jurisdiction left before it came is dropped: the county's figures, held until the city's
    // page is back, are not shown under the city's trail (they were, as if they were the city's).
    // Another county than the one drilled into above (the browser may answer that one from its cache).
    const slow = [...city.children].sort((a, b) => b.operating - a.operating)[1];
    const late = await holdAnswers(
      page,
      (u) => u.pathname === '/api/v1/dashboard' && u.searchParams.get('under') === slow.code,
    );
    await page.locator('.ant-table-row a', { hasText: slow.name }).first().click();
    await expect.poll(() => late.asked()).toBe(1);
    await page.goBack();
    await expect.poll(() => headline(page, 'operating')).toBe(city.figures.operating);
    late.release();
    await late.landed();
    expect(await headline(page, 'operating')).toBe(city.figures.operating);
    expect(await page.getByText('各基层所对比').count()).toBe(0);

    // 已找到的党员 of one county opens the member list of that county: the same count, not the city's.
    const xuanwu = (await api('320102')) as Dashboard & { figures: { membersFound: number } };
    const cityFound = (city as Dashboard & { figures: { membersFound: number } }).figures.membersFound;
    expect(xuanwu.figures.membersFound).toBeGreaterThan(0);
    expect(xuanwu.figures.membersFound).toBeLessThan(cityFound);
    await page.goto('/dashboard?under=320102');
    await page.locator('[data-indicator="membersFound"] a').click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/members');
    expect(Object.fromEntries(new URL(page.url()).searchParams)).toMatchObject({ under: '320102', linked: 'true' });
    await expect
      .poll(() => page.getByText(`共 ${xuanwu.figures.membersFound} 条`).count(), { timeout: 15_000 })
      .toBe(1);
    expect(await page.getByTestId('member-under').textContent()).toContain('玄武区');
    await page.screenshot({ path: `${SHOTS}/dashboard-members.png` });

    // 待核实线索 and 三亮 of one county open their lists of that county too, the filter shown so it can be cleared.
    const other = await t.db
      .selectFrom('entity')
      .select(['id', 'scope_key'])
      .where('county_code', '=', '320104')
      .orderBy('id')
      .executeTakeFirstOrThrow();
    // One of 玄武区's is contacted already: the figure counts it (still to verify), so the list must show it too.
    for (const [e, state] of [
      [picked[0], 'open'],
      [picked[1], 'contacted'],
      [other, 'open'],
    ] as const)
      await t.db
        .insertInto('discovery_case')
        .values({
          kind: 'entity_without_org',
          entity_id: e.id,
          scope_key: e.scope_key,
          county_code: e.scope_key.slice(0, 6),
          state,
          evidence: JSON.stringify({}),
          evidence_hash: `dashboard-${e.id}`,
        })
        .execute();
    const xuanwuCases = (await api('320102')) as Dashboard & { figures: { casesOpen: number } };
    const cityCases = (await api()) as Dashboard & { figures: { casesOpen: number } };
    expect(xuanwuCases.figures.casesOpen).toBeGreaterThan(1);
    expect(xuanwuCases.figures.casesOpen).toBeLessThan(cityCases.figures.casesOpen);
    await page.goto('/dashboard?under=320102');
    expect(await headline(page, 'casesOpen')).toBe(xuanwuCases.figures.casesOpen);
    await page.locator('[data-indicator="casesOpen"] a').click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/discovery');
    expect(new URL(page.url()).searchParams.get('under')).toBe('320102');
    await expect
      .poll(() => page.getByText(`共 ${xuanwuCases.figures.casesOpen} 条`).count(), { timeout: 15_000 })
      .toBe(1);
    expect(await page.getByTestId('case-under').textContent()).toContain('玄武区');
    // The state filter shows both states the figure counts, so a clerk sees why the list holds them.
    const states = await page.getByTestId('case-state').locator('.ant-select-selection-item').allTextContents();
    // (Less the "+ N …" placeholder of tags that do not fit, which shows none here.)
    expect(states.filter((s) => !s.startsWith('+'))).toEqual(['待核实', '已联系']);
    await page.screenshot({ path: `${SHOTS}/dashboard-cases.png` });
    await page.goto('/dashboard?under=320102');
    await page.locator('[data-indicator="sanliangParticipants"] a').click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/sanliang');
    expect(new URL(page.url()).searchParams.get('under')).toBe('320102');
    await expect.poll(() => page.getByTestId('sanliang-under').textContent()).toContain('玄武区');
    expect(crashes).toEqual([]);
    await ctx.close();
  });

  it('each 三亮, 联系点·示范点, 荣誉 and 工作机构 figure opens a list of as many rows as it counts', async () => {
    const { t, url } = env.server;
    await demoImported(t);
    // The demo's organizations, points, honours and 三亮, as `npm start` registers them.
    await registerDemoOrgs(t.ctx);
    await registerDemoWork(t.ctx);
    // The figures leave out what the lists also hold (withdrawn 三亮 records, nominations, guidance posts beside the
    // committee): the lists they opened unfiltered disagreed (7 三亮党员 opened a ledger of 8, 3 有效荣誉 a list of 7,
    // 1 小个专党委 a list of 4).
    const ctx = await env.browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: url });
    const page = await ctx.newPage();
    const clerk = await t.user({ roles: ['editor'], jurisdiction: '320102' });
    await signIn(page, url, clerk.username, clerk.password);
    const all = async (path: string) =>
      ((await (await page.request.get(`/api/v1/${path}?under=320102&pageSize=1`)).json()) as { total: number }).total;
    const keys = [
      'sanliangParticipants',
      'validPlaques',
      'contactPoints',
      'demoPoints',
      'honoursAwarded',
      'xgzCommittees',
      'guidancePosts',
    ];
    const seen: Record<string, [number, number]> = {};
    for (const key of keys) {
      await page.goto('/dashboard');
      const n = await headline(page, key);
      await page.locator(`[data-indicator="${key}"] a`).click();
      await expect.poll(() => new URL(page.url()).pathname).not.toBe('/dashboard');
      const total = page.locator('.ant-pagination-total-text');
      await expect.poll(() => total.count(), { timeout: 15_000 }).toBeGreaterThan(0);
      seen[key] = [n, Number((await total.first().textContent())!.replace(/[^\d]/g, ''))];
    }
    expect(Object.fromEntries(Object.entries(seen).map(([k, [n, listed]]) => [k, listed - n]))).toEqual(
      Object.fromEntries(keys.map((k) => [k, 0])),
    );
    // The figures count fewer than the unfiltered lists hold, so the filters carried are what made them agree.
    expect(seen.sanliangParticipants[0]).toBeLessThan(await all('sanliang'));
    expect(seen.honoursAwarded[0]).toBeLessThan(await all('honours'));
    expect(seen.xgzCommittees[0]).toBeLessThan(await all('units'));
    // The filters show in the list's controls, where the clerk can clear them.
    await page.goto('/dashboard');
    await page.locator('[data-indicator="sanliangParticipants"] a').click();
    await expect.poll(() => page.locator('.ant-select', { hasText: '亮牌中' }).count(), { timeout: 15_000 }).toBe(1);
    await ctx.close();
  }, 300_000);

  it("on a phone the coverage funnel's labels stand inside its chart with a city's counts (a label ran past the edge: 存续主体 4,697 户（100.0%…)", async () => {
    const { t, url } = env.server;
    await demoImported(t);
    const ctx = await env.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, baseURL: url });
    const page = await ctx.newPage();
    const clerk = await t.user({ roles: ['editor'], jurisdiction: '320102' });
    await signIn(page, url, clerk.username, clerk.password);
    // The test demo's few hundred entities made labels a city's millions would not: the counts are a city's.
    await page.route(
      (u) => u.pathname === '/api/v1/dashboard',
      async (r) => {
        const res = await r.fetch();
        const body = (await res.json()) as { funnel: { value: number }[] };
        body.funnel.forEach((s, i) => (s.value = [1_234_567, 98_765, 43_210][i]));
        await r.fulfill({ response: res, json: body });
      },
    );
    await page.goto('/dashboard');
    const canvas = page.locator('.ant-card').filter({ hasText: '党组织覆盖漏斗' }).locator('canvas');
    await expect.poll(() => canvas.count(), { timeout: 20_000 }).toBe(1);
    await settled(page);
    // The funnel stands left and its labels right of it: a dark (text) pixel in the canvas's last columns is a cut label.
    const atEdge = await canvas.evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(c.width - 4, 0, 4, c.height).data;
      let dark = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 128 && Math.max(d[i], d[i + 1], d[i + 2]) < 160) dark++;
      return dark;
    });
    await page.screenshot({ path: `${SHOTS}/dashboard-funnel-phone.png`, fullPage: true });
    expect(atEdge, 'text pixels at the funnel chart’s right edge').toBe(0);
    await ctx.close();
  });
});
