// What every browser test of the admin page starts with: the page built and served by the page function of a local
// test host on Azurite, headless Chromium with one page open on it, signing in with the function key, and the check
// of a screen (axe finds no serious or critical violation; a screenshot goes to test-output/screenshots/, ignored by
// git, from which the README's pictures in docs/images/ are refreshed).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { repoRoot } from '../infra/bicep-text.js';
import { seriousViolations } from './accessibility.js';
import { type Browser, launchBrowser, serveBuiltAdminPage } from './browser.js';
import { startTestHost, TEST_FUNCTIONS_KEY, type TestHost } from './test-host.js';

export const SCREENSHOT_FOLDER = join(repoRoot, 'test-output', 'screenshots');

/** How long a step of a browser test waits for the page (a loaded machine is slow, never this slow). */
const STEP_TIMEOUT_MS = 10_000;

export interface AdminPageSession {
  readonly host: TestHost;
  readonly browser: Browser;
  /** The page the test drives; `browser.newPage()` opens more. */
  readonly page: Page;
  /** `…/api/admin/page/` on the test host. */
  readonly pageUrl: string;
  /** Opens the page (at `hash`, if given) and signs in with the test host's function key. */
  signIn(page?: Page, hash?: string): Promise<void>;
  /**
   * Checks the screen as it is now, once it has finished loading: no serious or critical axe violation; then saves
   * a screenshot named `name` (Secret Token fields masked).
   */
  checkScreen(name: string, page?: Page): Promise<void>;
  close(): Promise<void>;
}

export interface AdminPageSessionOptions {
  /** A host the test started itself (e.g. the sync-run harness's) and closes itself; else a fresh test host. */
  host?: TestHost;
}

export async function openAdminPage(options: AdminPageSessionOptions = {}): Promise<AdminPageSession> {
  const stopServingPage = await serveBuiltAdminPage();
  const host = options.host ?? (await startTestHost());
  const pageUrl = `${host.url}/api/admin/page/`;
  const browser = await launchBrowser();
  const page = await browser.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  await mkdir(SCREENSHOT_FOLDER, { recursive: true });
  return {
    host,
    browser,
    page,
    pageUrl,
    async signIn(target = page, hash = '') {
      await target.goto(`${pageUrl}${hash}`);
      await target.getByLabel('Function key', { exact: true }).fill(TEST_FUNCTIONS_KEY);
      await target.keyboard.press('Enter');
      await target.locator('#screen h2').waitFor();
    },
    async checkScreen(name, target = page) {
      await target.locator('.screen-body[aria-busy]').waitFor({ state: 'detached' });
      await expect.poll(() => target.locator('.feedback.busy').count()).toBe(0);
      expect({ screen: name, violations: await seriousViolations(target) }).toEqual({ screen: name, violations: [] });
      // Secret Tokens shown in full are masked: the pictures go into the README.
      await target.screenshot({ path: join(SCREENSHOT_FOLDER, `${name}.png`), fullPage: true, mask: [target.getByRole('textbox', { name: /Secret Token/ })], maskColor: '#c9ced6' });
    },
    async close() {
      await browser.close();
      if (options.host === undefined) await host.close();
      await stopServingPage();
    },
  };
}
