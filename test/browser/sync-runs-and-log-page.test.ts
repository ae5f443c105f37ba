// The Sync runs and Provisioning log screens in headless Chromium against the sync-run harness's test host on Azurite
// (the real admin routes and queue machinery, with the fake step handler instead of Graph): a Graph integration's
// runs started dry and full from the page and their report read once the queue drained, a second start refused while
// one runs; a SCIM integration's provisioning log paged, narrowed to one resource and to a time range, a reversed
// range refused with the API's error. The steps build on each other, so they run in order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProvisioningLogRepository } from '../../shared/storage/provisioning-log-repository.js';
import { type AdminPageSession, openAdminPage } from '../support/admin-page-session.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-run-harness.js';
import { fakeStepHandler } from '../support/sync-steps-fake.js';
import { ScimClient } from '../support/test-host.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const MINUTE_MS = 60_000;
/** Entries written straight into the log, one a minute back from the start of the file: more than a page of 25. */
const EARLIER_ENTRIES = 30;

let harness: SyncHarness;
let session: AdminPageSession;
let graphId: string;
let scimId: string;
let adaId: string;
const started = Date.now();

const caption = (page: AdminPageSession['page']) => page.locator('caption');

/** A time as a `datetime-local` field takes it: this machine's local time (Chromium runs in the same zone). */
function localTime(time: number): string {
  const date = new Date(time);
  const two = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}T${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

beforeAll(async () => {
  harness = await startSyncHarness({ handler: fakeStepHandler({ pages: 2, membersPerPage: 1 }) });
  const { host } = harness;
  graphId = await harness.graphIntegration();
  await host.admin(`/integrations/${graphId}`, { method: 'PATCH', body: JSON.stringify({ displayName: 'Fabrikam Graph' }), headers: { 'content-type': 'application/json' } });
  const scim = await host.createIntegration('create', 'Contoso Entra');
  scimId = scim.id;
  await new ProvisioningLogRepository(host.services.tables.provisioninglog).append(
    Array.from({ length: EARLIER_ENTRIES }, (_, index) => ({
      at: new Date(started - (index + 1) * MINUTE_MS).toISOString(),
      integrationId: scimId,
      source: 'scim' as const,
      operation: 'update' as const,
      resourceType: 'User' as const,
      resourceId: `earlier-${index + 1}`,
      status: 200,
      outcome: 'success' as const,
      correlationId: `entra-req-${index + 1}`,
    })),
  );
  const client = new ScimClient(scim.tenantUrl, scim.secretToken);
  adaId = String((await client.post('/Users', { userName: 'ada@contoso.com', displayName: 'Ada Lovelace', active: true, [ENTERPRISE]: { department: 'Engineering' } })).body.id);
  await client.post('/Users', { userName: 'grace@contoso.com', displayName: 'Grace Hopper', active: true });
  await host.services.provisioningLog.flush();
  session = await openAdminPage({ host });
}, 120_000);

afterAll(async () => {
  await session?.close();
  await harness?.close();
});

describe('the Sync runs screen', () => {
  it('offers only Graph integrations, starts a dry full run and shows its report once the queue ran it', async () => {
    const { page } = session;
    await session.signIn(page, '#sync-runs');
    await page.getByText('No sync runs yet').waitFor();
    expect(await page.getByLabel('Integration').locator('option').allInnerTexts()).toEqual(['Fabrikam Graph']);

    await page.getByLabel(/Dry run/).check();
    await page.getByLabel(/Full run/).check();
    await page.getByRole('button', { name: 'Start sync run' }).click();
    await page.getByText(/^Started: Full dry run queued .*Refresh shows how far it got\.$/).waitFor();
    await page.getByRole('cell', { name: 'queued', exact: true }).waitFor();

    await harness.queues.drain();
    await page.getByRole('button', { name: 'Refresh' }).click();
    const report = page.getByRole('region', { name: 'Run report' });
    await report.getByText('succeeded', { exact: true }).waitFor();
    expect(await report.getByRole('row', { name: /Users seen/ }).innerText()).toMatch(/Users seen\s+20/);
    expect(await report.getByRole('row', { name: /Memberships added/ }).innerText()).toMatch(/Memberships added\s+2/);
    expect(await report.locator('li').allInnerTexts()).toEqual(['unmatched-0', 'unmatched-1']);
    expect(await report.getByRole('table', { name: /^Errors \(1\)/ }).innerText()).toMatch(/group g1 could not be read\s+req-g1\s+finish/);
    await session.checkScreen('sync-runs');
  });

  it('refuses a second run while one is in progress, with the API error as text', async () => {
    const { page } = session;
    await page.getByLabel(/Dry run/).uncheck();
    await page.getByLabel(/Full run/).uncheck();
    await page.getByRole('button', { name: 'Start sync run' }).click();
    await page.getByText(/^Started: Delta run queued/).waitFor();
    await page.getByRole('button', { name: 'Start sync run' }).click();
    await page.getByText(/still in progress.*\(HTTP 409, syncRunInProgress\)/).waitFor();
    await harness.queues.drain();
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => page.getByRole('cell', { name: 'succeeded', exact: true }).count()).toBe(2);
    await page.getByRole('button', { name: /^Report of the Full dry run/ }).click();
    await expect.poll(() => page.evaluate('document.activeElement?.textContent ?? ""')).toMatch(/^Report: Full dry run queued/);
  });
});

describe('the Provisioning log screen', () => {
  it('pages through an integration’s log, newest first', async () => {
    const { page } = session;
    await page.getByRole('link', { name: 'Provisioning log' }).click();
    await page.getByLabel('Integration').selectOption({ label: 'Contoso Entra' });
    await caption(page).getByText(/\(25 shown, more available\)$/).waitFor();
    expect(await page.locator('tbody tr').first().innerText()).toMatch(/SCIM\s+create\s+User Grace Hopper/);
    await page.getByRole('button', { name: 'More entries' }).click();
    await caption(page).getByText(/\(32 shown\)$/).waitFor();
    expect(await page.getByRole('button', { name: 'More entries' }).isHidden()).toBe(true);
  });

  it('narrows the log to one resource, then to a time range', async () => {
    const { page } = session;
    await page.getByRole('button', { name: `Only this resource (${adaId})` }).click();
    await caption(page).getByText(/\(1 shown\)$/).waitFor();
    expect(await page.getByLabel('Resource id').inputValue()).toBe(adaId);

    await page.getByLabel('Resource id').fill('');
    await page.getByLabel('From').fill(localTime(started - 10.5 * MINUTE_MS));
    await page.getByLabel('To').fill(localTime(started - 4.5 * MINUTE_MS));
    await page.getByRole('button', { name: 'Show entries' }).click();
    await caption(page).getByText(/\(6 shown\)$/).waitFor();
    expect(await page.locator('tbody th + td + td + td code').allInnerTexts()).toEqual(['earlier-5', 'earlier-6', 'earlier-7', 'earlier-8', 'earlier-9', 'earlier-10']);
    await session.checkScreen('provisioning-log');
  });

  it('shows a reversed time range refused by the API as a readable error', async () => {
    const { page } = session;
    await page.getByLabel('From').fill(localTime(started));
    await page.getByLabel('To').fill(localTime(started - 60 * MINUTE_MS));
    await page.getByRole('button', { name: 'Show entries' }).click();
    await page.getByText('from must not be later than to (HTTP 400, invalidRequest)').waitFor();
  });

  it('logged nothing but the refusals it provoked (the run in progress, the reversed range)', () => {
    expect(session.browser.problems).toEqual([
      'console error: Failed to load resource: the server responded with a status of 409 (Conflict)',
      'console error: Failed to load resource: the server responded with a status of 400 (Bad Request)',
    ]);
  });
});
