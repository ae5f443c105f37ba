// An integration's life through the admin API, on the real registrations and Azurite: rename, rotation with a grace
// period as SCIM sees it, the connection check (our own SCIM endpoint called as Entra's Test Connection does), the
// activity (last provisioning log entry, last sync run), and delete: confirmation, the deleting state (SCIM 401 at
// once), then everything it imported (its targeting attributes too) removed by the resumable deletion, the other
// integrations' data kept.
import { InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConnection } from '../../shared/admin-api/connection-check.js';
import { DELETION_QUIET_MS } from '../../shared/directory/integration-deletion.js';
import { createIntegrationDeletion } from '../../shared/integration-deletion-services.js';
import { ProvisioningLogRepository } from '../../shared/storage/provisioning-log-repository.js';
import { SyncRunRepository } from '../../shared/storage/sync-run-repository.js';
import { filterQuery, ScimClient, startTestHost, type TestHost } from '../support/test-host.js';

let host: TestHost;
let n = 0;
const unique = (): string => `${Date.now().toString(36)}${++n}`;
const HOUR = 60 * 60 * 1000;

beforeAll(async () => {
  host = await startTestHost();
});
afterAll(async () => host.close());

const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  host.admin(path, { method, headers: { 'content-type': 'application/json', ...headers }, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });

async function expectError(response: Response, status: number, mentions: RegExp): Promise<void> {
  expect(response.status).toBe(status);
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(body.error.message).toMatch(mentions);
}

const userBody = (userName: string, extra: Record<string, unknown> = {}) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName,
  active: true,
  displayName: `Name of ${userName}`,
  externalId: `ext-${userName}`,
  ...extra,
});

describe('rename', () => {
  it('renames one integration and answers its view; bad bodies are 400s naming the field', async () => {
    const { id } = await host.createIntegration('matchOnly', 'Before');
    const renamed = await send('PATCH', `/integrations/${id}`, { displayName: '  After  ' });
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toMatchObject({ id, displayName: 'After', status: 'active' });
    expect((await host.adminJson(`/integrations/${id}`)).displayName).toBe('After');

    await expectError(await send('PATCH', `/integrations/${id}`, {}), 400, /displayName/);
    await expectError(await send('PATCH', `/integrations/${id}`, { displayName: '' }), 400, /displayName is required/);
    await expectError(await send('PATCH', `/integrations/${id}`, { displayName: 'x', secretToken: 'y' }), 400, /secretToken/);
    await expectError(await send('PATCH', `/integrations/${id}`, '{not json'), 400, /not valid JSON/);
    await expectError(await send('PATCH', '/integrations/00000000000000000000000000000000', { displayName: 'x' }), 404, /not found/);
    await expectError(await send('PATCH', '/integrations', { displayName: 'x' }), 405, /one integration/);
  });
});

describe('rotation with a grace period', () => {
  it('answers the new token and the end of the grace period (24 h by default); both tokens work until then', async () => {
    const created = await host.createIntegration();
    const before = Date.now();
    const response = await send('POST', `/integrations/${created.id}/secret-token/rotate`);
    expect(response.status).toBe(200);
    const rotated = (await response.json()) as { secretToken: string; previousTokenValidUntil: string; gracePeriodHours: number };
    expect(rotated.gracePeriodHours).toBe(24);
    expect(Date.parse(rotated.previousTokenValidUntil)).toBeGreaterThanOrEqual(before + 24 * HOUR);
    expect(Date.parse(rotated.previousTokenValidUntil)).toBeLessThanOrEqual(Date.now() + 24 * HOUR);
    expect((await host.adminJson(`/integrations/${created.id}`)).previousTokenValidUntil).toBe(rotated.previousTokenValidUntil);

    for (const token of [created.secretToken, rotated.secretToken]) {
      expect((await new ScimClient(created.tenantUrl, token).get('/Users?count=1')).status).toBe(200);
    }
    const revealed = (await (await send('POST', `/integrations/${created.id}/secret-token/reveal`)).json()) as any;
    expect(revealed.secretToken).toBe(rotated.secretToken);
  });

  it('ends the old token at once with gracePeriodHours 0, and refuses a bad grace period', async () => {
    const created = await host.createIntegration();
    const response = await send('POST', `/integrations/${created.id}/secret-token/rotate`, { gracePeriodHours: 0 });
    expect(response.status).toBe(200);
    const rotated = (await response.json()) as { secretToken: string };
    expect((await new ScimClient(created.tenantUrl, created.secretToken).get('/Users?count=1')).status).toBe(401);
    expect((await new ScimClient(created.tenantUrl, rotated.secretToken).get('/Users?count=1')).status).toBe(200);

    await expectError(await send('POST', `/integrations/${created.id}/secret-token/rotate`, { gracePeriodHours: -1 }), 400, /gracePeriodHours/);
    await expectError(await send('POST', `/integrations/${created.id}/secret-token/rotate`, { gracePeriodHours: 721 }), 400, /gracePeriodHours must be at most 720/);
    await expectError(await send('POST', `/integrations/${created.id}/secret-token/rotate`, { gracePeriodHours: '24' }), 400, /gracePeriodHours/);
    await expectError(await send('POST', `/integrations/${created.id}/secret-token/rotate`, { grace: 1 }), 400, /grace/);
    // None of the refused calls rotated.
    expect((await new ScimClient(created.tenantUrl, rotated.secretToken).get('/Users?count=1')).status).toBe(200);
  });
});

describe('connection check', () => {
  it('calls the SCIM endpoint as Entra does and reports status and timing, never the token', async () => {
    const created = await host.createIntegration();
    const response = await send('POST', `/integrations/${created.id}/connection-check`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain(created.secretToken);
    const check = JSON.parse(text);
    expect(check).toMatchObject({ id: created.id, ok: true, status: 200 });
    expect(check.durationMs).toBeGreaterThanOrEqual(0);
    expect(check.request).toMatch(new RegExp(`^GET ${created.tenantUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/Users\\?filter=userName%20eq%20%22[0-9a-f-]{36}%22$`));
  });

  it('reports a token the endpoint refuses as a failed check (401)', async () => {
    const created = await host.createIntegration();
    const row = await host.services.tables.integrations.getEntity<Record<string, unknown>>('integration', created.id);
    await host.services.secrets.set(String(row.tokenSecretName), 'not-the-token-the-row-knows');
    const check = await (await send('POST', `/integrations/${created.id}/connection-check`)).json();
    expect(check).toMatchObject({ ok: false, status: 401, detail: expect.stringMatching(/refused the Secret Token/) as string });
  });

  it('is a 404 for an unknown integration and a 409 for a Graph integration', async () => {
    await expectError(await send('POST', '/integrations/00000000000000000000000000000000/connection-check'), 404, /not found/);
    const graph = await send('POST', '/integrations', {
      displayName: 'Graph',
      method: 'graph',
      graph: { tenantId: '11111111-2222-4333-8444-555555555555', clientId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', clientSecret: 's', groupSelection: { mode: 'all' } },
    });
    const { id } = (await graph.json()) as { id: string };
    await expectError(await send('POST', `/integrations/${id}/connection-check`), 409, /Graph integration/);
  });
});

describe('activity', () => {
  it('shows nothing for a new integration, then the newest provisioning log entry and sync run', async () => {
    const { id } = await host.createIntegration();
    expect(await host.adminJson(`/integrations/${id}/activity`)).toEqual({ id, lastProvisioning: null, lastSyncRun: null, lookbackDays: 30 });

    const now = Date.now();
    const at = (ago: number) => new Date(now - ago).toISOString();
    const entry = { integrationId: id, source: 'scim', operation: 'create', resourceType: 'User', outcome: 'success', status: 201, correlationId: 'c1' } as const;
    await new ProvisioningLogRepository(host.services.tables.provisioninglog).append([
      { ...entry, at: at(3 * HOUR), displayName: 'older' },
      { ...entry, at: at(HOUR), operation: 'update', status: 200, displayName: 'newer' },
    ]);
    const runId = 'r0001';
    await new SyncRunRepository(host.services.tables.syncruns).createRunHoldingLock(
      { integrationId: id, runId, kind: 'full', dryRun: false, trigger: 'admin', status: 'succeeded', phase: 1, outstandingSteps: 0, stepsCompleted: 3, queuedAt: at(2 * HOUR), startedAt: at(2 * HOUR), endedAt: at(HOUR), counters: {}, samples: {}, errors: [], errorCount: 0 },
      { integrationId: id, runId, acquiredAt: at(2 * HOUR), expiresAt: at(HOUR), releasedAt: at(HOUR) },
    );
    const activity = await host.adminJson(`/integrations/${id}/activity`);
    expect(activity.lastProvisioning).toEqual({ at: at(HOUR), source: 'scim', operation: 'update', resourceType: 'User', outcome: 'success', status: 200 });
    expect(activity.lastSyncRun).toMatchObject({ runId, kind: 'full', trigger: 'admin', status: 'succeeded', errorCount: 0 });
    await expectError(await host.admin('/integrations/00000000000000000000000000000000/activity'), 404, /not found/);
  });
});

describe('authorization of the new routes', () => {
  it('refuses every one without the function key or with a wrong one', async () => {
    const { id } = await host.createIntegration();
    const routes: [string, string][] = [
      ['PATCH', `/integrations/${id}`],
      ['DELETE', `/integrations/${id}`],
      ['POST', `/integrations/${id}/connection-check`],
      ['GET', `/integrations/${id}/activity`],
    ];
    for (const [method, path] of routes) {
      expect((await fetch(`${host.url}/api/admin${path}`, { method })).status).toBe(401);
      expect((await fetch(`${host.url}/api/admin${path}`, { method, headers: { 'x-functions-key': 'wrong' } })).status).toBe(401);
    }
    expect((await host.adminJson(`/integrations/${id}`)).status).toBe('active');
  });
});

/** Every row of the host's tables that names the integration in a key, a property name or a value. */
async function rowsNaming(id: string): Promise<string[]> {
  const found: string[] = [];
  for (const [name, table] of Object.entries(host.services.tables)) {
    if (name === 'provisioninglog') continue; // kept until its retention removes the day
    for await (const entity of table.listEntities<Record<string, unknown>>()) {
      const keys = `${entity.partitionKey}/${entity.rowKey}`;
      const named = Object.entries(entity).some(([property, value]) => property.includes(id) || (property !== 'etag' && String(value).includes(id)));
      if (keys.includes(id) || named) found.push(`${name}:${keys}`);
    }
  }
  return found;
}

describe('delete with everything it imported', () => {
  it('needs the display name as confirmation', async () => {
    const { id } = await host.createIntegration('matchOnly', 'Keep me');
    await expectError(await send('DELETE', `/integrations/${id}`), 400, /confirmDisplayName is required/);
    await expectError(await send('DELETE', `/integrations/${id}`, { confirmDisplayName: 'keep me' }), 400, /display name exactly/);
    await expectError(await send('DELETE', '/integrations/00000000000000000000000000000000', { confirmDisplayName: 'x' }), 404, /not found/);
    await expectError(await send('DELETE', '/integrations', { confirmDisplayName: 'x' }), 405, /one integration/);
    expect((await host.adminJson(`/integrations/${id}`)).status).toBe('active');
  });

  it('marks it deleting (SCIM 401 at once), then removes its groups, memberships, records, staged users and rows, resuming after a crash', async () => {
    const tag = unique();
    const shared = `shared${tag}@contoso.com`;
    const imported = (await (await send('POST', '/users', [{ username: `CONTOSO\\shared${tag}`, upn: shared, displayName: 'Shared person' }])).json()) as any;
    const sharedId = imported.results[0].id as string;
    const doomed = await host.createIntegration('create', `Doomed ${tag}`);
    const other = await host.createIntegration('matchOnly', `Other ${tag}`);
    const a = new ScimClient(doomed.tenantUrl, doomed.secretToken);
    const b = new ScimClient(other.tenantUrl, other.secretToken);

    // A writes its record of the shared Content Manager user and deletes it (a deleted-record marker), creates three
    // users (one B also knows, one it deletes again); B stages a user of its own. Groups on both sides.
    const onShared = await a.get(`/Users?${filterQuery(`userName eq "${shared}"`)}`);
    const sharedInA = onShared.body.Resources[0].id as string;
    const patchOp = { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'displayName', value: 'A writes' }] };
    expect((await a.patch(`/Users/${sharedInA}`, patchOp)).status).toBe(200);
    const both = await a.post('/Users', userBody(`both${tag}@contoso.com`));
    const onlyA = await a.post('/Users', userBody(`onlya${tag}@contoso.com`));
    const goneA = await a.post('/Users', userBody(`gone${tag}@contoso.com`));
    for (const created of [both, onlyA, goneA]) expect(created.status).toBe(201);
    expect((await a.request('DELETE', `/Users/${sharedInA}`)).status).toBe(204);
    expect((await a.request('DELETE', `/Users/${goneA.body.id}`)).status).toBe(204);
    const bBoth = await b.get(`/Users?${filterQuery(`userName eq "both${tag}@contoso.com"`)}`);
    expect(bBoth.body.Resources[0].id).toBe(both.body.id);
    expect((await b.patch(`/Users/${both.body.id}`, patchOp)).status).toBe(200);
    const bOwn = await b.post('/Users', userBody(`bown${tag}@contoso.com`));
    expect(bOwn.status).toBe(201);
    const groupA = await a.post('/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `A group ${tag}`, externalId: `ga${tag}`, members: [{ value: both.body.id }, { value: onlyA.body.id }] });
    const groupB = await b.post('/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `B group ${tag}`, members: [{ value: both.body.id }, { value: bOwn.body.id }] });
    expect([groupA.status, groupB.status]).toEqual([201, 201]);
    const attribute = await send('POST', '/targeting-attributes', { name: `Department ${tag}`, integrationId: doomed.id, path: 'displayName' });
    expect(attribute.status).toBe(201);
    const attributeId = ((await attribute.json()) as any).id as string;
    expect((await rowsNaming(doomed.id)).length).toBeGreaterThan(5);

    // The delete: answered at once with the deleting state; A's token is refused from now on, B's still works.
    const response = await send('DELETE', `/integrations/${doomed.id}`, { confirmDisplayName: `Doomed ${tag}` });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ id: doomed.id, status: 'deleting', deletion: { phase: 'targeting', people: 0, rows: 0 } });
    expect((await a.get('/Users?count=1')).status).toBe(401);
    expect((await b.get('/Users?count=1')).status).toBe(200);
    const listed = (await host.adminJson('/integrations')).integrations.find((i: any) => i.id === doomed.id);
    expect(listed).toMatchObject({ status: 'deleting' });
    await expectError(await send('POST', `/integrations/${doomed.id}/secret-token/reveal`), 409, /being deleted/);
    await expectError(await send('POST', `/integrations/${doomed.id}/secret-token/rotate`), 409, /being deleted/);
    await expectError(await send('PATCH', `/integrations/${doomed.id}`, { displayName: 'rescue' }), 409, /being deleted/);
    // A second DELETE is accepted (no confirmation needed to go on) and still within the quiet period.
    expect((await send('DELETE', `/integrations/${doomed.id}`, { confirmDisplayName: 'anything' })).status).toBe(202);

    // Within the quiet period nothing is removed.
    let clock = Date.now();
    const options = { now: () => clock, peoplePageSize: 1, rowsPageSize: 3 };
    expect(await createIntegrationDeletion(host.services, options).continue(doomed.id, Number.POSITIVE_INFINITY)).toBe('waiting');
    clock += DELETION_QUIET_MS;

    // A runner that crashes after a few people: its progress is on the row, and another runner goes on from there.
    let forgotten = 0;
    const crashing = createIntegrationDeletion(
      {
        ...host.services,
        people: {
          forgetSource: async (integrationId: string, id: string) => {
            if (++forgotten > 2) throw new Error('injected crash');
            await host.services.people.forgetSource(integrationId, id);
          },
        } as typeof host.services.people,
      },
      options,
    );
    await expect(crashing.continue(doomed.id, Number.POSITIVE_INFINITY)).rejects.toThrow('injected crash');
    const halfway = await host.adminJson(`/integrations/${doomed.id}`);
    expect(halfway).toMatchObject({ status: 'deleting', deletion: { phase: 'people', people: 2 } });
    expect(halfway.deletion.rows).toBeGreaterThan(0);

    // Two runners at once: each page is claimed by one ETag-guarded progress write, and the work ends.
    const outcomes = await Promise.all([
      createIntegrationDeletion(host.services, options).continue(doomed.id, Number.POSITIVE_INFINITY),
      createIntegrationDeletion(host.services, options).continue(doomed.id, Number.POSITIVE_INFINITY),
    ]);
    expect(outcomes).toContain('deleted');
    expect(await createIntegrationDeletion(host.services, options).continue(doomed.id, Number.POSITIVE_INFINITY)).toBe('deleted');

    // Gone: the row, its secret, every row naming it; the people it wrote keep only what others wrote.
    expect((await host.admin(`/integrations/${doomed.id}`)).status).toBe(404);
    expect(await host.services.secrets.get(`scim-token-${doomed.id}`)).toBeUndefined();
    expect(await rowsNaming(doomed.id)).toEqual([]);
    expect((await host.adminJson('/targeting-attributes')).attributes.map((a: any) => a.id)).not.toContain(attributeId);
    const sharedNow = await host.adminJson(`/users/${sharedId}`);
    expect(sharedNow).toMatchObject({ id: sharedId, upn: shared });
    expect(sharedNow.sources ?? []).toEqual([]);
    expect((await host.admin(`/users/${onlyA.body.id}`)).status).toBe(404);
    expect((await host.admin(`/users/${goneA.body.id}`)).status).toBe(404);
    // The user A created and B also knows stays in B's view (no longer a Content Manager user A made), in B's group.
    const bView = await b.get(`/Users?${filterQuery(`userName eq "both${tag}@contoso.com"`)}`);
    expect(bView.body.Resources.map((r: any) => r.id)).toEqual([both.body.id]);
    const bGroup = await b.get(`/Groups/${groupB.body.id}`);
    expect(bGroup.body.members.map((m: any) => m.value).sort()).toEqual([both.body.id, bOwn.body.id].sort());
    expect((await host.admin(`/users/${both.body.id}`)).status).toBe(404); // staged now: not a Content Manager user
  });
});

describe('deleting a Graph integration', () => {
  it('disables its sync at once and removes its client secret with the row', async () => {
    const response = await send('POST', '/integrations', {
      displayName: 'Graph doomed',
      method: 'graph',
      graph: { tenantId: '11111111-2222-4333-8444-555555555555', clientId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', clientSecret: 'client-secret', groupSelection: { mode: 'all' } },
    });
    const { id } = (await response.json()) as { id: string };
    expect((await send('DELETE', `/integrations/${id}`, { confirmDisplayName: 'Graph doomed' })).status).toBe(202);
    expect(await host.services.tables.integrations.getEntity('integration', id)).toMatchObject({ enabled: false, status: 'deleting' });
    // Its settings cannot be saved (nor the sync enabled again) while it is being deleted.
    const settings = { tenantId: '11111111-2222-4333-8444-555555555555', clientId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', groupSelection: { mode: 'all' }, enabled: true };
    await expectError(await send('PUT', `/integrations/${id}/graph`, settings), 409, /being deleted/);
    expect(await host.services.tables.integrations.getEntity('integration', id)).toMatchObject({ enabled: false });
    const clock = Date.now() + DELETION_QUIET_MS;
    expect(await createIntegrationDeletion(host.services, { now: () => clock }).continue(id, Number.POSITIVE_INFINITY)).toBe('deleted');
    expect(await host.services.secrets.get(`graph-client-secret-${id}`)).toBeUndefined();
  });
});

describe('the deletion timer', () => {
  it('goes on with every integration being deleted and logs one summary line', async () => {
    const { id } = await host.createIntegration('matchOnly', 'Timer');
    expect((await send('DELETE', `/integrations/${id}`, { confirmDisplayName: 'Timer' })).status).toBe(202);
    const lines: string[] = [];
    const context = new InvocationContext({ invocationId: 'timer-1', logHandler: (_level, ...args) => lines.push(args.map(String).join(' ')) });
    // Imported once the host has installed its Functions core (the module registers the timer on import).
    const { continueIntegrationDeletions } = await import('../../functions/integration-deletion-timer.js');
    await continueIntegrationDeletions({}, context);
    const summary = lines.map((line) => JSON.parse(line)).find((line) => line.operation === 'integrationDeletion.timer');
    expect(summary.outcomes[id]).toBe('waiting'); // within its quiet period
  });
});

describe('the connection check itself', () => {
  it('reports an endpoint that does not answer in time, one that cannot be reached, and a 200 that is no ListResponse', async () => {
    const hang: typeof fetch = (_url, init) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason as Error)));
    expect(await checkConnection('https://x.example/api/scim/a/v2', 'secret', { fetch: hang, timeoutInMs: 20 })).toMatchObject({
      ok: false,
      status: null,
      detail: 'The SCIM endpoint did not answer within 20 ms.',
    });
    const refuse: typeof fetch = () => Promise.reject(new TypeError('fetch failed'));
    expect(await checkConnection('https://x.example/api/scim/a/v2', 'secret', { fetch: refuse })).toMatchObject({ ok: false, status: null, detail: 'The SCIM endpoint could not be reached.' });
    const html: typeof fetch = () => Promise.resolve(new Response('<html>sign in</html>', { status: 200 }));
    const check = await checkConnection('https://x.example/api/scim/a/v2', 'secret', { fetch: html });
    expect(check).toMatchObject({ ok: false, status: 200, detail: 'The SCIM endpoint answered HTTP 200 without a SCIM ListResponse.' });
    expect(JSON.stringify(check)).not.toContain('secret');
  });
});
