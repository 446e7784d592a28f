import { describe, expect, it } from 'vitest';
import type { Locator } from 'playwright-core';
import { PDF } from '../helpers/attachments.js';
import {
  SHOTS,
  browserAvailable,
  browserSuite,
  pickOption,
  signInFirstTime,
  signIn,
  noSidewaysScroll,
} from './browser.js';

/** Fails when the page scrolls sideways (a phone must never). */
describe.skipIf(!browserAvailable)('notices and tasks in Chromium, desktop and phone', () => {
  const env = browserSuite();

  it('county issues a task; the station, at phone size and at desktop size: workbench → the task → reply with an attachment; the county sees it on the board', async () => {
    const { t, url, creds } = env.server;
    const staff = await t.db
      .selectFrom('app_user')
      .select(['jurisdiction_code'])
      .where('username', '=', 'station_staff')
      .executeTakeFirstOrThrow();
    const station = await t.db
      .selectFrom('jurisdiction')
      .select(['code', 'name'])
      .where('code', '=', staff.jurisdiction_code)
      .executeTakeFirstOrThrow();

    // The county editor issues a task through the page (desktop).
    const county = await env.browser.newPage({ viewport: { width: 1366, height: 800 } });
    await signInFirstTime(county, url, creds.get('county_editor')!, 'Xuanwu-2026!');
    await county.getByRole('menuitem', { name: '通知与任务' }).click();
    await county.getByTestId('issue-open').click();
    const drawer = county.locator('.ant-drawer');
    await drawer.getByLabel('标题').fill('走访辖区快递站点');
    await drawer.getByLabel('任务要求').fill('请于月底前走访本所辖区的快递站点，了解骑手党员情况。');
    const due = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    await drawer.getByLabel('截止日期').fill(due);
    await drawer.getByLabel('截止日期').press('Enter');
    await pickOption(drawer.getByTestId('issue-targets'), station.name);
    await county.keyboard.press('Escape');
    await drawer.getByTestId('issue-submit').click();
    await expect.poll(() => county.getByTestId('board').count(), { timeout: 20_000 }).toBe(1);
    await noSidewaysScroll(county, 'county board');
    const first = await t.db
      .selectFrom('deployment')
      .select('id')
      .where('title', '=', '走访辖区快递站点')
      .executeTakeFirstOrThrow();
    // A second task for the desktop round, issued through the API by the same county.
    const api = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '320102' }));
    const second = (
      await api.post('/deployments', {
        kind: 'task',
        title: '报送骑手驿站服务情况',
        body: '请简要报送。',
        dueAt: due,
        targets: [station.code],
      })
    ).json().id as number;

    let password = 'Station-2026!';
    for (const [size, viewport, taskId, title] of [
      ['phone', { width: 390, height: 844 }, first.id, '走访辖区快递站点'],
      ['desktop', { width: 1366, height: 800 }, second, '报送骑手驿站服务情况'],
    ] as const) {
      const ctx = await env.browser.newContext({ viewport, isMobile: size === 'phone' });
      const page = await ctx.newPage();
      if (size === 'phone') await signInFirstTime(page, url, creds.get('station_staff')!, password);
      else await signIn(page, url, 'station_staff', password);
      // The workbench lists the task; one click opens it.
      const item = page.getByTestId('todo-item').filter({ hasText: title });
      await expect.poll(() => item.count(), { timeout: 20_000 }).toBe(1);
      await noSidewaysScroll(page, `${size} workbench`);
      await page.screenshot({ path: `${SHOTS}/workbench-${size}.png`, fullPage: true });
      await item.click();
      await expect.poll(() => page.getByTestId('receive').count()).toBe(1);
      await noSidewaysScroll(page, `${size} task`);
      await page.getByTestId('receive').click();
      await expect.poll(() => page.getByTestId('receive').count()).toBe(0);
      // Attach a file, then reply.
      await page
        .locator('input[type=file]')
        .setInputFiles({ name: '走访记录.pdf', mimeType: 'application/pdf', buffer: PDF });
      await expect.poll(() => page.getByRole('link', { name: '走访记录.pdf' }).count(), { timeout: 20_000 }).toBe(1);
      await page.getByTestId('reply-text').fill('已走访 4 个站点，发现党员骑手 2 名。');
      await page.getByTestId('reply-submit').click();
      await expect.poll(() => page.getByText('已办结').count(), { timeout: 20_000 }).toBeGreaterThan(0);
      await noSidewaysScroll(page, `${size} replied`);
      await page.screenshot({ path: `${SHOTS}/task-replied-${size}.png`, fullPage: true });
      const row = await t.db
        .selectFrom('deployment_target')
        .select(['state', 'reply_text'])
        .where('deployment_id', '=', taskId)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ state: 'replied', reply_text: '已走访 4 个站点，发现党员骑手 2 名。' });
      // The list of what the station received, as cards: the task shows as done; nothing scrolls sideways.
      await page.goto(`${url}/work`);
      await expect
        .poll(() => page.getByTestId('work-card').filter({ hasText: title }).filter({ hasText: '已办结' }).count(), {
          timeout: 20_000,
        })
        .toBe(1);
      await noSidewaysScroll(page, `${size} received list`);
      // The item has left the workbench.
      await page.goto(url);
      await expect.poll(() => page.getByTestId('todo').count(), { timeout: 20_000 }).toBe(1);
      expect(await page.getByTestId('todo-item').filter({ hasText: title }).count()).toBe(0);
      await ctx.close();
      password = 'Station-2026!';
    }

    // The county's board shows the reply and its file.
    await county.goto(`${url}/work/${first.id}`);
    await expect
      .poll(() => county.getByTestId('board').getByText('已办结').count(), { timeout: 20_000 })
      .toBeGreaterThan(0);
    await county.getByTestId('board').getByText(station.name).click();
    await expect.poll(() => county.getByRole('link', { name: '走访记录.pdf' }).count()).toBe(1);
    await county.screenshot({ path: `${SHOTS}/task-board.png`, fullPage: true });
  });

  it('the county withdraws (撤销) its 走访 plan, assistance program and campaign at phone size: a reason is asked for, and 已撤销 with the reason shows on the lists and details', async () => {
    const { t, url } = env.server;
    const u = await t.user({ roles: ['editor'], jurisdiction: '320102' });
    const api = await t.signIn(u);
    const [entity, gone] = await t.db
      .selectFrom('entity')
      .select(['id', 'name'])
      .where('scope_key', 'like', '320102%')
      .where('status', '=', 'active')
      .orderBy('id')
      .limit(2)
      .execute();
    const line = await t.db
      .selectFrom('dictionary')
      .select('code')
      .where('kind', '=', 'business_line')
      .orderBy('sort_order')
      .executeTakeFirstOrThrow();
    const from = new Date().toISOString().slice(0, 10);
    const to = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    // Named per attempt: a retry must not meet the failed attempt's names (a 409) or its cards.
    const tag = Date.now().toString(36).slice(-5);
    const ok = (r: { statusCode: number; body: string }) => {
      expect(r.statusCode, r.body).toBe(201);
      return (JSON.parse(r.body) as { id: number }).id;
    };
    const plan = ok(
      await api.post('/visit-plans', {
        title: `撤销测试走访计划${tag}`,
        visitorName: '张三',
        startsOn: from,
        endsOn: to,
        entityIds: [entity.id, gone.id],
      }),
    );
    // One of its entities is 注销 before anyone went: the plan lists it as needing no visit, out of its count.
    expect((await api.patch(`/entities/${gone.id}`, { status: 'deregistered' })).statusCode).toBe(200);
    const program = ok(
      await api.post('/assistance/programs', {
        name: `撤销测试帮扶项目${tag}`,
        businessLine: line.code,
        startsOn: from,
        endsOn: to,
      }),
    );
    const campaign = ok(
      await api.post('/campaigns', { name: `撤销测试学习教育${tag}`, theme: 'other', startsOn: from, endsOn: to }),
    );

    const ctx = await env.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const page = await ctx.newPage();
    await signIn(page, url, u.username, u.password);
    const dialog = page.locator('.ant-modal').filter({ hasText: '撤销原因' });
    /** Opens the dialog with 撤销, tries it without a reason (refused beside the field), then gives one. */
    const withdraw = async (where: Locator, reason: string) => {
      await where.getByRole('button', { name: /^撤\s*销$/ }).click();
      await dialog.waitFor();
      await noSidewaysScroll(page, 'withdraw dialog');
      await dialog.getByRole('button', { name: /确认撤销/ }).click();
      await expect.poll(() => dialog.getByText('请写明撤销原因').count()).toBe(1);
      await dialog.getByLabel('撤销原因').fill(reason);
      await dialog.getByRole('button', { name: /确认撤销/ }).click();
      await dialog.waitFor({ state: 'detached' });
    };

    // 走访 plan: on the 走访 tab's plan list.
    await page.goto(`${url}/appeals`);
    await page.getByRole('tab', { name: '走访' }).click();
    // At phone size the plan list is cards (status and actions in sight), not a table.
    const planRow = page.getByTestId('list-card').filter({ hasText: `撤销测试走访计划${tag}` });
    await withdraw(planRow, '上级调整部署');
    await expect.poll(() => planRow.getByText('已撤销').count(), { timeout: 20_000 }).toBe(1);
    expect(await planRow.getByText('原因：上级调整部署').count()).toBe(1);
    expect(await planRow.getByText('已走访 0 / 计划 1').count()).toBe(1);
    expect(await planRow.getByText(`${gone.name}（已注销，无需走访）`).count()).toBe(1);
    await noSidewaysScroll(page, 'visit plans');
    expect((await api.patch(`/entities/${gone.id}`, { status: 'active' })).statusCode).toBe(200);
    expect(
      await t.db.selectFrom('visit_plan').select('cancel_reason').where('id', '=', plan).executeTakeFirstOrThrow(),
    ).toEqual({ cancel_reason: '上级调整部署' });

    // Assistance program: in its drawer, then flagged on the list.
    await page.goto(`${url}/assistance`);
    // At phone size the programmes are cards too.
    const programCard = page.getByTestId('list-card').filter({ hasText: `撤销测试帮扶项目${tag}` });
    await programCard.first().click();
    const drawer = page.locator('.ant-drawer');
    await withdraw(drawer, '项目合并');
    await expect.poll(() => drawer.getByText('原因：项目合并').count(), { timeout: 20_000 }).toBe(1);
    await noSidewaysScroll(page, 'assistance drawer');
    await page.keyboard.press('Escape');
    await expect.poll(() => programCard.getByText('已撤销').count(), { timeout: 20_000 }).toBe(1);
    expect(
      await t.db
        .selectFrom('assistance_program')
        .select('cancel_reason')
        .where('id', '=', program)
        .executeTakeFirstOrThrow(),
    ).toEqual({ cancel_reason: '项目合并' });

    // Campaign: in its drawer, then flagged on the list.
    await page.goto(`${url}/education`);
    await page.getByRole('tab', { name: '学习教育' }).click();
    await page
      .locator('tr', { hasText: `撤销测试学习教育${tag}` })
      .first()
      .click();
    await withdraw(drawer, '与年度主题重复');
    await expect.poll(() => drawer.getByText('原因：与年度主题重复').count(), { timeout: 20_000 }).toBe(1);
    await page.screenshot({ path: `${SHOTS}/campaign-withdrawn-phone.png`, fullPage: true });
    await page.keyboard.press('Escape');
    await expect
      .poll(
        () =>
          page
            .locator('tr', { hasText: `撤销测试学习教育${tag}` })
            .getByText('已撤销')
            .count(),
        { timeout: 20_000 },
      )
      .toBe(1);
    await noSidewaysScroll(page, 'campaigns');
    expect(
      await t.db.selectFrom('campaign').select('cancel_reason').where('id', '=', campaign).executeTakeFirstOrThrow(),
    ).toEqual({ cancel_reason: '与年度主题重复' });
    // The tasks sent down with them are withdrawn too (the API's rule, seen from here).
    const sent = await t.db
      .selectFrom('deployment')
      .select(['source_type', 'closed_reason'])
      .where('issuer_code', '=', '320102')
      .where((e) =>
        e.or([
          e.and([e('source_type', '=', 'visit_plan'), e('source_key', '=', String(plan))]),
          e.and([e('source_type', '=', 'assistance_program'), e('source_key', '=', String(program))]),
          e.and([e('source_type', '=', 'campaign'), e('source_key', '=', String(campaign))]),
        ]),
      )
      .orderBy('source_type')
      .execute();
    expect(sent).toEqual([
      { source_type: 'assistance_program', closed_reason: '帮扶项目已取消：项目合并' },
      { source_type: 'campaign', closed_reason: '学习教育活动已取消：与年度主题重复' },
      { source_type: 'visit_plan', closed_reason: '走访计划已取消：上级调整部署' },
    ]);
    await ctx.close();
  });

  it('the issuer corrects a notice it sent (修改, with a word to the nodes) and withdraws it (撤回, with a reason), at phone size', async () => {
    const { t, url } = env.server;
    const u = await t.user({ roles: ['editor'], jurisdiction: '320102' });
    const api = await t.signIn(u);
    const station = await t.db
      .selectFrom('jurisdiction')
      .select('code')
      .where('parent_code', '=', '320102')
      .where('level', '=', 'station')
      .orderBy('code')
      .executeTakeFirstOrThrow();
    const sent = await api.post('/deployments', {
      kind: 'notice',
      title: '关于开展快递网点排查的通知',
      body: '请各所于本周内排查。',
      targets: [station.code],
    });
    expect(sent.statusCode, sent.body).toBe(201);
    const id = (JSON.parse(sent.body) as { id: number }).id;

    const ctx = await env.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const page = await ctx.newPage();
    await signIn(page, url, u.username, u.password);
    await page.goto(`${url}/work/${id}`);
    await page.getByTestId('revise').click();
    const revising = page.locator('.ant-modal').filter({ hasText: '修改说明' });
    await revising.getByLabel('正文').fill('请各所于下周五前排查完毕。');
    // Saved only with a word to the nodes on what changed.
    await revising.getByRole('button', { name: '保存并通知' }).click();
    await expect.poll(() => revising.getByText('请说明修改的内容或原因').count()).toBe(1);
    await revising.getByLabel('修改说明').fill('排查时间放宽到下周五');
    await noSidewaysScroll(page, 'revise notice');
    await page.screenshot({ path: `${SHOTS}/notice-revise-phone.png`, fullPage: true });
    await revising.getByRole('button', { name: '保存并通知' }).click();
    await expect.poll(() => page.getByText('请各所于下周五前排查完毕。').count(), { timeout: 20_000 }).toBe(1);

    await page.getByTestId('withdraw').click();
    const withdrawing = page.locator('.ant-modal').filter({ hasText: '撤回原因' });
    await withdrawing.getByLabel('撤回原因').fill('并入全市专项行动');
    await withdrawing
      .getByRole('button', { name: /撤\s*回/ })
      .last()
      .click();
    await expect
      .poll(() => page.getByText(/已撤销.*下发单位撤回：并入全市专项行动/).count(), { timeout: 20_000 })
      .toBe(1);
    // Nothing left to change: the buttons are gone.
    expect(await page.getByTestId('revise').count()).toBe(0);
    await noSidewaysScroll(page, 'withdrawn notice');
    await page.screenshot({ path: `${SHOTS}/notice-withdrawn-phone.png`, fullPage: true });
    const events = await t.db
      .selectFrom('deployment_event as e')
      .innerJoin('deployment_target as x', 'x.id', 'e.target_id')
      .select(['e.action', 'e.note'])
      .where('x.deployment_id', '=', id)
      .orderBy('e.id')
      .execute();
    expect(events).toEqual([
      { action: 'update', note: '修改了正文。说明：排查时间放宽到下周五' },
      { action: 'close', note: '下发单位撤回：并入全市专项行动' },
    ]);
    await ctx.close();
  });
});
