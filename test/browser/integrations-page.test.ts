// The Integrations screen's actions in headless Chromium against the local test host on Azurite: rename, the
// connection check (passing, then failing once the stored token no longer matches), the token regenerated with a
// chosen grace period and the end of it shown, the last provisioning activity, and delete behind a typed
// confirmation (a wrong name refused with the API's error, then the integration shown deleting and its SCIM token
// refused). The steps build on each other, so they run in order, in one browser and one page.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProvisioningLogRepository } from '../../shared/storage/provisioning-log-repository.js';
import { type AdminPageSession, openAdminPage } from '../support/admin-page-session.js';
import { ScimClient, type TestHost } from '../support/test-host.js';

let session: AdminPageSession;
let host: TestHost;
let page: Page;
let integration = { id: '', tenantUrl: '', secretToken: '' };

beforeAll(async () => {
  session = await openAdminPage();
  ({ host, page } = session);
  integration = await host.createIntegration('matchOnly', 'Fabrikam');
  await session.signIn();
}, 120_000);

afterAll(() => session?.close());

const row = () => page.locator(`tr[data-integration-id="${integration.id}"]`);
const statusLine = () => page.getByRole('status').first();
const alertLine = () => page.locator('[role="alert"]:visible').first();

describe('the Integrations screen', () => {
  it('shows each integration active, with its last provisioning activity', async () => {
    await row().getByRole('cell', { name: 'No provisioning in the last 30 days' }).waitFor();
    expect(await row().locator('td.state').innerText()).toBe('Active');
  });

  it('renames an integration in a dialog, by keyboard', async () => {
    await row().getByRole('button', { name: 'Rename Fabrikam' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('New display name').fill('Fabrikam Entra');
    await session.checkScreen('rename-integration');
    await dialog.getByRole('button', { name: 'Rename' }).focus();
    await page.keyboard.press('Enter');
    await page.getByText('Renamed to Fabrikam Entra.').waitFor();
    await page.getByRole('rowheader', { name: 'Fabrikam Entra' }).waitFor();
    expect((await host.adminJson(`/integrations/${integration.id}`)).displayName).toBe('Fabrikam Entra');
  });

  it('checks the connection as Entra does, and shows a refused token as an error', async () => {
    await row().getByRole('button', { name: 'Check connection' }).click();
    await page.getByText(/Connection check of Fabrikam Entra: HTTP 200 in \d+ ms/).waitFor();

    const stored = await host.services.tables.integrations.getEntity<Record<string, unknown>>('integration', integration.id);
    const secretName = String(stored.tokenSecretName);
    await host.services.secrets.set(secretName, 'a-token-the-row-does-not-know');
    await row().getByRole('button', { name: 'Check connection' }).click();
    await page.getByText(/HTTP 401 in \d+ ms/).waitFor();
    expect(await alertLine().innerText()).toMatch(/refused the Secret Token/);
    await host.services.secrets.set(secretName, integration.secretToken);
  });

  it('regenerates the token with the grace period chosen and shows until when the old one works', async () => {
    await row().getByRole('button', { name: 'Regenerate token' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByLabel('Old token keeps working for').inputValue()).toBe('24');
    await dialog.getByLabel('Old token keeps working for').selectOption('1');
    await dialog.getByRole('button', { name: 'Regenerate token' }).click();
    await page.getByText('New Secret Token for Fabrikam Entra').waitFor();
    const rotated = await row().getByRole('textbox', { name: /Secret Token of/ }).inputValue();
    const view = await host.adminJson(`/integrations/${integration.id}`);
    const validUntil = Date.parse(view.previousTokenValidUntil);
    expect(validUntil - Date.now()).toBeGreaterThan(59 * 60 * 1000);
    expect(validUntil - Date.now()).toBeLessThanOrEqual(60 * 60 * 1000);
    expect(await statusLine().innerText()).toMatch(/The old token works until /);
    for (const token of [integration.secretToken, rotated]) expect((await new ScimClient(integration.tenantUrl, token).get('/Users?count=1')).status).toBe(200);
    integration.secretToken = rotated;
  });

  it('shows the last provisioning activity from the provisioning log', async () => {
    const at = new Date(Date.now() - 60_000).toISOString();
    await new ProvisioningLogRepository(host.services.tables.provisioninglog).append([
      { at, integrationId: integration.id, source: 'scim', operation: 'create', resourceType: 'User', outcome: 'success', status: 201, correlationId: 'c1' },
    ]);
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('link', { name: 'Integrations' }).click();
    await row().locator('td.activity').getByText(/^Last provisioning: .* \(create User, success\)$/).waitFor();
  });

  it('deletes only after the display name is typed: a wrong one is refused, then it is shown deleting and SCIM refuses its token', async () => {
    await row().getByRole('button', { name: 'Delete Fabrikam Entra' }).click();
    let dialog = page.getByRole('dialog');
    // Focus starts on Cancel: Escape leaves everything as it was.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    await row().getByRole('button', { name: 'Delete Fabrikam Entra' }).click();
    dialog = page.getByRole('dialog');
    await dialog.getByLabel('Type Fabrikam Entra to confirm').fill('Fabrikam');
    await session.checkScreen('delete-integration');
    await dialog.getByRole('button', { name: 'Delete integration' }).click();
    await page.getByText(/display name exactly.*\(HTTP 400, invalidValue\)/).waitFor();
    expect((await host.adminJson(`/integrations/${integration.id}`)).status).toBe('active');

    await row().getByRole('button', { name: 'Delete Fabrikam Entra' }).click();
    dialog = page.getByRole('dialog');
    await dialog.getByLabel('Type Fabrikam Entra to confirm').fill('Fabrikam Entra');
    await dialog.getByRole('button', { name: 'Delete integration' }).click();
    await page.getByText('Deleting Fabrikam Entra: its data is being removed in the background.').waitFor();
    expect(await row().locator('td.state').innerText()).toMatch(/^Deleting \(0 users and 0 rows removed so far\)$/);
    expect(await row().getByRole('button').count()).toBe(0);
    expect((await new ScimClient(integration.tenantUrl, integration.secretToken).get('/Users?count=1')).status).toBe(401);
  });

  it('logged nothing but the refusals it provoked (the wrong confirmation)', () => {
    expect(session.browser.problems).toEqual(['console error: Failed to load resource: the server responded with a status of 400 (Bad Request)']);
  });
});
