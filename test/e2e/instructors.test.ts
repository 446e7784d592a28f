import { describe, expect, it } from 'vitest';
import { ledger } from '../helpers/ledger.js';
import {
  SHOTS,
  browserAvailable,
  browserSuite,
  closeDrawer,
  modalOpened,
  pickOption,
  signInFirstTime,
  demoImported,
} from './browser.js';

const STATION = '320102001';

describe.skipIf(!browserAvailable)('instructors in Chromium', () => {
  const env = browserSuite();

  it("register an instructor → assign to an entity → the station's work coverage rises by one → the station page lists the instructor", async () => {
    const { t, url } = env.server;
    await demoImported(t);
    await ledger(t.db).entity({ place: STATION, name: '指导测试便利店' });

    const ctx = await env.browser.newContext({ viewport: { width: 1366, height: 860 }, baseURL: url });
    const page = await ctx.newPage();
    const crashes: string[] = [];
    page.on('pageerror', (e) => crashes.push(e.message));
    await signInFirstTime(page, url, env.server.creds.get('station_staff')!, 'Station-2026!');
    const work = async () =>
      ((await (await page.request.get('/api/v1/coverage')).json()) as { total: { work: number } }).total.work;
    const before = await work();

    await page.getByRole('menuitem', { name: '党建指导员' }).click();
    await expect.poll(() => page.getByText('名册中还没有指导员').count(), { timeout: 15_000 }).toBe(1);
    await page.getByRole('button', { name: /登记指导员/ }).click();
    const form = page.getByRole('dialog');
    // Required fields are named in Chinese beside them; the station is preset for its own staff.
    await modalOpened(form);
    await form.getByRole('button', { name: /保\s*存/ }).click();
    await expect.poll(() => form.getByText('请选择指导员来源').count()).toBe(1);
    await form.getByLabel('姓名').fill('陈指导');
    await form.getByLabel('手机号（加密保存）').fill('13700001111');
    await pickOption(form.getByLabel('来源'), '退休干部');
    await form.getByRole('button', { name: /保\s*存/ }).click();

    const drawer = page.locator('.ant-drawer');
    await expect.poll(() => drawer.locator('.ant-drawer-title').textContent(), { timeout: 10_000 }).toContain('陈指导');
    expect(await drawer.getByText('137****1111').count()).toBe(1);
    await drawer.getByRole('button', { name: /指\s*派/ }).click();
    const assign = page.locator('.ant-modal').filter({ hasText: '指派对象类型' });
    await pickOption(assign.getByLabel('市场主体'), '指导测试便利店', { search: '指导测试' });
    await assign.getByRole('button', { name: /指\s*派/ }).click();
    await expect.poll(() => page.getByText(/已指派，覆盖 1 户市场主体/).count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => drawer.getByRole('link', { name: '指导测试便利店' }).count()).toBe(1);
    await page.screenshot({ path: `${SHOTS}/instructor-drawer.png` });
    expect(await work()).toBe(before + 1);

    await closeDrawer(drawer);
    await page.goto(`${url}/guidance-posts/${STATION}`);
    await expect.poll(() => page.getByRole('link', { name: '陈指导' }).count(), { timeout: 15_000 }).toBe(1);
    await page.screenshot({ path: `${SHOTS}/guidance-post.png`, fullPage: true });
    expect(crashes).toEqual([]);
    await ctx.close();
  });
});
