// The admin page in headless Chromium against the local test host on Azurite: the scenario by keyboard and
// click, in one browser and one page for the whole file. An integration is created on the page and its token revealed;
// SCIM provisions two users and their groups into it; a group is enabled, a targeting attribute added from the
// imported catalog and an audience built (count and members); the token is rotated and the old one still works. Each
// screen on the way passes the accessibility check and leaves a screenshot (the README's pictures: a plain name, the
// token masked); then the integration is renamed to markup, which every screen that shows the name shows as text. The
// steps build on each other, so they run in order.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PAGE_CONTENT_SECURITY_POLICY } from '../../shared/admin-page/admin-page-http.js';
import { type AdminPageSession, openAdminPage } from '../support/admin-page-session.js';
import type { Browser } from '../support/browser.js';
import { ScimClient, TEST_FUNCTIONS_KEY, type TestHost } from '../support/test-host.js';

const SCIM_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const SCIM_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

let session: AdminPageSession;
let host: TestHost;
let browser: Browser;
let page: Page;
let pageUrl: string;
/** The integration's name in the scenario; MARKUP_NAME, its name at the end, checks that names render as text. */
const NAME = 'Contoso Entra';
const MARKUP_NAME = 'Contoso <b>Entra</b>';
/** What the page created, for the later steps. */
const created = { id: '', tenantUrl: '', secretToken: '' };

beforeAll(async () => {
  session = await openAdminPage();
  ({ host, browser, page, pageUrl } = session);
}, 120_000);

afterAll(() => session?.close());

const alertText = (scope = page) => scope.locator('[role="alert"]:visible').first().innerText();

describe('the admin page in a browser', () => {
  it('is served with its CSP and asks for the function key, refusing a wrong one with a readable error', async () => {
    const response = await page.goto(pageUrl);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toBe(ADMIN_PAGE_CONTENT_SECURITY_POLICY);
    await expect(page.getByLabel('Function key', { exact: true }).isVisible()).resolves.toBe(true);
    await expect(page.getByText('x-functions-key').first().isVisible()).resolves.toBe(true);
    await session.checkScreen('sign-in');

    await page.getByLabel('Function key', { exact: true }).fill('not-the-key');
    await page.keyboard.press('Enter');
    await page.getByText('The function key was refused').waitFor();
    expect(await alertText()).toContain('HTTP 401');

    await page.getByLabel('Function key', { exact: true }).fill(TEST_FUNCTIONS_KEY);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Integrations', level: 2 }).waitFor();
    await page.getByText('No integrations yet').waitFor();
  });

  it('shows the API error of a refused create as text', async () => {
    await page.getByLabel('Display name').fill('   ');
    await page.keyboard.press('Enter');
    await page.getByText('displayName is required').waitFor();
    expect(await alertText()).toMatch(/displayName is required \(HTTP 400, invalidRequest\)/);
  });

  it('creates an integration by keyboard and shows its Tenant URL and Secret Token', async () => {
    const name = NAME;
    await page.getByLabel('Display name').fill(name);
    await page.getByLabel('User provisioning').selectOption('create');
    await page.getByLabel('Display name').focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: `${name} is ready` }).waitFor();

    const listed = (await host.adminJson('/integrations')).integrations;
    expect(listed).toHaveLength(1);
    Object.assign(created, { id: listed[0].id, tenantUrl: listed[0].tenantUrl });
    created.secretToken = await page.locator('.created').getByLabel('Secret Token').inputValue();
    expect(created.secretToken).toBe(await host.services.integrations.revealToken(created.id));
    expect(await page.locator('.created').getByLabel('Tenant URL').inputValue()).toBe(created.tenantUrl);
    await expect(page.getByRole('rowheader', { name }).isVisible()).resolves.toBe(true);
    expect(await page.locator(`tr[data-integration-id="${created.id}"]`).innerText()).toContain(created.tenantUrl);
    await page.getByText(/^No provisioning in the last/).waitFor();
    await session.checkScreen('integrations');
  });

  it('reveals the Secret Token on double-click only, and by keyboard', async () => {
    const row = page.locator(`tr[data-integration-id="${created.id}"]`);
    const hidden = row.getByRole('button', { name: /Secret Token .* hidden/ });
    await hidden.click();
    expect(await row.locator('input.token').count()).toBe(0);
    await hidden.dblclick();
    const field = row.getByRole('textbox', { name: /Secret Token of/ });
    expect(await field.inputValue()).toBe(created.secretToken);

    await row.getByRole('button', { name: 'Hide' }).press('Enter');
    await row.getByRole('button', { name: /Secret Token .* hidden/ }).press('Enter');
    expect(await row.getByRole('textbox', { name: /Secret Token of/ }).inputValue()).toBe(created.secretToken);
  });

  it('enables groups imported through SCIM, one and then many', async () => {
    const scim = new ScimClient(created.tenantUrl, created.secretToken);
    const userIds: string[] = [];
    for (const [userName, displayName, department] of [
      ['ada@contoso.com', 'Ada Lovelace', 'Engineering'],
      ['grace@contoso.com', 'Grace Hopper', 'Research'],
    ]) {
      const user = await scim.post('/Users', { schemas: [SCIM_USER, ENTERPRISE], userName, displayName, active: true, [ENTERPRISE]: { department } });
      expect(user.status).toBe(201);
      userIds.push(String(user.body.id));
    }
    for (const [displayName, members] of [
      ['Engineering', userIds],
      ['Finance', userIds.slice(0, 1)],
      ['Sales', userIds.slice(0, 1)],
    ] as const) {
      const group = await scim.post('/Groups', { schemas: [SCIM_GROUP], displayName, externalId: `ext-${displayName}`, members: members.map((value) => ({ value })) });
      expect(group.status).toBe(201);
    }

    await page.getByRole('link', { name: 'Groups' }).first().click();
    await page.getByRole('heading', { name: 'Groups', level: 2 }).waitFor();
    await page.getByRole('rowheader', { name: 'Engineering' }).waitFor();
    await page.getByRole('button', { name: 'Enable Engineering' }).click();
    await page.getByText('Enabled 1 group.').waitFor();
    // The keyboard stays on the row's button, now the opposite switch.
    expect(await page.evaluate("document.activeElement?.getAttribute('aria-label')")).toBe('Disable Engineering');

    await page.getByLabel('Status').selectOption('disabled');
    expect(await page.locator('tbody tr').count()).toBe(2);
    await page.getByLabel('Select every group shown').check();
    await page.getByRole('button', { name: 'Enable selected' }).click();
    await page.getByText('Enabled 2 groups.').waitFor();
    await page.getByText('No group matches the filter.').waitFor();

    const groups = (await host.adminJson(`/integrations/${created.id}/groups`)).groups;
    expect(groups.map((group: { enabled: boolean }) => group.enabled)).toEqual([true, true, true]);
    await page.getByLabel('Status').selectOption('all');
    await session.checkScreen('groups');
  });

  it('shows why a switch failed: the group was deleted through SCIM after the list was drawn', async () => {
    const scim = new ScimClient(created.tenantUrl, created.secretToken);
    const sales = (await host.adminJson(`/integrations/${created.id}/groups`)).groups.find((group: { displayName: string }) => group.displayName === 'Sales');
    expect((await scim.delete(`/Groups/${sales.id}`)).status).toBe(204);
    await page.getByLabel('Status').selectOption('all');
    await page.getByRole('button', { name: 'Disable Sales' }).click();
    await page.getByText('1 of 1 could not be disabled.').waitFor();
    expect(await alertText()).toMatch(/Sales: .*not found \(HTTP 404, notFound\)/);
  });

  it('shows where the keyboard is', async () => {
    await page.getByLabel('Name contains').focus();
    await page.keyboard.press('Tab');
    const outline = await page.evaluate('(() => { const style = getComputedStyle(document.activeElement); return style.outlineStyle + " " + style.outlineWidth; })()');
    expect(outline).toBe('solid 3px');
  });

  it('lists the attributes the integration imported', async () => {
    await page.getByRole('link', { name: 'Attributes' }).first().click();
    await page.getByRole('heading', { name: 'Attributes', level: 2 }).waitFor();
    await page.getByRole('cell', { name: 'department' }).or(page.getByRole('rowheader', { name: /department/ })).first().waitFor();
    await page.getByLabel('Path contains').fill('department');
    expect(await page.locator('tbody tr').count()).toBe(1);
    await page.getByLabel('Path contains').fill('');
    await session.checkScreen('attributes');
  });

  it('finds a user and shows what each source gave it', async () => {
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByLabel('Search users').fill('ada@');
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: 'ada@contoso.com' }).click();
    await page.getByRole('heading', { name: 'Ada Lovelace', level: 3 }).waitFor();
    const detail = page.locator('.user-detail');
    expect(await detail.innerText()).toContain('Engineering');
    expect(await detail.locator('.source h4').innerText()).toBe(NAME);
    await session.checkScreen('user');
  });

  it('adds a targeting attribute from the catalog the integration imported (Add Attribute dialog)', async () => {
    await page.getByRole('link', { name: 'Targeting attributes' }).click();
    await page.getByText('No targeting attributes yet').waitFor();
    await page.getByRole('button', { name: 'Add attribute' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add attribute' });
    expect(await dialog.getByLabel('Data Source', { exact: true }).locator('option:checked').innerText()).toBe(NAME);
    await dialog.getByLabel('Data Source Attribute').selectOption({ label: 'Department (enterprise)' });
    await dialog.getByText(/sample values: .*research/).waitFor();
    expect(await dialog.getByLabel('Name').inputValue()).toBe('Department (enterprise)');
    expect(await dialog.getByLabel('Enable Attribute').isChecked()).toBe(true);
    await dialog.getByLabel('Name').fill('Department');
    await session.checkScreen('add-attribute');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved "Department"; 2 people have a value.').waitFor();
    await page.getByRole('rowheader', { name: 'Department' }).waitFor();
    await session.checkScreen('targeting-attributes');
  });

  it('builds an audience from the enabled group and the attribute, and shows its count and members', async () => {
    await page.getByRole('link', { name: 'Audience' }).click();
    await page.getByText('Pick groups or add a condition.').waitFor();
    await page.getByLabel(`Engineering (${NAME})`).check();
    await page.getByText('2 users match').waitFor();
    expect((await page.locator('tbody th').allInnerTexts()).sort()).toEqual(['ada@contoso.com', 'grace@contoso.com']);
    await page.getByRole('button', { name: 'Add condition' }).click();
    await page.getByLabel('Value').fill('research');
    await page.getByText('1 user match').waitFor();
    expect(await page.locator('tbody th').allInnerTexts()).toEqual(['grace@contoso.com']);
    await session.checkScreen('audience');
    await page.getByLabel('Operator').selectOption('startsWith');
    await page.getByLabel('Value').fill('ENG');
    await page.getByText(/^1 user match/).waitFor();
    await expect.poll(() => page.locator('tbody th').allInnerTexts()).toEqual(['ada@contoso.com']);
  });

  it('regenerates the Secret Token after a confirmation; the new one works and the old one still does for the grace period', async () => {
    await page.getByRole('link', { name: 'Integrations' }).click();
    const row = page.locator(`tr[data-integration-id="${created.id}"]`);
    await row.getByRole('button', { name: 'Regenerate token' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    // Focus starts on Cancel: Escape leaves everything as it was.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await host.services.integrations.revealToken(created.id)).toBe(created.secretToken);

    await row.getByRole('button', { name: 'Regenerate token' }).click();
    await session.checkScreen('rotate-token');
    await page.getByRole('dialog').getByRole('button', { name: 'Regenerate token' }).click();
    await page.getByText('New Secret Token for').waitFor();
    expect(await page.getByRole('status').first().innerText()).toMatch(/The old token works until /);
    const rotated = await row.getByRole('textbox', { name: /Secret Token of/ }).inputValue();
    expect(rotated).not.toBe(created.secretToken);
    expect((await new ScimClient(created.tenantUrl, rotated).get('/Users?count=1')).status).toBe(200);
    expect((await new ScimClient(created.tenantUrl, created.secretToken).get('/Users?count=1')).status).toBe(200);
  });

  it('logged nothing in the session but the refusals it provoked (the wrong key, the blank name, the deleted group)', () => {
    expect(browser.problems).toEqual([
      'console error: Failed to load resource: the server responded with a status of 401 (Unauthorized)',
      'console error: Failed to load resource: the server responded with a status of 400 (Bad Request)',
      'console error: Failed to load resource: the server responded with a status of 404 (Not Found)',
    ]);
  });

  it('loads every screen in a new tab with no console error, failed request or CSP violation', async () => {
    browser.problems.length = 0;
    const tab = await browser.newPage();
    await session.signIn(tab);
    await tab.getByRole('rowheader', { name: NAME }).waitFor();
    for (const [hash, content] of [
      [`#groups/${created.id}`, 'Engineering'],
      [`#attributes/${created.id}`, 'userName'],
      ['#users', 'Search users'],
      ['#all-groups', 'Engineering'],
      ['#targeting', 'Department'],
      ['#audience', 'Pick groups or add a condition.'],
      [`#log/${created.id}`, 'Resource id'],
      ['#sync-runs', /^No Microsoft Graph integration yet/],
    ] as const) {
      await tab.goto(`${pageUrl}${hash}`);
      await tab.getByText(content, { exact: true }).first().waitFor();
    }
    expect(browser.problems).toEqual([]);
    await tab.close();
  });

  it('is guarded by the CSP in the browser: an injected inline script does not run', async () => {
    browser.problems.length = 0;
    // (A string: the test project has no DOM types.)
    const ran = await page.evaluate(`(() => {
      const script = document.createElement('script');
      script.textContent = 'window.injected = true;';
      document.body.append(script);
      return window.injected === true;
    })()`);
    expect(ran).toBe(false);
    await expect.poll(() => browser.problems.some((problem) => problem.includes("script-src 'self'"))).toBe(true);
  });

  it('shows a display name that looks like markup as text on every screen that shows it', async () => {
    const renamed = await host.admin(`/integrations/${created.id}`, { method: 'PATCH', body: JSON.stringify({ displayName: MARKUP_NAME }), headers: { 'content-type': 'application/json' } });
    expect(renamed.status).toBe(200);
    const tab = await browser.newPage();
    await session.signIn(tab, '#integrations');
    await tab.getByRole('rowheader', { name: MARKUP_NAME }).waitFor();
    const noMarkup = async (): Promise<void> => expect(await tab.locator('#screen b').count()).toBe(0);
    await noMarkup();
    await tab.goto(`${pageUrl}#audience`);
    await tab.getByLabel(`Engineering (${MARKUP_NAME})`).waitFor();
    await noMarkup();
    await tab.getByRole('link', { name: 'Users' }).click();
    await tab.getByLabel('Search users').fill('ada@');
    await tab.keyboard.press('Enter');
    await tab.getByRole('link', { name: 'ada@contoso.com' }).click();
    await tab.locator('.user-detail .source h4').waitFor();
    expect(await tab.locator('.user-detail .source h4').innerText()).toBe(MARKUP_NAME);
    await noMarkup();
    await tab.close();
  });
});
