// Values Azure Table Storage would refuse, over HTTP against the local host (whose storage is the strict proxy, so a
// write Azure would refuse fails here too): each answers a 400 or 413 naming what is too large, and leaves every row as
// it was; later writes of the same resource still work.
import { HttpRequest, InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminEndpoint } from '../../shared/admin-api/admin-http.js';
import { MAX_ATTRIBUTE_PATH_CHARS, MAX_CONTENT_MANAGER_FIELD_CHARS, MAX_GROUP_TEXT_CHARS } from '../../shared/directory/write-limits.js';
import { scimEndpoint } from '../../shared/scim-api/scim-endpoint.js';
import { ENTITY_BYTES_BUDGET, EntityLimitError, entitySizeInBytes } from '../../shared/storage/entity-limits.js';
import { PeopleRepository } from '../../shared/storage/people-repository.js';
import { personToProperties } from '../../shared/storage/person-entity.js';
import type { TableName } from '../../shared/storage/table-clients.js';
import { filterQuery, ScimClient, startTestHost, TEST_FUNCTIONS_KEY, type TestHost } from '../support/test-host.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const CUSTOM = 'urn:ietf:params:scim:schemas:extension:custom:2.0:User';
const LONG = 40_000;

let host: TestHost;
let scim: ScimClient;
let creating: ScimClient;

beforeAll(async () => {
  host = await startTestHost();
  const matchOnly = await host.createIntegration('matchOnly');
  scim = new ScimClient(matchOnly.tenantUrl, matchOnly.secretToken);
  const create = await host.createIntegration('create');
  creating = new ScimClient(create.tenantUrl, create.secretToken);
});
afterAll(() => host.close());

/** Every row of the given tables, with its ETag: equal snapshots mean nothing was written. */
async function snapshot(tables: TableName[] = ['people', 'userindex', 'groups', 'members', 'attributes']): Promise<string[]> {
  const rows: string[] = [];
  for (const name of tables) {
    for await (const row of host.services.tables[name].listEntities({ queryOptions: { select: ['PartitionKey', 'RowKey'] } })) {
      rows.push(`${name}|${row.partitionKey}|${row.rowKey}|${row.etag}`);
    }
  }
  return rows.sort();
}

function expectTooLong(response: { status: number; body: any }, attribute: string, limit: number): void {
  expect(response.status).toBe(400);
  expect(response.body.scimType).toBe('invalidValue');
  expect(response.body.detail).toBe(`${attribute} exceeds ${limit.toLocaleString('en-US')} characters.`);
}

let users = 0;
async function createUser(client = scim, extra: Record<string, unknown> = {}): Promise<{ id: string; userName: string }> {
  const userName = `size.user${++users}@contoso.com`;
  const response = await client.post('/Users', { userName, ...extra });
  expect(response.status).toBe(201);
  return { id: response.body.id, userName };
}

describe('groups', () => {
  it('a displayName or externalId of 40,000 characters is a 400 naming it, and no group is written', async () => {
    const before = await snapshot();
    expectTooLong(await scim.post('/Groups', { displayName: 'd'.repeat(LONG) }), 'displayName', MAX_GROUP_TEXT_CHARS);
    expectTooLong(await scim.post('/Groups', { displayName: 'Sized', externalId: 'e'.repeat(LONG) }), 'externalId', MAX_GROUP_TEXT_CHARS);
    expect(await snapshot()).toEqual(before);
    // Exactly the limit is stored (through the strict proxy), and the name was never taken.
    const stored = await scim.post('/Groups', { displayName: 'd'.repeat(MAX_GROUP_TEXT_CHARS), externalId: 'e'.repeat(MAX_GROUP_TEXT_CHARS) });
    expect(stored.status).toBe(201);
    expect((await scim.post('/Groups', { displayName: 'Sized' })).status).toBe(201);
  });

  it('a PATCH renaming a group to 40,000 characters is a 400 and leaves the group as it was', async () => {
    const group = (await scim.post('/Groups', { displayName: 'Rename me', externalId: 'rename-me' })).body;
    const before = await snapshot();
    for (const path of ['displayName', 'externalId']) {
      const response = await scim.patch(`/Groups/${group.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path, value: 'x'.repeat(LONG) }] });
      expectTooLong(response, path, MAX_GROUP_TEXT_CHARS);
    }
    expect(await snapshot()).toEqual(before);
    expect((await scim.get(`/Groups/${group.id}`)).body).toMatchObject({ displayName: 'Rename me', externalId: 'rename-me', meta: { version: group.meta.version } });
  });

  it('a member display of 40,000 characters among 150 members adds none of them (no batch commits first)', async () => {
    const members = [];
    for (let i = 0; i < 150; i++) members.push({ value: (await createUser()).id });
    const group = (await scim.post('/Groups', { displayName: 'Big crew' })).body;
    const last = members.at(-1)?.value as string;
    const operations = [{ op: 'add', path: 'members', value: [...members.slice(0, -1), { value: last, display: 'x'.repeat(LONG) }] }];
    const before = await snapshot();
    expectTooLong(await scim.patch(`/Groups/${group.id}`, { schemas: [PATCH_OP], Operations: operations }), `members[value eq "${last}"].display`, MAX_GROUP_TEXT_CHARS);
    expect(await snapshot()).toEqual(before);
    expect((await scim.get(`/Groups/${group.id}`)).body.members).toEqual([]);
    expectTooLong(await scim.post('/Groups', { displayName: 'Crew at once', members: operations[0]?.value }), `members[value eq "${last}"].display`, MAX_GROUP_TEXT_CHARS);

    const fitting = [{ op: 'add', path: 'members', value: [...members.slice(0, -1), { value: last, display: 'x'.repeat(MAX_GROUP_TEXT_CHARS) }] }];
    expect((await scim.patch(`/Groups/${group.id}`, { schemas: [PATCH_OP], Operations: fitting })).status).toBe(204);
    expect((await scim.get(`/Groups/${group.id}`)).body.members).toHaveLength(150);
  });
});

describe('users', () => {
  it('an e-mail type of 40,000 characters (a catalog path) is a 400 on POST and PATCH, and the user stays writable', async () => {
    const before = await snapshot();
    const email = { value: 'typed@contoso.com', type: 't'.repeat(LONG) };
    const posted = await scim.post('/Users', { userName: 'typed@contoso.com', emails: [email] });
    expect(posted.status).toBe(400);
    expect(posted.body.detail).toBe(`The attribute path "emails[type eq \\"${'t'.repeat(44)}…" exceeds ${MAX_ATTRIBUTE_PATH_CHARS.toLocaleString('en-US')} characters.`);
    expect(await snapshot()).toEqual(before);

    const user = await createUser();
    const written = await snapshot();
    const patched = await scim.patch(`/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'emails', value: [email] }] });
    expect(patched.status).toBe(400);
    expect(patched.body.detail).toMatch(/^The attribute path "emails\[type eq/);
    expect(await snapshot()).toEqual(written);
    const later = await scim.patch(`/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'emails', value: [{ value: 'typed@contoso.com', type: 'work' }] }] });
    expect(later.status).toBe(200);
    expect(later.body.emails).toEqual([{ value: 'typed@contoso.com', type: 'work' }]);
  });

  it('a custom attribute name of 40,000 characters is a 400 naming its path, and nothing is written', async () => {
    const name = 'a'.repeat(LONG);
    const user = await createUser();
    const before = await snapshot();
    const posted = await scim.post('/Users', { userName: 'custom@contoso.com', [CUSTOM]: { [name]: 'x' } });
    expect(posted.status).toBe(400);
    expect(posted.body.detail).toBe(`The attribute path "${CUSTOM}:${'a'.repeat(60 - CUSTOM.length - 1)}…" exceeds 1,024 characters.`);
    const put = await scim.put(`/Users/${user.id}`, { userName: user.userName, [CUSTOM]: { [name]: 'x' } });
    expect(put.status).toBe(400);
    expect(await snapshot()).toEqual(before);
    expect((await scim.put(`/Users/${user.id}`, { userName: user.userName, [CUSTOM]: { costCenter: 'x' } })).status).toBe(200);
  });

  it('a create-mode userName of 16,000 or 20,000 characters is a 400 naming it and creates nobody; a staged one is stored', async () => {
    const before = await snapshot();
    for (const length of [16_000, 20_000]) {
      const userName = `${'u'.repeat(length - 12)}@contoso.com`;
      expectTooLong(await creating.post('/Users', { userName }), 'userName', MAX_CONTENT_MANAGER_FIELD_CHARS);
    }
    expectTooLong(await creating.post('/Users', { userName: 'named@contoso.com', displayName: 'n'.repeat(LONG) }), 'displayName', MAX_CONTENT_MANAGER_FIELD_CHARS);
    expect(await snapshot()).toEqual(before);
    expect((await host.adminJson('/users')).users).toEqual([]);
    // matchOnly stages it: its userName lives in the source document and a hashed key, not in a single property.
    expect((await scim.post('/Users', { userName: `${'u'.repeat(19_988)}@contoso.com` })).status).toBe(201);
  });
});

describe('one person written by several integrations', () => {
  const big = 'b'.repeat(89_000);
  let clients: ScimClient[];
  beforeAll(async () => {
    clients = [];
    for (let i = 0; i < 6; i++) {
      const integration = await host.createIntegration('matchOnly', `Source ${i}`);
      clients.push(new ScimClient(integration.tenantUrl, integration.secretToken));
    }
  });

  it('refuses the source that would take the row past 1 MiB with a 413, and its later small writes still work', async () => {
    const userName = 'shared.big@contoso.com';
    const ids = new Set<string>();
    for (const client of clients.slice(0, 5)) {
      const response = await client.post('/Users', { userName, displayName: big });
      expect(response.status).toBe(201);
      ids.add(response.body.id);
    }
    expect(ids.size).toBe(1);
    const sixth = clients[5] as ScimClient;
    const before = await snapshot(['people', 'userindex', 'members']);
    const refused = await sixth.post('/Users', { userName, displayName: big });
    expect(refused.status).toBe(413);
    expect(refused.body.detail).toMatch(/^The user's data from all data sources together is too large to store/);
    expect(await snapshot(['people', 'userindex', 'members'])).toEqual(before);
    expect((await sixth.get(`/Users?${filterQuery(`userName eq "${userName}"`)}`)).body.totalResults).toBe(0);

    const joined = await sixth.post('/Users', { userName, displayName: 'Small' });
    expect(joined.status).toBe(201);
    const written = await snapshot();
    const grown = await sixth.patch(`/Users/${joined.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: big }] });
    expect(grown.status).toBe(413);
    expect(await snapshot()).toEqual(written);
    expect((await sixth.patch(`/Users/${joined.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Still writable' }] })).status).toBe(200);
    expect((await clients[0]?.get(`/Users/${joined.body.id}`))?.body.displayName).toBe(big);
  });

  it('an admin import that would take such a row past 1 MiB rejects that row with the reason and imports the others', async () => {
    const userName = 'staged.big@contoso.com';
    for (const client of clients.slice(0, 5)) expect((await client.post('/Users', { userName, displayName: big })).status).toBe(201);
    const sixth = clients[5] as ScimClient;
    const id = (await sixth.post('/Users', { userName, displayName: 'x' })).body.id as string;
    // Fill the row to within a few hundred bytes of the budget: the Content Manager part an import adds no longer fits.
    const people = new PeopleRepository(host.services.tables.people);
    const size = async (): Promise<number> => entitySizeInBytes(personToProperties((await people.getById(id))!)) + 1024;
    const room = ENTITY_BYTES_BUDGET - (await size());
    const filled = await sixth.patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'x'.repeat(Math.floor((room - 200) / 2)) }] });
    expect(filled.status).toBe(200);
    expect(ENTITY_BYTES_BUDGET - (await size())).toBeLessThan(300);

    const before = await snapshot(['people', 'userindex']);
    const response = await host.admin('/users', { method: 'POST', body: JSON.stringify([{ username: userName }, { username: 'fits@contoso.com' }]), headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(200);
    const report = (await response.json()) as { created: number; rejected: unknown[] };
    expect(report.created).toBe(1);
    expect(report.rejected).toEqual([{ row: 1, username: userName, reason: expect.stringMatching(/all data sources together is too large/) }]);
    const after = await snapshot(['people', 'userindex']);
    expect(after.filter((row) => row.includes(id) || row.includes('staged.big'))).toEqual(before.filter((row) => row.includes(id) || row.includes('staged.big')));
  });
});

describe('the edges, when the storage guard refuses a write nothing checked earlier', () => {
  const refusal = new EntityLimitError('EntityTooLarge', 'people: the entity', 2_000_000, ENTITY_BYTES_BUDGET);
  const context = (): InvocationContext => new InvocationContext({ invocationId: 'size-limits', functionName: 'sizeLimits', logHandler: () => undefined });

  it('the SCIM edge answers a 413 envelope, not a 500', async () => {
    const integration = await host.createIntegration('matchOnly', 'Edge');
    const request = new HttpRequest({ method: 'POST', url: `${integration.tenantUrl}/Users`, headers: { authorization: `Bearer ${integration.secretToken}` }, params: { integrationId: integration.id } });
    const response = await scimEndpoint('users', () => Promise.reject(refusal))(request, context());
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body as string)).toMatchObject({ status: '413', detail: 'The request would store more than Azure Table Storage allows in one record.' });
  });

  it('the admin edge answers its 413 JSON error', async () => {
    const request = new HttpRequest({ method: 'POST', url: `${host.url}/api/admin/users`, headers: { 'x-functions-key': TEST_FUNCTIONS_KEY } });
    const response = await adminEndpoint('users', () => Promise.reject(refusal))(request, context());
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body as string)).toEqual({ error: { code: 'tooLargeToStore', message: 'The request would store more than Azure Table Storage allows in one record.' } });
  });
});
