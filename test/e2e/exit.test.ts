import { describe, expect, it } from 'vitest';
import { ledger } from '../helpers/ledger.js';
import { SHOTS, browserAvailable, browserSuite, signInFirstTime, noSidewaysScroll, demoImported } from './browser.js';

const STATION = '320102001';

describe.skipIf(!browserAvailable)(
  'exit by status and credit lists, and the entity page as the one place, on a phone',
  () => {
    const env = browserSuite();

    it('revoke → the plaque page says 暂停公示 → the entity page lists its records → the licence restored → 退出复核 confirms → valid again; nothing scrolls sideways at 390px', async () => {
      const { t, url } = env.server;
      await demoImported(t);
      const l = ledger(t.db);
      const entityId = await l.entity({ place: STATION, name: '退出机制示范店', kind: 'individual' });
      const [memberId] = await l.members(entityId, 1, 0, ['赵小红']);
      const e = await t.db
        .selectFrom('entity')
        .select(['county_code', 'scope_key'])
        .where('id', '=', entityId)
        .executeTakeFirstOrThrow();
      const rec = await t.db
        .insertInto('sanliang')
        .values({
          kind: 'member_operator',
          member_id: memberId,
          entity_id: entityId,
          county_code: e.county_code,
          scope_key: e.scope_key,
          duties: '守法经营',
          commitment: '诚信经营，接受监督',
          shown_on: '2026-03-01',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const plaque = await t.db
        .insertInto('sanliang_plaque')
        .values({ number: 'XGZ-320102-990001', record_id: rec.id, scope_key: e.scope_key, issued_on: '2026-03-02' })
        .returning('public_token')
        .executeTakeFirstOrThrow();

      const ctx = await env.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, baseURL: url });
      const page = await ctx.newPage();
      const crashes: string[] = [];
      page.on('pageerror', (err) => crashes.push(err.message));
      await signInFirstTime(page, url, env.server.creds.get('station_staff')!, 'Station-2026!');

      // The licence is revoked (as a registry import or a clerk would record it): the plaque page says 暂停公示 and nothing else.
      await t.db.updateTable('entity').set({ status: 'revoked' }).where('id', '=', entityId).execute();
      const pub = await (
        await env.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true })
      ).newPage();
      await pub.goto(`${url}/verify/${plaque.public_token}`);
      await expect.poll(() => pub.locator('[data-verdict]').getAttribute('data-verdict')).toBe('suspended');
      expect(await pub.getByText('暂停公示').count()).toBe(1);
      expect(await pub.content()).not.toContain('退出机制示范店');
      await pub.screenshot({ path: `${SHOTS}/verify-suspended.png`, fullPage: true });

      // The entity page gathers its records, each a link.
      await page.goto(`${url}/entities/${entityId}`);
      const records = page.locator('.ant-card').filter({ hasText: '相关记录' });
      await expect.poll(() => records.getByText('三亮牌匾（1）').count()).toBe(1);
      expect(await records.textContent()).toContain('暂停公示');
      expect(await records.getByRole('link', { name: '吊销营业执照' }).count()).toBe(1);
      await noSidewaysScroll(page, 'entity page');
      await page.screenshot({ path: `${SHOTS}/entity-records-phone.png`, fullPage: true });

      // The licence restored: 退出复核 asks to confirm; confirmed, the plaque is valid again.
      await t.db.updateTable('entity').set({ status: 'active' }).where('id', '=', entityId).execute();
      await page.goto(`${url}/exit-reviews`);
      const card = page.locator('.ant-card').filter({ hasText: '退出机制示范店' });
      await expect.poll(() => card.count()).toBe(1);
      await noSidewaysScroll(page, '退出复核');
      await page.screenshot({ path: `${SHOTS}/exit-reviews-phone.png`, fullPage: true });
      await card.getByRole('button', { name: '确认恢复公示' }).click();
      const dialog = page.locator('.ant-modal');
      await dialog.getByLabel('恢复说明').fill('执照已恢复，核实后恢复公示');
      await dialog.getByRole('button', { name: '确认恢复' }).click();
      await expect.poll(() => page.locator('.ant-card').filter({ hasText: '退出机制示范店' }).count()).toBe(0);
      await pub.reload();
      await expect.poll(() => pub.locator('[data-verdict]').getAttribute('data-verdict')).toBe('valid');
      // A list that could not be read says so in words: it said 没有需要处理的退出复核 (as if nothing were left to review).
      await page.route('**/api/v1/exit-reviews?*', (r) => r.abort());
      await page.locator('.ant-segmented').getByText('已结束').click();
      await expect.poll(() => page.locator('.ant-alert-error').textContent()).toContain('网络错误');
      expect(await page.getByText('没有需要处理的退出复核').count()).toBe(0);
      expect(crashes).toEqual([]);
      await ctx.close();
    });
  },
);
