import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect } from 'vitest';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { bootstrap, type Credential } from '../../src/bootstrap.js';
import { buildApp, WEB_DIST } from '../../src/server.js';
import { testApp, type TestApp } from '../helpers/app.js';

export const CHROMIUM = '/usr/bin/chromium';
/** Browser tests run wherever Chromium is installed; CI (or XGZ_E2E=1) insists on it. */
export const browserAvailable = fs.existsSync(CHROMIUM);
if (!browserAvailable && (process.env.CI || process.env.XGZ_E2E === '1')) {
  throw new Error(`browser tests are required here but ${CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)`);
}
if (!browserAvailable) process.stderr.write(`[e2e] ${CHROMIUM} not found: browser tests skipped on this machine\n`);

export const launch = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
  });

/** A real server on a free port over a fresh embedded database with the demo loaded. */
export async function demoServer(): Promise<{ t: TestApp; url: string; creds: Map<string, Credential>; close: () => Promise<void> }> {
  const t = await testApp('pglite');
  const creds = new Map((await bootstrap(t.ctx, { demo: true, demoEntities: 300 })).map((c) => [c.username, c]));
  const app = await buildApp(t.ctx, { webDist: WEB_DIST });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return { t, url, creds, close: async () => { await app.close(); await t.close(); } };
}

export async function signInFirstTime(page: Page, url: string, c: Credential, newPassword: string): Promise<void> {
  await page.goto(url);
  await page.getByPlaceholder('账号').fill(c.username);
  await page.getByPlaceholder('密码').fill(c.password);
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await page.getByLabel('当前密码').fill(c.password);
  await page.getByLabel('新密码', { exact: true }).fill(newPassword);
  await page.getByLabel('再次输入新密码').fill(newPassword);
  await page.getByRole('button', { name: '修改密码' }).click();
  // Signed in once the password form is gone; a navigation before that would abort the sign-in.
  await page.getByLabel('再次输入新密码').waitFor({ state: 'detached' });
}

/** Signs in an account whose password was already changed (the session lands on the shell). */
export async function signIn(page: Page, url: string, username: string, password: string) {
  await page.goto(url);
  await page.getByPlaceholder('账号').fill(username);
  await page.getByPlaceholder('密码').fill(password);
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await page.getByPlaceholder('密码').waitFor({ state: 'detached' });
}

export const SHOTS = '.tmp/screenshots';

/** Starts a demo server and a browser for the describe block it is called in; both are closed after it. */
export function browserSuite(): { server: Awaited<ReturnType<typeof demoServer>>; browser: Browser } {
  const env = {} as { server: Awaited<ReturnType<typeof demoServer>>; browser: Browser };
  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    env.server = await demoServer();
    env.browser = await launch();
  });
  afterAll(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}

/**
 * Presses a modal's button (确定 by default) once the modal has finished opening, and waits for
 * it to close: a busy machine once clicked mid-animation and the modal stayed open. If the modal
 * stays (the server refused), the test fails with what the modal says.
 */
export async function confirmModal(modal: Locator, button: RegExp = /确\s*定/): Promise<void> {
  await modal.waitFor({ state: 'visible' });
  await expect.poll(() => modal.getAttribute('class'), { timeout: 15_000 }).not.toContain('zoom-appear');
  await modal.getByRole('button', { name: button }).click();
  await expect.poll(async () => ((await modal.isVisible()) ? (await modal.locator('.ant-alert, .ant-form-item-explain-error').allTextContents()).join(' ') || 'open' : 'closed'), { timeout: 30_000 }).toBe('closed');
}

/** Fails when the settled page is wider than the screen (a phone must never scroll sideways), naming what sticks out. */
export async function noSidewaysScroll(page: Page, where: string) {
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'), undefined, { timeout: 5_000 }).catch(() => undefined);
  await page.waitForTimeout(400); // antd's motions are CSS transitions, not all listed as animations
  // On a loaded machine a drawer's entrance can still be settling: the settled page must not scroll (up to 5 s).
  await page.waitForFunction(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth, undefined, { timeout: 5_000 }).catch(() => undefined);
  const [over, culprits] = await page.evaluate(() => {
    const w = document.documentElement.clientWidth;
    // The outermost elements sticking out, to say what to fix.
    const all = [...document.querySelectorAll('body, body *')].filter((e) => e.getBoundingClientRect().right > w + 0.5 || e.scrollWidth > e.clientWidth + 0.5 && getComputedStyle(e).overflowX === 'visible');
    const out = all.filter((e) => !(e.parentElement && all.includes(e.parentElement)));
    return [document.documentElement.scrollWidth - w, out.slice(0, 5).map((e) => `${e.tagName.toLowerCase()}.${String(e.className).slice(0, 40)} right=${Math.round(e.getBoundingClientRect().right)} in ${e.parentElement?.tagName.toLowerCase()}.${String(e.parentElement?.className).slice(0, 40)} "${(e.textContent ?? '').slice(0, 20)}"`)] as const;
  });
  expect(over, `${where}: the page is ${over}px wider than the screen (${culprits.join('; ')})`).toBeLessThanOrEqual(0);
}
