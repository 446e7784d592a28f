import { describe, expect, it } from 'vitest';
import { ledger } from '../helpers/ledger.js';
import {
  SHOTS,
  browserAvailable,
  browserSuite,
  closeDrawer,
  pickOption,
  signInFirstTime,
  demoImported,
} from './browser.js';

const STATION = '320102001';

describe.skipIf(!browserAvailable)('三亮 plaques in Chromium', () => {
  const env = browserSuite();

  it('issue a plaque → open its QR link → the public page shows it valid → revoke → the page shows it revoked', async () => {
    const { t, url } = env.server;
    await demoImported(t);
    // A member operator of the station, recorded (not yet with a plaque).
    const l = ledger(t.db);
    const entityId = await l.entity({ place: STATION, name: '亮牌示范商店', kind: 'individual' });
    const [memberId] = await l.members(entityId, 1, 0, ['王小明']);
    const e = await t.db
      .selectFrom('entity')
      .select(['county_code', 'scope_key'])
      .where('id', '=', entityId)
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto('sanliang')
      .values({
        kind: 'member_operator',
        member_id: memberId,
        entity_id: entityId,
        county_code: e.county_code,
        scope_key: e.scope_key,
        duties: '守法经营、明码标价',
        commitment: '不售假货，接受监督',
        shown_on: '2026-03-01',
      })
      .execute();

    const ctx = await env.browser.newContext({ viewport: { width: 1366, height: 860 }, baseURL: url });
    const page = await ctx.newPage();
    const crashes: string[] = [];
    page.on('pageerror', (err) => crashes.push(err.message));
    await signInFirstTime(page, url, env.server.creds.get('station_staff')!, 'Station-2026!');

    // The ledger → the record → issue its plaque.
    await page.getByRole('menuitem', { name: '三亮' }).click();
    const row = page.getByRole('row', { name: /亮牌示范商店/ });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain('未发牌');
    await row.click();
    const drawer = page.locator('.ant-drawer');
    await drawer.getByRole('button', { name: '发放牌匾' }).click();
    const plaqueRow = drawer.getByRole('row', { name: /XGZ-320102-\d{6}/ });
    await expect.poll(() => plaqueRow.count()).toBe(1);
    const number = (await plaqueRow.textContent())!.match(/XGZ-320102-\d{6}/)![0];
    expect(await plaqueRow.textContent()).toContain('有效');
    await page.screenshot({ path: `${SHOTS}/sanliang-drawer.png` });

    // The printable A5 plaque carries the QR code and its link.
    await plaqueRow.getByRole('button', { name: /打\s*印/ }).click();
    const link = page.locator('[data-verify-link]');
    await expect.poll(() => link.count()).toBe(1);
    const href = (await link.getAttribute('href'))!;
    expect(href).toMatch(new RegExp(`^${url}/verify/[0-9a-f]{32}$`)); // the unguessable token, not the printed number
    // No XGZ_PUBLIC_URL here: the link is this machine's, and the page says the public cannot open it.
    expect(await page.getByTestId('intranet-qr').textContent()).toMatch(/内网地址.*XGZ_PUBLIC_URL/);
    const qr = page.getByRole('img', { name: `牌匾 ${number} 的核验二维码` });
    await expect.poll(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    await page.screenshot({ path: `${SHOTS}/sanliang-print.png`, fullPage: true });

    // The QR link in a browser that has never signed in: the plaque is valid, the member masked.
    const publicCtx = await env.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const pub = await publicCtx.newPage();
    pub.on('pageerror', (err) => crashes.push(err.message));
    await pub.goto(href);
    await expect.poll(() => pub.locator('[data-verdict]').getAttribute('data-verdict')).toBe('valid');
    expect(await pub.getByText('牌匾有效').count()).toBe(1);
    expect(await pub.getByText('亮牌示范商店').count()).toBe(1);
    expect(await pub.getByText('王**').count()).toBe(1);
    expect(await pub.content()).not.toContain('王小明');
    await pub.screenshot({ path: `${SHOTS}/verify-valid.png`, fullPage: true });
    // Anyone may report a problem; it goes to the station's work list.
    await pub.getByRole('button', { name: '反映问题' }).click();
    await pickOption(pub.getByLabel('问题类别'), '未履行职责或承诺');
    await pub.getByLabel('具体情况').fill('店内商品未明码标价');
    await pub.getByRole('button', { name: /提\s*交/ }).click();
    await expect.poll(() => pub.getByText(/回执号：FK-[0-9A-Z]{4}-[0-9A-Z]{4}/).count()).toBe(1);

    // Back in the ledger: revoke it, with a reason.
    await page.getByRole('button', { name: /返\s*回/ }).click();
    await drawer.getByRole('button', { name: '撤销牌匾（退出）' }).click();
    const dialog = page.locator('.ant-modal').filter({ hasText: '撤销原因' });
    // The usual grounds are offered as the clerk types; take one.
    await pickOption(dialog.getByLabel('撤销原因'), '营业执照被吊销或注销', { search: '营业执照' });
    await dialog.getByRole('button', { name: '撤销牌匾' }).click();
    await expect.poll(() => drawer.locator('.ant-drawer-title').textContent()).toContain('已退出');
    expect(await drawer.getByRole('row', { name: new RegExp(number) }).textContent()).toContain('营业执照被吊销或注销');

    // The same link now says, plainly, that the plaque is revoked; the member is no longer shown.
    await pub.reload();
    await expect.poll(() => pub.locator('[data-verdict]').getAttribute('data-verdict')).toBe('revoked');
    expect(await pub.getByText('牌匾已撤销').count()).toBe(1);
    expect(await pub.getByText('王**').count()).toBe(0);
    await pub.screenshot({ path: `${SHOTS}/verify-revoked.png`, fullPage: true });

    // The report waits in the station's list; handling it, with a note, clears it from the open ones.
    await closeDrawer(drawer);
    await page.getByRole('tab', { name: /群众反映/ }).click();
    const report = page.getByRole('row', { name: /店内商品未明码标价/ });
    await expect.poll(() => report.count()).toBe(1);
    expect(await report.textContent()).toContain(number);
    await report.getByRole('button', { name: /处\s*理/ }).click();
    const handle = page.locator('.ant-modal').filter({ hasText: '处理情况' });
    await handle.getByLabel('处理情况').fill('已上门核实，经营者已整改');
    await handle.getByRole('button', { name: '记录处理情况' }).click();
    await expect.poll(() => page.getByText('没有待处理的反映').count()).toBe(1);

    await page.getByRole('tab', { name: '参与情况' }).click();
    await expect.poll(() => page.getByText('有效牌匾').count()).toBe(1);
    // This month's issue and revocation are on the monthly chart (ECharts arrives lazily).
    await expect.poll(() => page.locator('canvas').count()).toBe(1);
    await page.screenshot({ path: `${SHOTS}/sanliang-participation.png`, fullPage: true });

    expect(crashes).toEqual([]);
    await publicCtx.close();
    await ctx.close();
  });
});
