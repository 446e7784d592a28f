import { describe, expect, it } from 'vitest';
import { SHOTS, browserAvailable, browserSuite, confirmModal, pickOption, signInFirstTime } from './browser.js';

const STATION = '320102001';
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

describe.skipIf(!browserAvailable)('诉求直通 on a phone in Chromium', () => {
  const env = browserSuite();

  it('a rider submits → a station clerk accepts and resolves → the tracking page shows resolved → the rider rates it', async () => {
    const { t, url } = env.server;
    // A riders' service post at the clerk's station, so the rider can choose it on the page.
    await t.db
      .insertInto('service_post')
      .values({
        name: '玄武骑手驿站',
        jurisdiction_code: STATION,
        county_code: '320102',
        scope_key: STATION,
        address: '中山路 100 号',
        opening_hours: '07:00-23:00',
        offers: ['charging', 'water'],
      })
      .execute();
    const crashes: string[] = [];

    // The rider, on a phone, never signed in.
    const riderCtx = await env.browser.newContext({ ...PHONE, baseURL: url });
    const rider = await riderCtx.newPage();
    rider.on('pageerror', (err) => crashes.push(err.message));
    await rider.goto('/appeal');
    await rider.getByText('停车难', { exact: true }).click();
    await rider.getByLabel('具体情况').fill('小区物业不让电动车进门，送餐要走很远');
    await rider.getByLabel('在哪里（县、区）').click();
    for (const name of ['江苏省', '南京市', '玄武区'])
      await rider.locator('.ant-cascader-menu-item', { hasText: name }).first().click();
    await pickOption(rider.getByLabel('附近的骑手驿站（选填）'), '玄武骑手驿站');
    await rider.getByRole('button', { name: '提交诉求' }).click();
    const codeEl = rider.getByTestId('tracking-code');
    await expect.poll(() => codeEl.count()).toBe(1);
    const code = (await codeEl.getAttribute('data-code'))!;
    expect((await codeEl.textContent())!.replaceAll(' ', '')).toBe(code); // shown in groups of four
    expect(code).toMatch(/^[0-9A-Z]{26}$/);
    await rider.screenshot({ path: `${SHOTS}/appeal-submitted.png`, fullPage: true });

    // The station clerk, on a phone too: the case is in the work list; accept, then resolve with a reply.
    const staffCtx = await env.browser.newContext({ ...PHONE, baseURL: url });
    const staff = await staffCtx.newPage();
    staff.on('pageerror', (err) => crashes.push(err.message));
    await signInFirstTime(staff, url, env.server.creds.get('station_staff')!, 'Station-2026!');
    await staff.goto('/appeals');
    // On a phone the work list is cards, each with its status and deadline.
    const row = staff.getByTestId('list-card').filter({ hasText: '小区物业不让电动车进门' });
    await expect.poll(() => row.count()).toBe(1);
    await row.click();
    const drawer = staff.locator('.ant-drawer');
    await drawer.getByRole('button', { name: /签\s*收/ }).click();
    await expect.poll(() => drawer.locator('[data-state]').first().getAttribute('data-state')).toBe('accepted');
    await drawer.getByRole('button', { name: '办结答复' }).click();
    const dialog = staff.locator('.ant-modal').filter({ hasText: '给提出人的答复' });
    const reply = dialog.getByLabel('给提出人的答复（公开给提出人）');
    await reply.fill('已与物业协商，骑手凭工牌可骑车进入小区');
    await expect.poll(() => reply.inputValue()).toBe('已与物业协商，骑手凭工牌可骑车进入小区');
    // The modal closes once the server took the reply; then the drawer shows the new state.
    await confirmModal(dialog);
    await expect.poll(() => drawer.locator('[data-state]').first().getAttribute('data-state')).toBe('resolved');
    await staff.screenshot({ path: `${SHOTS}/appeal-drawer.png`, fullPage: true });

    // The rider's tracking page: resolved, with the reply; then the rider rates it.
    await rider.goto(`/appeal/track/${code}`);
    await expect.poll(() => rider.locator('[data-state]').getAttribute('data-state')).toBe('resolved');
    expect(await rider.getByText('已与物业协商，骑手凭工牌可骑车进入小区').count()).toBe(1);
    await rider.locator('.ant-rate-star').nth(4).click();
    await rider.getByLabel('意见（选填）').fill('解决得很快');
    await rider.getByRole('button', { name: '提交评价' }).click();
    await expect.poll(() => rider.locator('[data-state]').getAttribute('data-state')).toBe('closed');
    expect(await rider.getByText('很满意').count()).toBeGreaterThan(0);
    await rider.screenshot({ path: `${SHOTS}/appeal-track.png`, fullPage: true });

    const stored = await t.db
      .selectFrom('appeal_case')
      .select(['state', 'satisfaction', 'unit_code'])
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ state: 'closed', satisfaction: 5, unit_code: STATION });
    // The station's figures: the case closed with five stars, and its category charted.
    await staff.goto('/appeals?tab=figures');
    await staff.getByText('按类别').waitFor();
    await staff.locator('canvas').first().waitFor();
    expect(await staff.getByText('5（1 人评价）').count()).toBe(1);
    await staff.screenshot({ path: `${SHOTS}/appeal-figures.png`, fullPage: true });
    expect(crashes).toEqual([]);
    await riderCtx.close();
    await staffCtx.close();
  });
});
