// The provisioning log end to end on the local host: SCIM writes recorded at the SCIM edge (operation, resource,
// status, outcome, correlation id; no token, no attribute value beyond the display name), the answer not waiting for
// the log's write, and GET /api/admin/integrations/{id}/provisioning-log (auth, paging, filters, bad parameters).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScimClient, startTestHost, TEST_FUNCTIONS_KEY, type TestHost } from '../support/test-host.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

let host: TestHost;
let integration: { id: string; tenantUrl: string; secretToken: string };
let scim: ScimClient;

beforeAll(async () => {
  host = await startTestHost();
  integration = await host.createIntegration('create', 'Provisioning log');
  scim = new ScimClient(integration.tenantUrl, integration.secretToken);
});
afterAll(async () => host.close());

const logPath = (query = ''): string => `/integrations/${integration.id}/provisioning-log${query === '' ? '' : `?${query}`}`;

async function entries(query = ''): Promise<any[]> {
  await host.services.provisioningLog.flush();
  const response = await host.admin(logPath(query));
  expect(response.status).toBe(200);
  return ((await response.json()) as { entries: any[] }).entries;
}

async function createUser(userName: string, displayName: string): Promise<string> {
  const created = await scim.post('/Users', {
    schemas: [CORE_USER, ENTERPRISE],
    userName,
    displayName,
    emails: [{ value: `mail.${userName}`, type: 'work', primary: true }],
    name: { givenName: 'Secretgiven', familyName: 'Secretfamily' },
    [ENTERPRISE]: { department: 'Secretdepartment' },
  });
  expect(created.status).toBe(201);
  return String(created.body.id);
}

describe('SCIM writes in the provisioning log', () => {
  it('records a POST, a PATCH and a DELETE with status, outcome, display name and correlation id, newest first', async () => {
    const id = await createUser('ada.log@contoso.com', 'Ada Lovelace');
    const patched = await scim.patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Countess' }] }, { 'x-ms-request-id': 'entra-req-0001' });
    expect(patched.status).toBe(200);
    expect((await scim.request('DELETE', `/Users/${id}`, undefined, { 'x-ms-request-id': 'entra-req-0002' })).status).toBe(204);
    const rows = await entries(`resource=${id}`);
    expect(rows.map((row) => [row.operation, row.status, row.outcome])).toEqual([
      ['delete', 204, 'success'],
      ['update', 200, 'success'],
      ['create', 201, 'success'],
    ]);
    expect(rows[0]).toMatchObject({ source: 'scim', resourceType: 'User', resourceId: id, displayName: null, correlationId: 'entra-req-0002', errorType: null });
    expect(rows[1]).toMatchObject({ resourceId: id, displayName: 'Ada Lovelace', correlationId: 'entra-req-0001' });
    // Without x-ms-request-id: the invocation id (a GUID the host's log lines carry too).
    expect(rows[2].correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(rows[0].at)).toBeGreaterThanOrEqual(Date.parse(rows[2].at));
  });

  it('records a refused write with its status and scimType, and a group write of a 204', async () => {
    const bad = await scim.patch('/Users/not-a-user-id', { schemas: [PATCH_OP] }, { 'x-ms-request-id': 'entra-req-bad' });
    expect(bad.status).toBe(400);
    const group = await scim.post('/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Log Readers' });
    expect(group.status).toBe(201);
    expect((await scim.patch(`/Groups/${group.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Log Writers' }] })).status).toBe(204);
    const [refused] = await entries('resource=not-a-user-id');
    expect(refused).toMatchObject({ operation: 'update', resourceType: 'User', status: 400, outcome: 'clientError', correlationId: 'entra-req-bad' });
    expect(refused.errorType).toEqual(expect.any(String));
    const groupRows = await entries(`resource=${group.body.id}`);
    expect(groupRows.map((row) => [row.operation, row.status, row.resourceType, row.displayName])).toEqual([
      ['update', 204, 'Group', null],
      ['create', 201, 'Group', 'Log Readers'],
    ]);
  });

  it('records neither reads, nor requests that fail authentication', async () => {
    const before = (await entries('pageSize=200')).length;
    expect((await scim.get('/Users')).status).toBe(200);
    const stranger = new ScimClient(integration.tenantUrl, 'not-the-token');
    expect((await stranger.post('/Users', { schemas: [CORE_USER], userName: 'x@contoso.com' })).status).toBe(401);
    expect(await entries('pageSize=200')).toHaveLength(before);
  });

  it('keeps the token, the userName and every attribute value other than the display name out of its rows', async () => {
    await createUser('grace.private@contoso.com', 'Grace Hopper');
    await host.services.provisioningLog.flush();
    const texts: string[] = [];
    for await (const row of host.services.tables.provisioninglog.listEntities()) texts.push(JSON.stringify(row));
    const all = texts.join('\n');
    expect(all).toContain('Grace Hopper');
    for (const secret of [integration.secretToken, 'grace.private', 'Secretgiven', 'Secretfamily', 'Secretdepartment', 'mail.', 'Countess', 'Bearer']) {
      expect(all, secret).not.toContain(secret);
    }
  });

  it('answers a write without waiting for the log: the write of the log is held and the answer still comes', async () => {
    const table = host.services.tables.provisioninglog;
    const submit = table.submitTransaction.bind(table);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let logWrites = 0;
    table.submitTransaction = async (actions, options) => {
      logWrites++;
      await held;
      return submit(actions, options);
    };
    try {
      const id = await createUser('held.log@contoso.com', 'Held Answer');
      expect(id).not.toBe('');
      release();
      await host.services.provisioningLog.flush();
      expect(logWrites).toBeGreaterThan(0);
    } finally {
      table.submitTransaction = submit;
      release();
    }
    expect((await entries('resource=' + (await scim.get('/Users?filter=userName%20eq%20%22held.log%40contoso.com%22')).body.Resources[0].id)).map((row) => row.displayName)).toEqual(['Held Answer']);
  });
});

describe('GET /api/admin/integrations/{id}/provisioning-log', () => {
  it('needs the function key', async () => {
    expect((await fetch(`${host.url}/api/admin${logPath()}`)).status).toBe(401);
    expect((await fetch(`${host.url}/api/admin${logPath()}`, { headers: { 'x-functions-key': `${TEST_FUNCTIONS_KEY}-wrong` } })).status).toBe(401);
  });

  it('answers 404 for an integration that does not exist', async () => {
    const response = await host.admin(`/integrations/${'0'.repeat(32)}/provisioning-log`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as any).error.code).toBe('notFound');
  });

  it('pages newest first with a continuation token, each entry once', async () => {
    for (const n of [1, 2, 3]) await createUser(`pager${n}@contoso.com`, `Pager ${n}`);
    const everything = await entries('pageSize=200');
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const response = await host.admin(logPath(`pageSize=2${token === undefined ? '' : `&continuationToken=${encodeURIComponent(token)}`}`));
      expect(response.status).toBe(200);
      const page = (await response.json()) as { entries: any[]; continuationToken?: string };
      expect(page.entries.length).toBeLessThanOrEqual(2);
      seen.push(...page.entries.map((row) => `${row.at} ${row.operation} ${row.resourceId}`));
      token = page.continuationToken;
    } while (token !== undefined);
    expect(seen).toEqual(everything.map((row) => `${row.at} ${row.operation} ${row.resourceId}`));
    expect([...seen].sort().reverse()).toEqual(seen);
  });

  it('keeps to the time range asked for and says which range it read', async () => {
    const all = await entries('pageSize=200');
    const middle = all[Math.floor(all.length / 2)].at as string;
    const response = await host.admin(logPath(`from=${encodeURIComponent(middle)}&to=${encodeURIComponent(middle)}&pageSize=200`));
    const body = (await response.json()) as any;
    expect(body.entries.length).toBeGreaterThan(0);
    expect(body.entries.every((row: any) => row.at === middle)).toBe(true);
    expect(body).toMatchObject({ integrationId: integration.id, from: middle, to: middle });
    const future = (await (await host.admin(logPath('from=2999-01-01'))).json()) as any;
    expect(future.entries).toEqual([]);
  });

  it.each([
    ['from=yesterday', 'from'],
    ['to=2025-13-45T00:00:00Z', 'to'],
    ['from=2025-01-31T10:00:00', 'from'], // no offset
    ['from=2025-02-01&to=2025-01-01', 'from'],
    ['pageSize=0', 'pageSize'],
    ['pageSize=201', 'pageSize'],
    ['pageSize=ten', 'pageSize'],
    [`resource=${'r'.repeat(257)}`, 'resource'],
  ])('answers 400 naming the parameter for %s', async (query, parameter) => {
    const response = await host.admin(logPath(query));
    expect(response.status).toBe(400);
    const body = (await response.json()) as any;
    expect(body.error.code).toBe('invalidRequest');
    expect(body.error.message).toContain(parameter);
  });

  it('answers 400 for a garbled continuation token and for one of another query', async () => {
    const garbled = await host.admin(logPath('continuationToken=%%%garbled'));
    expect(garbled.status).toBe(400);
    expect(((await garbled.json()) as any).error).toMatchObject({ code: 'invalidContinuationToken', message: expect.stringContaining('continuationToken') });
    const first = (await (await host.admin(logPath('pageSize=1'))).json()) as any;
    expect(first.continuationToken).toEqual(expect.any(String));
    const other = await host.createIntegration('create', 'Other log');
    const foreign = await host.admin(`/integrations/${other.id}/provisioning-log?continuationToken=${encodeURIComponent(first.continuationToken)}`);
    expect(foreign.status).toBe(400);
    expect(((await foreign.json()) as any).error.code).toBe('invalidContinuationToken');
    const otherResource = await host.admin(logPath(`resource=someone&continuationToken=${encodeURIComponent(first.continuationToken)}`));
    expect(otherResource.status).toBe(400);
  });
});
