import { describe, expect, it } from 'vitest';
import { totpNow } from '../../src/features/auth/totp.js';
import { SHOTS, browserAvailable, browserSuite, confirmModal, signIn, signInFirstTime } from './browser.js';

const FINGERPRINT = 'AB'.repeat(32);

describe.skipIf(!browserAvailable)('service accounts in Chromium', () => {
  const env = browserSuite();

  it('security administrator: enrols a dynamic code, sets up a service account (no token: it waits for the business side), registers a certificate, revokes it', async () => {
    const page = await env.browser.newPage({ viewport: { width: 1366, height: 800 } });
    await signInFirstTime(page, env.server.url, env.server.creds.get('secadmin')!, 'Secure-Pass-2026');
    await page.getByRole('button', { name: '生成绑定二维码' }).click();
    const secret = (await page.getByTestId('totp-secret').locator('code').innerText()).trim();
    await page.getByLabel(/6 位动态口令/).fill(totpNow(secret));
    await page.getByRole('button', { name: /确\s*认/ }).click();
    await page.getByRole('menuitem', { name: '系统对接账号' }).click();
    // Dialogs are found by their text: in the test build antd gives every modal title the same id, so a dialog's accessible name may be another's title.

    // The form checks fields with the contract's schemas before anything is sent.
    await page.getByRole('button', { name: '新建服务账号' }).click();
    const create = page.getByRole('dialog').filter({ hasText: '新建服务账号' });
    await create.getByLabel(/名称/).fill('登');
    await create.getByRole('button', { name: /保\s*存/ }).click();
    await expect
      .poll(() => create.locator('.ant-form-item-explain-error').allTextContents())
      .toContain('名称至少 2 个字');
    await create.getByLabel(/名称/).fill('省登记系统');
    await create.getByLabel(/来源地址/).fill('10.1.0.0/16');
    await create.getByLabel(/来源地址/).press('Enter');
    await confirmModal(create, /保\s*存/);

    // 三员分立: no token for the security administrator; the account waits for the business side.
    await expect
      .poll(() =>
        page
          .getByRole('row', { name: /省登记系统/ })
          .getByText('待业务部门确认启用')
          .count(),
      )
      .toBe(1);
    expect(await page.getByText('令牌只显示这一次').count()).toBe(0);
    expect(
      await page
        .getByRole('row', { name: /省登记系统/ })
        .getByText('确认启用并领取令牌')
        .count(),
    ).toBe(0);
    const account = await env.server.t.db
      .selectFrom('service_account')
      .selectAll()
      .where('name', '=', '省登记系统')
      .executeTakeFirstOrThrow();
    expect(account.ip_allowlist).toEqual(['10.1.0.0/16']);

    // The certificate dialog (the shared FormModal): the server's refusal stays in the dialog, then a good fingerprint.
    await page
      .getByRole('row', { name: /省登记系统/ })
      .getByText('登记证书', { exact: true })
      .click();
    const cert = page.getByRole('dialog').filter({ hasText: '登记客户端证书' });
    await cert.getByLabel(/SHA-256 指纹/).fill('not-a-fingerprint');
    await cert.getByRole('button', { name: /登\s*记/ }).click();
    await expect.poll(() => cert.locator('.ant-alert-error, .ant-form-item-explain-error').count()).toBeGreaterThan(0);
    await cert.getByLabel(/SHA-256 指纹/).fill(FINGERPRINT);
    await confirmModal(cert, /登\s*记/);
    await expect
      .poll(() =>
        page
          .getByRole('row', { name: /省登记系统/ })
          .getByText(/^AB:AB:/)
          .count(),
      )
      .toBe(1);

    // The business side of its node confirms it and is shown the token, once (here the account is moved to
    // 玄武区, whose editor the test makes; the security administrator's picker is another test's matter).
    const t = env.server.t;
    const xuanwu = await t.db
      .selectFrom('jurisdiction')
      .select(['code', 'scope_key'])
      .where('code', '=', '320102')
      .executeTakeFirstOrThrow();
    await t.db
      .updateTable('service_account')
      .set({ jurisdiction_code: xuanwu.code, scope_key: xuanwu.scope_key })
      .where('user_id', '=', account.user_id)
      .execute();
    const editor = await t.user({ roles: ['editor'], jurisdiction: '320102' });
    const business = await env.browser.newPage({ viewport: { width: 1366, height: 800 } });
    await signIn(business, env.server.url, editor.username, editor.password);
    await business.goto(`${env.server.url}/service-accounts`);
    const row = business.getByRole('row', { name: /省登记系统/ });
    await row.getByText('确认启用并领取令牌').click();
    await confirmModal(business.getByRole('dialog').filter({ hasText: '确认启用' }), /确认启用/);
    const token = business.getByRole('dialog').filter({ hasText: '令牌只显示这一次' });
    await expect.poll(() => token.locator('code').innerText()).toMatch(/^xgzsa_\S{20,}/);
    await confirmModal(token, /我已妥善保存/);
    await expect.poll(() => row.getByText('有效').count()).toBe(1);
    await business.close();

    await page.reload();
    await page
      .getByRole('row', { name: /省登记系统/ })
      .getByText('吊销', { exact: true })
      .click();
    const revoke = page.getByRole('dialog').filter({ hasText: '吊销后令牌立即失效' });
    await revoke.getByLabel('吊销原因').fill('对接结束');
    await confirmModal(revoke, /吊\s*销/);
    await expect
      .poll(() =>
        page
          .getByRole('row', { name: /省登记系统/ })
          .getByText('已吊销')
          .count(),
      )
      .toBe(1);
    const after = await env.server.t.db
      .selectFrom('service_account')
      .selectAll()
      .where('user_id', '=', account.user_id)
      .executeTakeFirstOrThrow();
    expect(after.revoke_reason).toBe('对接结束');
    expect(after.cert_fingerprint).toBe(FINGERPRINT.toLowerCase());
    await page.screenshot({ path: `${SHOTS}/service-accounts.png` });
  });
});
