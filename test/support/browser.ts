// Headless Chromium for the admin page's browser tests: Debian's /usr/bin/chromium (CHROMIUM_PATH overrides it) driven
// by playwright-core, which downloads nothing. One browser per test file, in a fresh profile; every console error, page
// error, failed request and CSP violation is recorded, so a test can assert that a session had none.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { buildAdminPage } from '../../local/admin-page-build.js';
import { useAdminPageFolder } from '../../shared/admin-page/admin-page-http.js';
import { repoRoot } from '../infra/bicep-text.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  readonly context: BrowserContext;
  /** Console errors, page errors, failed requests and CSP violations, as text, from every page opened. */
  readonly problems: string[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'chromium-profile-'));
  // A persistent context is how playwright takes a --user-data-dir: a fresh, empty one per launch.
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_FLAGS });
  const problems: string[] = [];
  const watch = (page: Page) => {
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`));
  };
  context.on('page', watch);
  for (const page of context.pages()) watch(page);
  return {
    context,
    problems,
    async newPage() {
      const page = context.pages().find((candidate) => candidate.url() === 'about:blank') ?? (await context.newPage());
      // CSP violations reach the console too; the event also catches the ones Chromium reports only as events.
      // (A string: the test project has no DOM types.)
      await page.addInitScript({
        content: "document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));",
      });
      return page;
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Builds the admin page into a temporary folder and has the page function serve it; answers a clean-up. */
export async function serveBuiltAdminPage(): Promise<() => Promise<void>> {
  const folder = await mkdtemp(join(tmpdir(), 'admin-page-'));
  await buildAdminPage(repoRoot, folder);
  useAdminPageFolder(folder);
  return async () => {
    useAdminPageFolder(undefined);
    await rm(folder, { recursive: true, force: true });
  };
}
