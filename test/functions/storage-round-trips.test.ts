// The data layout's promise, counted at the storage boundary: Entra's match GET is one storage round trip, and a
// PATCH of a matched user is one read plus one entity-group transaction.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStorageProxy, type StorageProxy } from '../support/storage-proxy.js';
import { filterQuery, ScimClient, startTestHost, type TestHost } from '../support/test-host.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let proxy: StorageProxy;
let host: TestHost;
let scim: ScimClient;
const upns = Array.from({ length: 20 }, (_, i) => `Round.Trip${i}@Contoso.com`);

beforeAll(async () => {
  proxy = await startStorageProxy(String(process.env.AzureWebJobsStorage));
  // The request's own round trips: the provisioning log's background write is counted in provisioning-log-hook.test.ts.
  host = await startTestHost({ connectionString: proxy.connectionString, recordProvisioningLog: false });
  const integration = await host.createIntegration('matchOnly');
  scim = new ScimClient(integration.tenantUrl, integration.secretToken);
  const response = await host.admin('/users', { method: 'POST', body: JSON.stringify(upns.map((upn) => ({ username: upn, upn }))), headers: { 'content-type': 'application/json' } });
  expect(response.status).toBe(200);
  await scim.get('/Users?count=1'); // authenticates once: the integration row is then cached
});
afterAll(async () => {
  await host.close();
  await proxy.close();
});

describe('storage round trips', () => {
  it('a match GET by userName (any case) is one point read, for every user', async () => {
    for (const upn of upns) {
      proxy.reset();
      const response = await scim.get(`/Users?${filterQuery(`userName eq "${upn.toUpperCase()}"`)}`);
      expect(response.body.totalResults).toBe(1);
      expect(proxy.requests).toHaveLength(1);
      expect(proxy.requests[0]).toMatch(/^GET .*people\(PartitionKey='b[0-9a-f]{2}',RowKey='u%3A/);
    }
  });

  it('a miss is two point reads: the shared name, then this integration\'s own names', async () => {
    proxy.reset();
    expect((await scim.get(`/Users?${filterQuery('userName eq "nobody@contoso.com"')}`)).body.totalResults).toBe(0);
    expect(proxy.requests).toHaveLength(2);
    expect(proxy.requests[0]).toMatch(/RowKey='u%3A/);
    expect(proxy.requests[1]).toMatch(/RowKey='s%3A/);
  });

  it('a PATCH of a matched user is one read and one transaction (once its attribute paths are catalogued); the first adds the integration\'s own name', async () => {
    const [first, second] = await Promise.all(upns.slice(0, 2).map(async (upn) => (await scim.get(`/Users?${filterQuery(`userName eq "${upn}"`)}`)).body.Resources[0].id as string));
    const body = { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', value: 'Retail' }] };
    const rows = () => proxy.requests.map((r) => r.replace(/\(.*$/, '').replace(/\/devstoreaccount1\/[a-z0-9]*people/, ' people'));
    expect((await scim.patch(`/Users/${first}`, body)).status).toBe(200);
    proxy.reset();
    // The integration's first record of the user: its own name is a pointer in the user's partition (the UPN's
    // bucket), created in the same transaction as the user's row.
    expect((await scim.patch(`/Users/${second}`, body)).status).toBe(200);
    expect(rows()).toEqual(['GET  people', 'POST /devstoreaccount1/$batch']);
    proxy.reset();
    expect((await scim.patch(`/Users/${second}`, { ...body, Operations: [{ ...body.Operations[0], value: 'Finance' }] })).status).toBe(200);
    expect(rows()).toEqual(['GET  people', 'POST /devstoreaccount1/$batch']);
  });

  it('a PATCH giving a matched user new indexed values (Entra\'s first: displayName, work e-mail) adds one claim per value, before the transaction, and nothing after', async () => {
    const id = (await scim.get(`/Users?${filterQuery(`userName eq "${upns[2]}"`)}`)).body.Resources[0].id as string;
    const body = (name: string) => ({
      schemas: [PATCH_OP],
      Operations: [
        { op: 'Replace', path: 'displayName', value: name },
        { op: 'Replace', path: 'emails[type eq "work"].value', value: `${name.replace(' ', '.')}@mail.contoso.com` },
      ],
    });
    expect((await scim.patch(`/Users/${id}`, body('First Name'))).status).toBe(200);
    proxy.reset();
    expect((await scim.patch(`/Users/${id}`, body('Second Name'))).status).toBe(200);
    const rows = proxy.requests.map((r) => r.replace(/\(.*$/, '').replace(/\/devstoreaccount1\/[a-z0-9]*(people|userindex)/, ' $1'));
    // The read, the two new values' rows (created, stamped with the version the write commits), the transaction; then
    // the two old values' rows, each read and deleted (guarded by the ETag read; no second read of the person).
    expect(rows).toEqual(['GET  people', 'POST  userindex', 'POST  userindex', 'POST /devstoreaccount1/$batch', 'GET  userindex', 'GET  userindex', 'DELETE  userindex', 'DELETE  userindex']);
  });

  it('a POST of a new userName in create mode is the index rows it needs and one transaction; its DELETE reads the user once', async () => {
    const created = await host.createIntegration('create', 'Round trips, create mode');
    const client = new ScimClient(created.tenantUrl, created.secretToken);
    const rows = () => proxy.requests.map((r) => r.replace(/\(.*$/, '').replace(/\/devstoreaccount1\/[a-z0-9]*(people|userindex|integrations|members)/, ' $1'));
    const user = (i: number) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `new.${i}@contoso.com`, externalId: `new${i}`, displayName: `New ${i}`, active: true });
    expect((await client.post('/Users', user(0))).status).toBe(201); // catalogues the attribute paths once
    proxy.reset();
    const response = await client.post('/Users', user(1));
    expect(response.status).toBe(201);
    // The name is taken as new (the transaction creates its rows, and fails if anyone holds them): no read. The index
    // rows are one per value, each in its own partition (an eq filter is then one partition query): the Content
    // Manager displayName, and this integration's externalId; its displayName is the Content Manager's, which the cm
    // row finds (every lookup reads both scopes).
    expect(rows()).toEqual(['POST  userindex', 'POST  userindex', 'POST /devstoreaccount1/$batch']);
    proxy.reset();
    expect((await client.delete(`/Users/${String(response.body.id)}`)).status).toBe(204);
    // Read, the departure (the user leaves every view: member-departures.ts), tombstone with the key rows, the
    // tombstone's removal, the first departure of this process's pruning of old departures, the index rows, then the
    // memberships in each of the two integrations.
    expect(rows()).toEqual(['GET  people', 'PUT  members', 'POST /devstoreaccount1/$batch', 'DELETE  people', 'GET  members', 'DELETE  userindex', 'DELETE  userindex', 'DELETE  userindex', 'GET  integrations', 'GET  members', 'GET  members']);
  });

  it('a member add of users its integration matched by GET reads none of them (Entra matches every user before it adds it)', async () => {
    const ids: string[] = [];
    for (const upn of upns) {
      const found = await scim.get(`/Users?${filterQuery(`userName eq "${upn}"`)}`);
      ids.push(String(found.body.Resources[0].id));
    }
    const group = await scim.post('/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Matched' });
    expect(group.status).toBe(201);
    proxy.reset();
    const added = await scim.patch(`/Groups/${String(group.body.id)}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: ids.map((value) => ({ value })) }] });
    expect(added.status).toBe(204);
    const tables = proxy.requests.map((r) => r.replace(/\(.*$/, '').replace(/\/devstoreaccount1\/[a-z0-9]*(people|groups|members)/, ' $1'));
    expect(tables.filter((row) => row.endsWith('people'))).toEqual([]);
    // Both sides (at most 1 + 4 transactions), one settling query (the 20 ids' key range), the departures, the group twice.
    expect(tables.filter((row) => row === 'GET  members')).toHaveLength(2);
    expect(tables.length).toBeLessThanOrEqual(9);
  });

  it('a 100-member add of users this instance has seen reads none of them: the departures record once, in their place', async () => {
    const created = await host.createIntegration('create', 'Round trips, member adds');
    const client = new ScimClient(created.tenantUrl, created.secretToken);
    const ids = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const response = await client.post('/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `member.${i}@contoso.com`, active: true });
        expect(response.status).toBe(201);
        return String(response.body.id);
      }),
    );
    const group = await client.post('/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Hundred' });
    expect(group.status).toBe(201);
    proxy.reset();
    const added = await client.patch(`/Groups/${String(group.body.id)}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: ids.map((value) => ({ value })) }] });
    expect(added.status).toBe(204);
    const counts = new Map<string, number>();
    for (const row of proxy.requests.map((r) => r.replace(/\(.*$/, '').replace(/\/devstoreaccount1\/[a-z0-9]*(people|groups|members)/, ' $1'))) counts.set(row, (counts.get(row) ?? 0) + 1);
    // The group read, both sides written (one transaction on the group side, one per member-side partition: four),
    // the settling read (one query of the 100 ids' key range, which holds nothing else: by key it took eight queries
    // of 14, the service's limit of comparisons), the departures since the trust window, and the group's existence
    // after the writes. Without the record: a point read per member, 100 more.
    expect(Object.fromEntries(counts)).toEqual({ 'GET  groups': 2, 'POST /devstoreaccount1/$batch': 5, 'GET  members': 2 });
  });
});
