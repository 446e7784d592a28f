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
  throw new Error(
    `browser tests are required here but ${CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)`,
  );
}
if (!browserAvailable) process.stderr.write(`[e2e] ${CHROMIUM} not found: browser tests skipped on this machine\n`);

export const launch = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
  });

/** A real server on a free port over a fresh embedded database with the demo loaded. */
export async function demoServer(): Promise<{
  t: TestApp;
  url: string;
  creds: Map<string, Credential>;
  close: () => Promise<void>;
}> {
  const t = await testApp('pglite');
  const creds = new Map((await bootstrap(t.ctx, { demo: true, demoEntities: 300 })).map((c) => [c.username, c]));
  const app = await buildApp(t.ctx, { webDist: WEB_DIST });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    t,
    url,
    creds,
    close: async () => {
      await app.close();
      await t.close();
    },
  };
}

/** Waits for the demo's imports to finish: the ledger the test reads is what they write. */
export async function demoImported(t: TestApp): Promise<void> {
  await expect
    .poll(
      async () => (await t.db.selectFrom('import_job').select('status').execute()).every((j) => j.status === 'done'),
      { timeout: 60_000 },
    )
    .toBe(true);
}

async function submitSignIn(page: Page, url: string, username: string, password: string): Promise<void> {
  await page.goto(url);
  await page.getByPlaceholder('账号').fill(username);
  await page.getByPlaceholder('密码').fill(password);
  await page.getByRole('button', { name: /登\s*录/ }).click();
}

export async function signInFirstTime(page: Page, url: string, c: Credential, newPassword: string): Promise<void> {
  await submitSignIn(page, url, c.username, c.password);
  const current = page.getByLabel('当前密码');
  await current.or(page.locator('.ant-alert-error')).first().waitFor();
  // The test's retry (vitest's one): its first attempt changed the password already.
  if (!(await current.isVisible())) return signIn(page, url, c.username, newPassword);
  await current.fill(c.password);
  await page.getByLabel('新密码', { exact: true }).fill(newPassword);
  await page.getByLabel('再次输入新密码').fill(newPassword);
  await page.getByRole('button', { name: '修改密码' }).click();
  // Signed in once the password form is gone; a navigation before that would abort the sign-in.
  await page.getByLabel('再次输入新密码').waitFor({ state: 'detached' });
}

/**
 * Signs in an account whose password was already changed, through the API (the page's context
 * keeps the session cookie), then opens the shell. The sign-in form is what signInFirstTime and
 * the shell's tests drive; the later sign-ins of a test only need the session (typing them cost a
 * page load and the form's round trips each).
 */
export async function signIn(page: Page, url: string, username: string, password: string) {
  const res = await page.request.post(`${url}/api/v1/auth/login`, { data: { username, password } });
  const body = (await res.json()) as { stage?: string };
  expect(`${res.status()} ${body.stage}`, `sign-in of ${username}`).toBe('200 full');
  await page.goto(url);
  await page.locator('.ant-layout').first().waitFor();
}

export const SHOTS = '.tmp/screenshots';

/** Starts a demo server and a browser for the describe block it is called in; both are closed after it. */
export function browserSuite(): { server: Awaited<ReturnType<typeof demoServer>>; browser: Browser } {
  const env = {} as { server: Awaited<ReturnType<typeof demoServer>>; browser: Browser };
  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    // Chromium starts while the demo loads (its own process, a second or more on a busy machine).
    const [server, browser] = await Promise.allSettled([demoServer(), launch()]);
    if (server.status === 'fulfilled') env.server = server.value;
    if (browser.status === 'fulfilled') env.browser = browser.value;
    for (const r of [server, browser]) if (r.status === 'rejected') throw r.reason;
  });
  afterAll(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}

/**
 * Holds the answers to the requests `match` picks until released: how a test makes a slow answer come after a
 * newer one. `landed` resolves once the held answer has been served and the page has drawn a frame after it.
 */
export async function holdAnswers(page: Page, match: (u: URL) => boolean) {
  let release = () => {};
  const held = new Promise<void>((r) => (release = r));
  let served = () => {};
  const answered = new Promise<void>((r) => (served = r));
  let asked = 0;
  await page.route(match, async (r) => {
    asked++;
    await held;
    await r.fulfill({ response: await r.fetch() });
    served();
  });
  return {
    asked: () => asked,
    release: () => release(),
    landed: async () => {
      await answered;
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      await page.unroute(match);
    },
  };
}

/** Waits for a modal to finish opening: a click on its buttons while it zooms in can be lost. */
export async function modalOpened(modal: Locator): Promise<void> {
  await modal.waitFor({ state: 'visible' });
  await expect.poll(() => modal.getAttribute('class'), { timeout: 15_000 }).not.toContain('zoom-appear');
}

/**
 * Presses a modal's button (确定 by default) once the modal has finished opening, and waits for
 * it to close: a busy machine once clicked mid-animation and the modal stayed open. If the modal
 * stays (the server refused), the test fails with what the modal says.
 */
export async function confirmModal(modal: Locator, button: RegExp = /确\s*定/): Promise<void> {
  await modalOpened(modal);
  await modal.getByRole('button', { name: button }).click();
  await expect
    .poll(
      async () =>
        (await modal.isVisible())
          ? (await modal.locator('.ant-alert, .ant-form-item-explain-error').allTextContents()).join(' ') ||
            `open ${(await modal.page().locator('.ant-message-notice').allTextContents()).join(' ')}`.trim()
          : 'closed',
      { timeout: 30_000 },
    )
    .toBe('closed');
}

let picks = 0;

/**
 * Picks the first option containing `option` in an antd Select or AutoComplete (`field`: the select or
 * its input), typing `search` into it first when given, and retries until the select shows the option:
 * on a busy machine a click on an option while its list was still sliding open was lost (three flakes).
 * Fails naming the field, the option and what the select shows instead.
 */
export async function pickOption(field: Locator, option: string, { search }: { search?: string } = {}): Promise<void> {
  const page = field.page();
  // Marked to be found again: a locator by what the select shows (its placeholder) would lose it once
  // it shows the option, and the test build gives every select the same id.
  const mark = String(++picks);
  await field
    .locator('xpath=ancestor-or-self::*[contains(concat(" ", normalize-space(@class), " "), " ant-select ")][1]')
    .evaluate((e, m) => e.setAttribute('data-picking', m), mark);
  const select = page.locator(`[data-picking="${mark}"]`);
  const input = select.locator('input').first();
  // Its list is the open one (one select is open at a time).
  const lists = page.locator('.ant-select-dropdown:visible');
  const item = lists.locator('.ant-select-item-option').filter({ hasText: option }).first();
  const sliding = () => lists.evaluateAll((ls) => ls.some((l) => /-(appear|enter|leave)/.test(l.className)));
  // An AutoComplete's choice is the text of its input; a select shows its choices as its text.
  const autoComplete = (await select.getAttribute('class'))?.includes('ant-select-auto-complete');
  const shown = async () => (autoComplete ? input.inputValue() : ((await select.textContent()) ?? ''));
  await expect
    .poll(
      async () => {
        if ((await shown()).includes(option)) return shown();
        if ((await input.getAttribute('aria-expanded')) !== 'true') {
          await select.click();
          if (search !== undefined) await input.fill(search);
        } else if ((await item.isVisible()) && !(await sliding())) {
          await item.click({ timeout: 2_000 }).catch(() => undefined);
        }
        return shown();
      },
      { interval: 200, timeout: 15_000, message: `${field.toString()}: option "${option}" not picked` },
    )
    .toContain(option);
}

/** Closes a drawer and waits for its mask to go: until then the mask takes the clicks meant for the page. */
export async function closeDrawer(drawer: Locator): Promise<void> {
  await drawer.locator('.ant-drawer-close').click();
  await drawer.locator('.ant-drawer-mask').waitFor({ state: 'hidden' });
}

/**
 * Waits for antd's motions to end: until, for QUIET ms on end (frame by frame), no animation or CSS
 * transition runs and no element carries a motion class (rc-motion's -appear/-enter/-leave, set a
 * frame before its transition starts), giving up after 5 s. It was the motions' end plus a fixed
 * 400 ms, some hundred times a browser run; the quiet window waits only as long as the page moves.
 */
const QUIET = 150;
export async function settled(page: Page): Promise<void> {
  // A navigation while it waits ends the page's script: it waits again on the new page.
  for (let attempt = 1; ; attempt++) {
    try {
      return await stillFor(page);
    } catch (err) {
      if (attempt === 3 || !/context was destroyed|navigat/i.test(String(err))) throw err;
    }
  }
}

const stillFor = (page: Page): Promise<void> =>
  page.evaluate(
    ({ quiet, limit }) =>
      new Promise<void>((resolve) => {
        const motion = '[class*="-appear"], [class*="-enter"], [class*="-leave"]';
        let start: number | undefined;
        let still: number | undefined;
        const frame = (now: number) => {
          start ??= now;
          const moving =
            document.getAnimations().some((a) => a.playState === 'running') || document.querySelector(motion) !== null;
          if (moving) still = undefined;
          else still ??= now;
          if ((still !== undefined && now - still >= quiet) || now - start >= limit) resolve();
          else requestAnimationFrame(frame);
        };
        requestAnimationFrame(frame);
      }),
    { quiet: QUIET, limit: 5_000 },
  );

/** Fails when the settled page is wider than the screen (a phone must never scroll sideways), naming what sticks out. */
export async function noSidewaysScroll(page: Page, where: string) {
  await settled(page);
  // On a loaded machine a drawer's entrance can still be settling: the settled page must not scroll (up to 5 s).
  await page
    .waitForFunction(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth, undefined, {
      timeout: 5_000,
    })
    .catch(() => undefined);
  const [over, culprits] = await page.evaluate(() => {
    const w = document.documentElement.clientWidth;
    // The outermost elements sticking out, to say what to fix.
    const all = [...document.querySelectorAll('body, body *')].filter(
      (e) =>
        e.getBoundingClientRect().right > w + 0.5 ||
        (e.scrollWidth > e.clientWidth + 0.5 && getComputedStyle(e).overflowX === 'visible'),
    );
    const out = all.filter((e) => !(e.parentElement && all.includes(e.parentElement)));
    return [
      document.documentElement.scrollWidth - w,
      out
        .slice(0, 5)
        .map(
          (e) =>
            `${e.tagName.toLowerCase()}.${String(e.className).slice(0, 40)} right=${Math.round(e.getBoundingClientRect().right)} in ${e.parentElement?.tagName.toLowerCase()}.${String(e.parentElement?.className).slice(0, 40)} "${(e.textContent ?? '').slice(0, 20)}"`,
        ),
    ] as const;
  });
  expect(over, `${where}: the page is ${over}px wider than the screen (${culprits.join('; ')})`).toBeLessThanOrEqual(0);
}

/**
 * Fails when a table cell's text stands a few characters a line (a column squeezed by its
 * neighbours on a phone: 李/陵/卫/商/务/中/心), naming the cells; within `root` (a CSS selector)
 * when given, else the whole page.
 */
export async function noSqueezedCells(page: Page, where: string, root?: string) {
  await settled(page);
  const squeezed = await page.evaluate(
    (root) =>
      [...(root ? (document.querySelector(root) ?? document) : document).querySelectorAll('td')]
        .filter((td) => td.getClientRects().length > 0)
        .map((td) => {
          const text = (td.innerText ?? '').replace(/\s+/g, '');
          const style = getComputedStyle(td);
          const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
          // The text's own height, not the cell's (a row is as tall as its tallest cell).
          const range = document.createRange();
          range.selectNodeContents(td);
          const lines = Math.max(1, Math.round(range.getBoundingClientRect().height / line));
          return { text, lines };
        })
        .filter((c) => c.text.length >= 4 && c.lines >= 3 && c.text.length / c.lines < 4)
        .map((c) => `"${c.text.slice(0, 12)}" (${c.lines} lines)`),
    root,
  );
  expect(squeezed, `${where}: table cells squeezed to a few characters a line`).toEqual([]);
}

/**
 * Fails when a table on the settled page scrolls sideways inside its card (on a phone a row's
 * figures must be read without it: a card a row serves), naming the tables by their first heading.
 */
export async function noTableScrollsSideways(page: Page, where: string) {
  await settled(page);
  const scrolling = await page.evaluate(() =>
    [...document.querySelectorAll('.ant-table-content, .ant-table-body')]
      .filter((e) => e.getClientRects().length > 0 && e.scrollWidth > e.clientWidth + 0.5)
      .map(
        (e) =>
          `${e.closest('.ant-card')?.querySelector('.ant-card-head-title')?.textContent ?? ''} (${e.querySelector('th')?.textContent ?? ''}: ${e.scrollWidth}px in ${e.clientWidth}px)`,
      ),
  );
  expect(scrolling, `${where}: tables scrolling sideways`).toEqual([]);
}
