import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { FORMS, periodLabel, periodOfDate } from '../../src/domain/reports/forms.js';
import { addMonths, localDate } from '../../src/domain/time/zone.js';
import { INDICATORS } from '../../src/domain/indicators/registry.js';
import {
  browserAvailable,
  browserSuite,
  confirmModal,
  noSidewaysScroll,
  noSqueezedCells,
  pickOption,
  SHOTS,
  signIn,
  signInFirstTime,
  demoImported,
} from './browser.js';

type Row = { name: string; kind: string } & Record<string, number | null>;
type Report = {
  id: number;
  state: string;
  rows: Row[];
  versions: { missing: { code: string; reason: string }[]; explanation: string | null }[];
};

describe.skipIf(!browserAvailable)('statistical reports in Chromium', () => {
  const env = browserSuite();

  it("a county sees which stations have not reported, marks one 缺报, submits; the xlsx holds the API's figures, the city sees the mark and returns it, and the print sheet renders", async () => {
    const { t, url } = env.server;
    await demoImported(t);
    // Every station of 玄武区 but the first submits its report (through the API, as each station's editor).
    const countyCode = (
      await t.db
        .selectFrom('app_user')
        .select('jurisdiction_code')
        .where('username', '=', 'county_editor')
        .executeTakeFirstOrThrow()
    ).jurisdiction_code;
    const stations = await t.db
      .selectFrom('jurisdiction')
      .select(['code', 'name'])
      .where('parent_code', '=', countyCode)
      .orderBy('code')
      .execute();
    expect(stations.length).toBeGreaterThan(1);
    const period = periodOfDate('quarter', localDate());
    for (const s of stations.slice(1)) {
      const c = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: s.code }));
      const r = await c.post('/reports', { form: 'xgz_core', period });
      expect(r.statusCode, r.body).toBe(201);
      expect((await c.post(`/reports/${r.json().id}/submit`, {})).statusCode).toBe(201);
    }
    const missing = stations[0];
    const county = await env.browser.newContext({
      viewport: { width: 1440, height: 900 },
      baseURL: url,
      acceptDownloads: true,
    });
    const page = await county.newPage();
    const crashes: string[] = [];
    page.on('pageerror', (e) => crashes.push(e.message));
    await signInFirstTime(page, url, env.server.creds.get('county_editor')!, 'County-2026!');

    await page.getByRole('menuitem', { name: '统计报表' }).click();
    // The board names the station that has not reported.
    const board = page.getByTestId('report-board');
    await expect
      .poll(
        () =>
          board
            .getByRole('row', { name: new RegExp(missing.name) })
            .getByText('未上报')
            .count(),
        { timeout: 15_000 },
      )
      .toBe(1);
    // While the report is made the button says so, and a second press makes no second one (it said nothing, and a
    // county's or city's figures take a while). The preparation is held until the button has been pressed twice.
    let preparations = 0;
    let letGo = () => {};
    const preparing = new Promise<void>((r) => (letGo = r));
    const reports = (u: URL) => u.pathname === '/api/v1/reports';
    await page.route(reports, async (r) => {
      if (r.request().method() !== 'POST') return r.fallback();
      preparations++;
      await preparing;
      await r.fulfill({ response: await r.fetch() });
    });
    await page.getByRole('button', { name: '生成本级报表' }).click();
    await expect.poll(() => preparations).toBe(1);
    const working = page.getByRole('button', { name: /正在生成/ });
    await expect.poll(() => working.count()).toBe(1);
    await working.dispatchEvent('click');
    letGo();
    const card = page.getByTestId('report');
    await expect.poll(() => card.getByText('填报中').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await page.unroute(reports);
    expect(preparations).toBe(1);
    await expect.poll(() => page.getByRole('button', { name: '生成本级报表' }).isEnabled()).toBe(true);
    await expect
      .poll(() => card.getByTestId('report-waiting').textContent(), { timeout: 15_000 })
      .toContain(`下级尚未上报：${missing.name}`);
    const id = Number(
      new URL((await card.getByRole('link', { name: /导出 Excel/ }).getAttribute('href')) ?? '', url).pathname.split(
        '/',
      )[4],
    );
    await page.screenshot({ path: `${SHOTS}/report-draft.png`, fullPage: true });

    // Marked 缺报 with its reason; then submitted (the difference from the live figures explained).
    await card.getByRole('button', { name: '标记缺报' }).click();
    const marking = page.locator('.ant-modal');
    await pickOption(marking.getByLabel('缺报的下级'), missing.name);
    await marking.getByLabel('缺报原因').fill('所内人员调整，本季度数据未报');
    await confirmModal(marking, /保\s*存/);
    await expect
      .poll(() => card.getByTestId('report-missing').textContent(), { timeout: 15_000 })
      .toContain(`${missing.name}缺报（本级标记）：所内人员调整，本季度数据未报`);
    await card.getByRole('button', { name: '上报' }).click();
    const submitting = page.locator('.ant-modal');
    const explanation = submitting.getByLabel(/差异说明/);
    if (await explanation.count()) await explanation.fill(`${missing.name}缺报，其数字未计入`);
    await confirmModal(submitting, /上\s*报/);
    await expect.poll(() => card.getByText('已上报 1 版').count(), { timeout: 15_000 }).toBe(1);
    const api = (await (await page.request.get(`/api/v1/reports/${id}`)).json()) as Report;
    expect(api.state).toBe('submitted');
    expect(api.versions[0].missing).toEqual([
      expect.objectContaining({ code: missing.code, reason: '所内人员调整，本季度数据未报' }),
    ]);
    expect(api.rows.filter((r) => r.kind === 'child')).toHaveLength(stations.length - 1);

    // The version's xlsx, parsed back: every figure of every row is the API's.
    const download = page.waitForEvent('download');
    await card.getByRole('link', { name: 'Excel', exact: true }).click();
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(await (await download).path());
    const ws = wb.worksheets[0];
    expect(ws.getCell('A1').value).toBe(FORMS.xgz_core.title);
    expect(ws.getCell('A2').text).toContain('填报单位：玄武区');
    api.rows.forEach((r, i) => {
      expect(ws.getRow(6 + i).getCell(1).value).toBe(r.name);
      FORMS.xgz_core.columns.forEach((k, j) =>
        expect(ws.getRow(6 + i).getCell(j + 2).value ?? null, `${r.name} ${k}`).toEqual(r[k]),
      );
    });
    expect(ws.getRow(6 + api.rows.length + 1).getCell(1).text).toContain('第 1 版');

    // Another period picked: while its board is on the way, the page says so; this period's report is not shown
    // under the other period's title (it stayed on screen, its figures as if they were the other period's).
    const earlier = periodOfDate('quarter', `${addMonths(localDate().slice(0, 7), -3)}-01`);
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    const boardOf = (u: URL) => u.pathname === '/api/v1/reports' && u.searchParams.get('period') === earlier;
    await page.route(boardOf, async (r) => {
      await held;
      await r.fallback();
    });
    await pickOption(page.getByLabel('报告期'), periodLabel('quarter', earlier));
    await expect.poll(() => page.getByTestId('loading').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await page.getByTestId('report').count()).toBe(0);
    expect(await page.getByTestId('report-board').count()).toBe(0);
    release();
    await expect.poll(() => page.getByText('本级尚未生成该期报表').count(), { timeout: 15_000 }).toBe(1);
    expect(await page.getByTestId('report').count()).toBe(0);
    // No station reported that period: the board says so, not a 合计 of zeros read as 0 户 存续主体.
    const none = page.getByTestId('report-consolidated-none');
    await expect.poll(() => none.count()).toBe(1);
    expect(await none.textContent()).toContain('下级尚未上报本期报表');
    expect(await page.getByTestId('report-consolidated').count()).toBe(0);
    await page.unroute(boardOf);

    // The printable sheet: the official header, the rows, the preparer.
    await page.goto(`${url}/reports/${id}/print?version=1`);
    const sheet = page.getByTestId('report-sheet');
    await expect.poll(() => sheet.locator('tbody tr').count(), { timeout: 15_000 }).toBe(api.rows.length);
    expect(await sheet.locator('h1').textContent()).toBe(FORMS.xgz_core.title);
    expect(await sheet.locator('thead tr').first().locator('th').first().getAttribute('rowspan')).toBe('3');
    expect(await sheet.textContent()).toContain('第 1 版');
    await page.screenshot({ path: `${SHOTS}/report-print.png`, fullPage: true });
    expect(crashes).toEqual([]);
    await county.close();

    // On a phone: the board's title wraps (its due date whole, not behind an ellipsis), each station is a
    // card (no table scrolled sideways: its status and 缺报 reason in full), and a tap on it opens its report.
    const phone = await env.browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      baseURL: url,
    });
    const mobile = await phone.newPage();
    await signIn(mobile, url, 'county_editor', 'County-2026!');
    await mobile.goto(`${url}/reports`);
    const title = mobile.locator('.ant-card-head-title', { hasText: '下级上报情况' });
    await title.waitFor();
    expect(await title.evaluate((e) => e.scrollWidth - e.clientWidth)).toBeLessThanOrEqual(0);
    // The county's own report, its version with the 缺报 mark, and its differences from the live figures: each a
    // card on a phone (their tables scrolled sideways), the reasons in full.
    const versions = mobile.getByTestId('report-versions');
    await expect.poll(() => versions.getByText(/所内人员调整/).count(), { timeout: 15_000 }).toBe(1);
    expect(await versions.locator('.ant-table').count()).toBe(0);
    expect(await versions.getByTestId('list-card').first().textContent()).toContain('第 1 版');
    // The version's Excel refused by the export gate (the account's two exports still being made) says why on the
    // page, which stays: it was a plain link, and the refusal replaced the app with the server's raw answer.
    const versionExport = (u: URL) => u.pathname === `/api/v1/reports/${id}/export`;
    const busy = '您已有 2 个导出文件正在生成，每个账号同时最多导出 2 个，请等其完成后再导出';
    await mobile.route(versionExport, (r) =>
      r.fulfill({
        status: 429,
        contentType: 'application/problem+json',
        body: JSON.stringify({ type: 'about:blank', title: '导出过于频繁', status: 429, detail: busy }),
      }),
    );
    await versions.getByTestId('list-card').first().getByRole('link', { name: 'Excel', exact: true }).click();
    await mobile.locator('.ant-message-notice').getByText(busy).waitFor({ state: 'visible', timeout: 20_000 });
    expect(new URL(mobile.url()).pathname).toBe('/reports');
    expect(await mobile.getByTestId('report-versions').count()).toBe(1);
    await mobile.unroute(versionExport);
    const differences = mobile.getByTestId('report-differences');
    // Ten at a time, paged like the table (the cards of a county's 171 differences stood one under another).
    const diffCards = await differences.getByTestId('list-card').count();
    expect(diffCards).toBeGreaterThan(0);
    expect(diffCards).toBeLessThanOrEqual(10);
    expect(await differences.locator('.ant-table').count()).toBe(0);
    await noSidewaysScroll(mobile, 'the versions and differences of a report on a phone');
    // The report's figures at 390 px: no table scrolled sideways, one row at a time (合计 first), label and
    // value on one line; another row is picked above them.
    const figures = mobile.getByTestId('report-figures');
    expect(await figures.locator('.ant-table').count()).toBe(0);
    const operating = figures
      .getByTestId('report-figure')
      .filter({ hasText: new RegExp(`^${INDICATORS.operating.label}`) });
    const total = api.rows.find((r) => r.kind === 'total')!;
    expect(await operating.innerText()).toContain(`${(total.operating ?? 0).toLocaleString()} 户`);
    const children = api.rows.filter((r) => r.kind === 'child');
    const child = children.find((r) => r.operating !== total.operating) ?? children[0];
    await pickOption(figures.getByTestId('report-row-pick'), child.name);
    await expect.poll(() => operating.innerText()).toContain(`${(child.operating ?? 0).toLocaleString()} 户`);
    await noSqueezedCells(mobile, 'the figures of a report on a phone', '[data-testid="report-figures"]');
    await mobile.screenshot({ path: `${SHOTS}/report-figures-phone.png`, fullPage: true });
    const submitted = stations[1];
    const phoneBoard = mobile.getByTestId('report-board');
    expect(await phoneBoard.locator('.ant-table').count()).toBe(0);
    const stationCard = phoneBoard.getByTestId('list-card').filter({ hasText: submitted.name });
    expect(await stationCard.getByTestId('card-status').textContent()).toContain('已上报');
    await stationCard.tap();
    await expect
      .poll(() => mobile.getByTestId('report').textContent(), { timeout: 15_000 })
      .toContain(`${submitted.name} · ${FORMS.xgz_core.title}`);
    await noSidewaysScroll(mobile, 'the report board on a phone');
    await mobile.screenshot({ path: `${SHOTS}/report-board-phone.png`, fullPage: true });
    await phone.close();

    // The city sees it submitted, opens it and returns it with a reason.
    const cityCtx = await env.browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: url });
    const city = await cityCtx.newPage();
    city.on('pageerror', (e) => crashes.push(e.message));
    await signInFirstTime(city, url, env.server.creds.get('city_editor')!, 'City-2026!');
    await city.getByRole('menuitem', { name: '统计报表' }).click();
    const row = city.getByTestId('report-board').getByRole('row', { name: /玄武区/ });
    await expect.poll(() => row.getByText('已上报').count(), { timeout: 15_000 }).toBe(1);
    // The city sees the county's 缺报 mark and its reason.
    expect(await row.textContent()).toContain(`缺报：${missing.name}（`);
    expect(await row.textContent()).toContain('所内人员调整，本季度数据未报');
    await city.screenshot({ path: `${SHOTS}/report-board.png`, fullPage: true });
    expect(await row.textContent()).toContain('待审核');
    await row.getByRole('button', { name: '查看' }).click();
    // 审核通过 marks the version looked at; a later return (a slip found after) undoes the mark.
    await city.getByTestId('report').getByRole('button', { name: '审核通过' }).click();
    await expect
      .poll(
        () =>
          city
            .getByTestId('report')
            .getByText(/第 \d+ 版已审核通过/)
            .count(),
        { timeout: 15_000 },
      )
      .toBe(1);
    expect(await city.getByTestId('report').getByRole('button', { name: '审核通过' }).count()).toBe(0);
    await city.getByTestId('report').getByRole('button', { name: '退回修改' }).click();
    await city.getByLabel('退回理由').fill('新设主体数与登记系统不一致，请核实');
    await confirmModal(city.locator('.ant-modal'), /退\s*回/);
    await expect
      .poll(() => city.getByTestId('report').getByText('新设主体数与登记系统不一致，请核实').count(), {
        timeout: 15_000,
      })
      .toBeGreaterThan(0);
    expect(await (await city.request.get(`/api/v1/reports/${id}`)).json()).toMatchObject({
      state: 'returned',
      accepted: null,
    });

    // The yearly assessment: the city sets a target for 玄武区; the score follows the live figures; the export ranks it.
    await city.getByRole('menuitem', { name: '年度目标考核' }).click();
    await city
      .getByTestId('assessment')
      .getByRole('row', { name: /玄武区/ })
      .getByRole('button', { name: '设置考核项目' })
      .click();
    const modal = city.locator('.ant-modal');
    await modal.getByRole('button', { name: '增加考核项目' }).click();
    await pickOption(modal.locator('.ant-select').nth(1), '存续主体（户）', { search: '存续主体' });
    await modal.getByPlaceholder('目标值').fill('1000');
    await modal.getByPlaceholder('分值').fill('50');
    await confirmModal(modal);
    const scored = (await (await city.request.get(`/api/v1/assessments?year=${new Date().getFullYear()}`)).json()) as {
      children: { name: string; total: number; rank: number | null; items: { actual: number }[] }[];
    };
    const xuanwu = scored.children.find((c) => c.name === '玄武区')!;
    expect(xuanwu.rank).toBe(1);
    expect(xuanwu.total).toBe(Math.round(Math.min(xuanwu.items[0].actual / 1000, 1) * 50 * 100) / 100);
    await expect
      .poll(
        () =>
          city
            .getByTestId('assessment')
            .getByRole('row', { name: /玄武区/ })
            .getByText(`${xuanwu.total} / 50`)
            .count(),
        { timeout: 15_000 },
      )
      .toBe(1);
    await city.screenshot({ path: `${SHOTS}/assessment.png`, fullPage: true });
    expect(crashes).toEqual([]);
    await cityCtx.close();
  });
});
