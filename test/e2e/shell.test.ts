import { describe, expect, it } from 'vitest';
import { totpNow } from '../../src/features/auth/totp.js';
import { SHOTS, browserAvailable, browserSuite, signInFirstTime } from './browser.js';

describe.skipIf(!browserAvailable)('web shell in Chromium', () => {
  const env = browserSuite();

  it('a first visit shows the sign-in form and no reproach above it', async () => {
    const page = await env.browser.newPage({ viewport: { width: 1366, height: 800 } });
    await page.goto(env.server.url);
    await page.getByPlaceholder('账号').waitFor();
    // The first /auth/me answers 401 "请先登录": not news to someone who has not signed in yet.
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.close();
  });

  it('county editor: login → forced password change → create a station → sees it; another county cannot', async () => {
    const page = await env.browser.newPage({ viewport: { width: 1366, height: 800 } });
    await signInFirstTime(page, env.server.url, env.server.creds.get('county_editor')!, 'Xuanwu-2026!');
    await page.getByRole('menuitem', { name: '辖区与基层所' }).click();
    await page.getByRole('button', { name: /新建基层所/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(/所代码/).fill('099');
    await dialog.getByLabel('名称').fill('紫金山市场监管所');
    await dialog.getByLabel('地址').fill('玄武区中山门外');
    await dialog.getByRole('button', { name: /保\s*存/ }).click();
    await expect.poll(() => page.getByRole('cell', { name: '紫金山市场监管所' }).count()).toBe(1);
    await page.screenshot({ path: `${SHOTS}/stations-created.png` });
    const row = await env.server.t.db
      .selectFrom('jurisdiction')
      .selectAll()
      .where('code', '=', '320102099')
      .executeTakeFirst();
    expect(row?.name).toBe('紫金山市场监管所');

    const other = await env.browser.newContext({ viewport: { width: 1366, height: 800 } });
    const page2 = await other.newPage();
    await signInFirstTime(page2, env.server.url, env.server.creds.get('county2_editor')!, 'Qinhuai-2026!');
    await page2.getByRole('menuitem', { name: '辖区与基层所' }).click();
    await page2.getByPlaceholder('按所名查找').fill('紫金山');
    await page2.getByPlaceholder('按所名查找').press('Enter');
    await expect.poll(() => page2.getByText('没有名称含"紫金山"的基层所').count()).toBe(1);
    expect(await page2.getByText('紫金山市场监管所').count()).toBe(0);
    await page2.screenshot({ path: `${SHOTS}/other-county.png` });
    await other.close();
  });

  it('administrator: printed password → forced change → TOTP enrolment → the admin shell', async () => {
    const page = await env.browser.newPage({ viewport: { width: 1366, height: 800 } });
    await signInFirstTime(page, env.server.url, env.server.creds.get('admin')!, 'Guard-Pass-2026');
    await page.getByRole('button', { name: '生成绑定二维码' }).click();
    const secret = (await page.getByTestId('totp-secret').locator('code').innerText()).trim();
    await page.getByLabel(/6 位动态口令/).fill(totpNow(secret));
    await page.getByRole('button', { name: /确\s*认/ }).click();
    await expect.poll(() => page.getByRole('menuitem', { name: '账号管理' }).count()).toBe(1);
    expect(await page.getByRole('menuitem', { name: '审计日志' }).count()).toBe(0);
    await page.getByRole('menuitem', { name: '账号管理' }).click();
    await expect.poll(() => page.getByRole('cell', { name: 'county_editor' }).count()).toBe(1);
    await page.screenshot({ path: `${SHOTS}/accounts.png` });
  });

  it("auditor: a record's detail reads in words, not as JSON keys (round 7)", async () => {
    const page = await env.browser.newPage({ viewport: { width: 1440, height: 900 } });
    await signInFirstTime(page, env.server.url, env.server.creds.get('auditor')!, 'Audit-Pass-2026');
    await page.getByRole('button', { name: '生成绑定二维码' }).click();
    const secret = (await page.getByTestId('totp-secret').locator('code').innerText()).trim();
    await page.getByLabel(/6 位动态口令/).fill(totpNow(secret));
    await page.getByRole('button', { name: /确\s*认/ }).click();
    await page.getByRole('menuitem', { name: '审计日志' }).click();
    // The county editor's new station (the test above): its row opens to the station as written.
    const row = page.locator('.ant-table-row', { hasText: '新建基层所' }).first();
    await row.locator('.ant-table-row-expand-icon').click();
    const detail = page.getByTestId('audit-detail').first();
    await detail.waitFor();
    const text = await detail.innerText();
    expect(text).toContain('修改后 · 名称');
    expect(text).toContain('紫金山市场监管所');
    expect(text).not.toMatch(/[{}"]|after|name/);
    await page.screenshot({ path: `${SHOTS}/audit-detail.png` });
    await page.close();
  });

  it('phone-sized viewport: station staff sees the shell with a collapsible menu', async () => {
    const ctx = await env.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const page = await ctx.newPage();
    await signInFirstTime(page, env.server.url, env.server.creds.get('station_staff')!, 'Station-2026!');
    await expect.poll(() => page.getByRole('heading', { name: /工作台/ }).count()).toBe(1);
    await expect.poll(() => page.getByText('党建工作指导站').count()).toBeGreaterThan(0);
    // Its own guidance post, not a count of the stations (itself) and committees (a county's) above it.
    expect(await page.getByText('基层市场监管所', { exact: true }).count()).toBe(0);
    expect(await page.getByText('"小个专"党委', { exact: true }).count()).toBe(0);
    await page.screenshot({ path: `${SHOTS}/phone-home.png` });
    await ctx.close();
  });
});
