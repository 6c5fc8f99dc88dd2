// Browser harness for the console tests: the real fazhi binary (see
// fazhi.mjs) and Debian's headless chromium driven by playwright-core, with
// pages that record uncaught errors and refuse every request that does not
// go to fazhi itself. A missing part is a failure, not a skip: CI must not
// pass without a browser.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startFazhi, binaryExists, eventually, PASSWORD, ROOT } from './fazhi.mjs';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const ARTIFACTS = path.join(ROOT, 'build', 'test-artifacts');
const CONSOLE = path.join(ROOT, 'build', 'share', 'console', 'index.html');

/** Element Plus puts data-test on the <input> itself; accept either place. */
export const inp = (name) => `input[data-test=${name}], [data-test=${name}] input`;
export const area = (name) => `textarea[data-test=${name}], [data-test=${name}] textarea`;

// Waits are for what a user would see, with budgets generous enough for a
// loaded machine running the ASan build (they only cost time on failure).
export const WAIT = 30000;

/** Poll fn until it returns a truthy value (or throw after timeout ms). */
export const until = (fn, what, timeout = WAIT) => eventually(fn, what, { timeout, every: 100 });

/** Waits until locator's text matches re (as shown); returns the text. */
export function untilText(locator, re, what, timeout = WAIT) {
  return until(async () => {
    const text = await locator.innerText();
    return re.test(text) && text;
  }, `${what} to read ${re}`, timeout);
}

/**
 * Waits until the Element Plus loading mask inside the element matched by
 * selector is gone (v-loading fades its mask out; a click during the fade
 * lands on the mask, not on what is under it).
 */
export async function untilLoaded(page, selector, what, timeout = WAIT) {
  await until(async () => (await page.locator(`${selector} .el-loading-mask`).count()) === 0,
    `${what}: the loading mask to go`, timeout);
}

/**
 * Starts fazhi (options as startFazhi) and chromium. Returns { h, browser,
 * newPage(), closePage(page), signIn(page, username), stop() }.
 */
export async function startConsole(options = {}) {
  const missing = !binaryExists()
    ? 'fazhi binary not built'
    : !existsSync(CONSOLE)
      ? 'console not built (npx vite build --config web/vite.config.js)'
      : !existsSync(CHROMIUM)
        ? `no chromium at ${CHROMIUM}`
        : false;
  if (missing) throw new Error(`browser tests cannot run: ${missing}`);
  const h = await startFazhi(options);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    h,
    browser,
    /** A fresh page (own context, so own sessionStorage). */
    async newPage() {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
      const page = await context.newPage();
      page.setDefaultTimeout(WAIT);
      page.errors = [];
      page.on('pageerror', (e) => page.errors.push(e.message));
      page.offsite = [];
      await context.route('**/*', (route) => {
        const u = route.request().url();
        if (u.startsWith(h.url) || u.startsWith('data:') || u.startsWith('blob:')) return route.continue();
        page.offsite.push(u);
        return route.abort();
      });
      return page;
    },
    async closePage(page) {
      assert.deepEqual(page.errors, [], 'uncaught errors in the page');
      assert.deepEqual(page.offsite, [], 'the console fetched something from outside fazhi');
      await page.context().close();
    },
    async signIn(page, username) {
      await page.goto(`${h.url}/`);
      await page.locator(inp('login-username')).fill(username);
      await page.locator(inp('login-password')).fill(PASSWORD);
      await page.locator('[data-test=login-submit]').click();
      await page.locator('[data-test=current-user]').waitFor();
    },
    async stop() {
      await browser.close();
      await h.stop();
    },
  };
}
