import { describe, expect, it } from 'vitest';
import { ledger } from '../helpers/ledger.js';
import {
  SHOTS,
  browserAvailable,
  browserSuite,
  closeDrawer,
  modalOpened,
  noSidewaysScroll,
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

  it("the instructor's day on a phone: signs in, sees the entity assigned, records a visit with a photo there, finds it listed with the photo; no 待办 it cannot do", async () => {
    const { t, url } = env.server;
    await demoImported(t);
    // The demo's instructor login is bound to its record; the station assigns it an entity (as 指派 would).
    const me = await t.db
      .selectFrom('app_user as u')
      .innerJoin('instructor as i', 'i.id', 'u.bound_instructor_id')
      .select(['i.id', 'i.station_code'])
      .where('u.username', '=', 'instructor')
      .executeTakeFirstOrThrow();
    const entityId = await ledger(t.db).entity({ place: me.station_code!, name: '走访测试小吃店' });
    await t.db
      .insertInto('instructor_assignment')
      .values({
        instructor_id: me.id,
        target: 'entity',
        entity_id: entityId,
        start_on: '2026-01-01',
        scope_key: me.station_code!,
      })
      .execute();

    const ctx = await env.browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      baseURL: url,
    });
    const page = await ctx.newPage();
    const crashes: string[] = [];
    page.on('pageerror', (e) => crashes.push(e.message));
    // Narrowed to its own work, its pages call nothing it would be refused.
    const refused: string[] = [];
    page.on('response', (r) => {
      if (r.url().includes('/api/') && r.status() === 403) refused.push(`${r.request().method()} ${r.url()}`);
    });
    await signInFirstTime(page, url, env.server.creds.get('instructor')!, 'Field-Day-2026!');

    // The 工作台 opens on its own round: the entity with 记走访 beside it.
    const mine = page.locator('.ant-card').filter({ hasText: '我的指导工作' });
    await expect.poll(() => mine.getByRole('link', { name: '走访测试小吃店' }).count(), { timeout: 15_000 }).toBe(1);
    // Nothing the station's clerks must do (reports, tasks to reply to, cases): an instructor cannot do them.
    await expect.poll(() => page.getByText('今日待办').count()).toBeGreaterThan(0);
    expect(await page.getByText(/上报小个专|签收并回复|新的核实线索/).count()).toBe(0);
    await noSidewaysScroll(page, '指导员工作台');
    await page.screenshot({ path: `${SHOTS}/instructor-phone-home.png`, fullPage: true });
    // Its menu: its 工作台 and its guidance records, nothing of the county's.
    await page.getByRole('button', { name: '菜单' }).click();
    await expect.poll(() => page.getByRole('menuitem').allTextContents()).toEqual(['工作台', '党建指导员']);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('menuitem').count()).toBe(0);

    await mine
      .locator('.ant-list-item')
      .filter({ hasText: '走访测试小吃店' })
      .getByText('记走访', { exact: true })
      .click();
    const form = page.getByRole('dialog');
    await modalOpened(form);
    expect(await form.getByText('走访测试小吃店').count()).toBe(1);
    await form.getByLabel('做了什么').fill('上门走访，了解店主入党意愿');
    await form.locator('input[type=file]').setInputFiles({
      name: '门店照片.png',
      mimeType: 'image/png',
      buffer: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]),
    });
    await expect.poll(() => form.getByText('门店照片.png').count()).toBe(1);
    await page.screenshot({ path: `${SHOTS}/instructor-phone-visit.png` });
    await form.getByRole('button', { name: /保\s*存/ }).click();
    await expect.poll(() => page.getByText('已登记，附照片 1 张').count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => mine.getByText('上门走访，了解店主入党意愿').count()).toBe(1);
    expect(await mine.getByText('照片 1 张').count()).toBe(1);

    // Its guidance log (the page opens on its own records) lists the visit as a card, the photo a link.
    await page.goto('/instructors');
    const card = page.getByTestId('list-card').filter({ hasText: '上门走访，了解店主入党意愿' });
    await expect.poll(() => card.count(), { timeout: 15_000 }).toBe(1);
    expect(await card.getByText('走访测试小吃店').count()).toBe(1);
    const photo = card.getByRole('link', { name: '照片1' });
    expect(await photo.getAttribute('title')).toBe('门店照片.png');
    await noSidewaysScroll(page, '指导记录');
    await page.screenshot({ path: `${SHOTS}/instructor-phone-log.png`, fullPage: true });
    // The entity's page shows the visit too, with 记走访 for the next one.
    await page.goto(`/entities/${entityId}`);
    const onEntity = page.getByTestId('entity-guidance');
    await expect.poll(() => onEntity.getByText('上门走访，了解店主入党意愿').count(), { timeout: 15_000 }).toBe(1);
    expect(await onEntity.getByText('照片 1 张').count()).toBe(1);
    expect(await onEntity.getByRole('button', { name: /记走访/ }).count()).toBe(1);
    expect(crashes).toEqual([]);
    expect(refused).toEqual([]);
    await ctx.close();
  });
});
