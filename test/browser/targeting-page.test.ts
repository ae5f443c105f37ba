// The targeting screens in headless Chromium against the local test host on Azurite: groups of every source switched
// in bulk and their members, a targeting attribute added from the imported catalog (Add Attribute dialog, indexing
// with progress), and an audience built with its live count and members. The steps build on each other.
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

  it('adds a targeting attribute from the imported catalog and indexes the values already there', async () => {
    await page.getByRole('link', { name: 'Targeting attributes' }).click();
    await page.getByText('No targeting attributes yet').waitFor();
    await page.getByRole('button', { name: 'Add attribute' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add attribute' });
    await dialog.waitFor();
    await dialog.getByLabel('Data Source Attribute').selectOption({ label: 'Department (enterprise)' });
    await dialog.getByText(/sample values: .*engineering/).waitFor();
    expect(await dialog.getByLabel('Name').inputValue()).toBe('Department (enterprise)');
    await dialog.getByLabel('Name').fill('Department');
    expect(await dialog.getByLabel('Enable Attribute').isChecked()).toBe(true);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved "Department"; 3 people have a value.').waitFor();
    await page.getByRole('rowheader', { name: 'Department' }).waitFor();
  });

  it('builds an audience and shows its count and members as conditions change', async () => {
    await page.getByRole('link', { name: 'Audience' }).click();
    await page.getByText('Pick groups or add a condition.').waitFor();
    await page.getByLabel('Everyone (Contoso Entra)').check();
    await page.getByText('3 users match').waitFor();
    await page.getByRole('button', { name: 'Add condition' }).click();
    await page.getByLabel('Value').fill('ENGINEERING');
    await page.getByText('2 users match').waitFor();
    expect((await page.locator('tbody th').allInnerTexts()).sort()).toEqual(['ada@contoso.com', 'grace@contoso.com']);
    await page.getByLabel('Operator').selectOption('startsWith');
    await page.getByLabel('Value').fill('fin');
    await page.getByText('1 user match').waitFor();
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
