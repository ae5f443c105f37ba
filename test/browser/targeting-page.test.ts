// The targeting screens in headless Chromium against the local test host on Azurite: groups of every source switched
// in bulk and their members, and every control and table of the targeting screens named. (Adding a targeting
// attribute on the page and building an audience are steps of the scenario in admin-page.test.ts; here the
// attribute is made through the API.) The steps build on each other.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminPageSession, openAdminPage } from '../support/admin-page-session.js';
import { ScimClient } from '../support/test-host.js';

const SCIM_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

let session: AdminPageSession;
let page: Page;
let pageUrl: string;

beforeAll(async () => {
  session = await openAdminPage();
  ({ page, pageUrl } = session);
  const integration = await session.host.createIntegration('create', 'Contoso Entra');
  const scim = new ScimClient(integration.tenantUrl, integration.secretToken);
  const ids: string[] = [];
  for (const [userName, department] of [
    ['ada@contoso.com', 'Engineering'],
    ['grace@contoso.com', 'Engineering'],
    ['linus@contoso.com', 'Finance'],
  ] as const) {
    const user = await scim.post('/Users', { userName, displayName: userName.split('@')[0], active: true, [ENTERPRISE]: { department } });
    ids.push(String(user.body.id));
  }
  await scim.post('/Groups', { schemas: [SCIM_GROUP], displayName: 'Everyone', members: ids.map((value) => ({ value })) });
  await scim.post('/Groups', { schemas: [SCIM_GROUP], displayName: 'Leads', members: [{ value: ids[0] }] });
  const attribute = await session.host.admin('/targeting-attributes', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ integrationId: integration.id, path: `${ENTERPRISE}:department`, name: 'Department', enabled: true }),
  });
  expect(attribute.status).toBe(201);
  await session.signIn();
  await page.getByRole('heading', { name: 'Integrations', level: 2 }).waitFor();
}, 120_000);

afterAll(() => session?.close());

describe('the targeting screens', () => {
  it('lists the groups of every source, enables one in bulk and shows its members', async () => {
    await page.getByRole('link', { name: 'All groups' }).click();
    await page.getByRole('heading', { name: 'All groups', level: 2 }).waitFor();
    await page.getByRole('rowheader', { name: 'Everyone' }).waitFor();
    await page.getByLabel('Select Everyone of Contoso Entra').check();
    await page.getByRole('button', { name: 'Enable selected' }).click();
    await page.getByText('Enabled 1 group.').waitFor();
    await page.getByLabel('Status').selectOption('enabled');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('Groups of every source (1 shown)').waitFor();

    await page.getByRole('button', { name: 'Members of Everyone (Contoso Entra)' }).click();
    await page.getByRole('heading', { name: 'Members of Everyone', level: 3 }).waitFor();
    // The panel's heading is drawn at once, its members when their page arrives.
    await page.locator('.members li').nth(2).waitFor();
    expect(await page.locator('.members li').count()).toBe(3);
    await session.checkScreen('all-groups');
  });

  it('names every control and table on each targeting screen (no unlabelled input, select or button)', async () => {
    for (const hash of ['#all-groups', '#targeting', '#audience']) {
      await page.goto(`${pageUrl}${hash}`);
      await page.locator('.screen-body:not([aria-busy])').waitFor();
      if (hash === '#audience') await page.getByRole('button', { name: 'Add condition' }).click();
      // (A string: the test project has no DOM types.)
      const unnamed = await page.evaluate(`[...document.querySelectorAll('main input, main select, main button, main table')].filter((element) => {
        if (element.tagName === 'TABLE') return element.querySelector('caption') === null;
        const text = (element.getAttribute('aria-label') ?? '') + (element.labels ? [...element.labels].map((label) => label.textContent).join('') : '') + (element.tagName === 'BUTTON' ? element.textContent : '');
        return text.trim() === '';
      }).map((element) => element.outerHTML.slice(0, 120))`);
      expect({ hash, unnamed }).toEqual({ hash, unnamed: [] });
    }
  });

  it('logged no console error, failed request or CSP violation', () => {
    expect(session.browser.problems).toEqual([]);
  });
});
