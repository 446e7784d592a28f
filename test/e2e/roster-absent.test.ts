import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/domain/random.js';
import { idNumber } from '../../src/demo/ledger.js';
import { csvFile, importFile, tmpDir } from '../helpers/imports.js';
import { SHOTS, browserAvailable, browserSuite, confirmModal, signIn, signInFirstTime } from './browser.js';

describe.skipIf(!browserAvailable)('a member missing from a full roster in Chromium', () => {
  const env = browserSuite();

  // The clerk's desk and the clerk's phone: the same steps, the plan, the import's result and the case's 结论 in reach on both.
  it.each([
    { size: 'desktop', viewport: { width: 1366, height: 860 }, seed: 84, names: ['周浏览', '吴浏览'] },
    { size: 'phone', viewport: { width: 390, height: 844 }, seed: 85, names: ['郑手机', '王手机'] },
  ])(
    '$size: upload a roster marked as the full roster → the import says one member is missing and links to the case → record 去世 → the member is so recorded',
    async ({ size, viewport, seed, names }) => {
      const { t } = env.server;
      const rnd = seededRandom(seed);
      const county = await t.db
        .selectFrom('app_user')
        .select(['id', 'scope_key'])
        .where('username', '=', 'county_editor')
        .executeTakeFirstOrThrow();
      const dir = tmpDir();
      // The full roster's file is named per attempt: a retry must find its own import, not the failed attempt's too.
      const full = `完整名册-${size}-${Date.now().toString(36)}`;
      // A branch per run: the phone's full roster must not count the desktop run's members as missing.
      const branch = `浏览器测试党支部（${size}）`;
      const member = (name: string, birth: string) => ({
        姓名: name,
        公民身份号码: idNumber(rnd, '320102', new Date(birth)),
        人员类别: '正式党员',
        所在党支部: branch,
      });
      const [kept, gone] = [member(names[0], '1980-01-01'), member(names[1], '1960-02-02')];
      await importFile(t, 'roster', csvFile(dir, `第一次名册-${size}.csv`, [kept, gone]), {
        id: county.id,
        scopeKey: county.scope_key,
      });

      const page = await env.browser.newPage({ viewport, isMobile: size === 'phone', hasTouch: size === 'phone' });
      // The first of the runs changes the printed password; the next signs in with the new one.
      const fresh = await t.db
        .selectFrom('app_user')
        .select('must_change_password')
        .where('username', '=', 'county_editor')
        .executeTakeFirstOrThrow();
      if (fresh.must_change_password)
        await signInFirstTime(page, env.server.url, env.server.creds.get('county_editor')!, 'County-Pass-2026');
      else await signIn(page, env.server.url, 'county_editor', 'County-Pass-2026');
      await page.goto(`${env.server.url}/imports`);
      await page.locator('.ant-segmented').getByText('党员名册', { exact: true }).click();
      await page.locator('input[type=file]').setInputFiles(csvFile(dir, `${full}.csv`, [kept]));
      const plan = page.getByTestId('import-plan');
      await plan.getByTestId('import-full-roster').click();
      await page.screenshot({ path: `${SHOTS}/roster-full-plan-${size}.png` });
      await plan.getByRole('button', { name: /开始导入/ }).click();
      const row =
        size === 'phone'
          ? page.getByTestId('list-card').filter({ hasText: full })
          : page.getByRole('row', { name: new RegExp(full) });
      await expect.poll(() => row.getByText('已完成').count(), { timeout: 60_000 }).toBe(1);
      await expect
        .poll(() => row.getByText('完整名册：所涉党支部中有 1 名党员不在本文件中', { exact: false }).count())
        .toBe(1);
      await page.screenshot({ path: `${SHOTS}/roster-full-done-${size}.png` });

      await row.getByRole('link', { name: '查看核实线索' }).click();
      const card =
        size === 'phone'
          ? page.getByTestId('list-card').filter({ hasText: names[1] })
          : page.getByRole('row', { name: new RegExp(names[1]) });
      await expect.poll(() => card.getByText('名册中已不存在').count()).toBe(1);
      expect(await card.getByText(`党组织：${branch}`).count()).toBe(1);
      await card.click();
      const drawer = page.locator('.ant-drawer').last();
      await expect.poll(() => drawer.getByText('完整名册中的党组织').count()).toBe(1);
      await drawer.getByRole('button', { name: '记录核实结果' }).click();
      const modal = page.locator('.ant-modal').last();
      await modal.getByText('去世', { exact: true }).click();
      const date = modal.getByLabel('去世日期');
      let day = '2026-10-12';
      if (size === 'phone') {
        // On a phone the date is picked from the calendar: a tap on the field must not bring up the keyboard.
        expect(await date.getAttribute('readonly')).not.toBeNull();
        await date.tap();
        const calendar = page.locator('.ant-picker-dropdown:visible');
        await calendar.waitFor();
        // No date after today: a death is recorded once it happened.
        await expect.poll(() => calendar.locator('.ant-picker-cell-disabled').count()).toBeGreaterThan(0);
        day = (await calendar.locator('.ant-picker-cell-today').getAttribute('title'))!;
        await calendar.locator('.ant-picker-cell-today').tap();
        expect(await date.inputValue()).toBe(day);
      } else {
        // With a keyboard the date can be typed.
        expect(await date.getAttribute('readonly')).toBeNull();
        await date.fill(day);
        await date.press('Enter');
      }
      await page.screenshot({ path: `${SHOTS}/roster-absent-conclude-${size}.png` });
      await confirmModal(modal);
      await expect.poll(() => drawer.getByText('已确认').count()).toBeGreaterThan(0);
      await expect.poll(() => drawer.getByText(`去世，${day}`).count()).toBe(1);
      await page.screenshot({ path: `${SHOTS}/roster-absent-concluded-${size}.png` });
      const status = await t.db
        .selectFrom('member as m')
        .innerJoin('person as p', 'p.id', 'm.person_id')
        .select('m.member_status')
        .where('p.name', '=', names[1])
        .executeTakeFirstOrThrow();
      expect(status.member_status).toBe('deceased');
    },
  );
});
