// Entra's user lifecycle over HTTP against the local host and Azurite: contract vectors T1–T10 in both PATCH
// dialects, and the transport rules (G1, G5, G7, G9) that only show end to end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filterQuery, ScimClient, startTestHost, type TestHost } from '../support/test-host.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let host: TestHost;
let scim: ScimClient;

beforeAll(async () => {
  host = await startTestHost();
  const integration = await host.createIntegration('create');
  scim = new ScimClient(integration.tenantUrl, integration.secretToken);
});
afterAll(async () => host.close());

let counter = 0;
const guid = (): string => `${Date.now().toString(16)}-${(++counter).toString(16)}-4d2a-9c1e-${Math.random().toString(16).slice(2, 14)}`;

async function createUser(overrides: Record<string, unknown> = {}): Promise<any> {
  const objectId = guid();
  const response = await scim.post('/Users', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
    externalId: objectId,
    userName: `Test_User_${objectId}@contoso.com`,
    active: true,
    emails: [{ primary: true, type: 'work', value: `Test_User_${objectId}@testuser.com` }],
    meta: { resourceType: 'User' },
    name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
    roles: [],
    ...overrides,
  });
  expect(response.status).toBe(201);
  return response.body;
}

describe('Test Connection (§1.1)', () => {
  it('answers an empty ListResponse for a random userName and a random group displayName', async () => {
    const users = await scim.get(`/Users?filter=userName+eq+%22${guid()}%22`);
    expect(users.status).toBe(200);
    expect(users.headers.get('content-type')).toContain('application/scim+json');
    expect(users.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0, Resources: [] });
    const groups = await scim.get(`/Groups?excludedAttributes=members&filter=displayName+eq+%22${guid()}%22`);
    expect(groups.status).toBe(200);
    expect(groups.body.totalResults).toBe(0);
  });

  it('rejects a missing, wrong or foreign token with 401 and a SCIM error body', async () => {
    const missing = await fetch(`${scim.tenantUrl}/Users`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401' });
    const wrong = await new ScimClient(scim.tenantUrl, 'not-the-token').get('/Users');
    expect(wrong.status).toBe(401);
    const other = await host.createIntegration('matchOnly', 'Other tenant');
    const foreign = await new ScimClient(scim.tenantUrl, other.secretToken).get('/Users');
    expect(foreign.status).toBe(401);
  });
});

describe('user lifecycle', () => {
  it('T3 creates a user: 201, full resource, Location header; T1 finds it by userName in any case', async () => {
    const user = await createUser();
    expect(user.id).toEqual(expect.any(String));
    expect(user.active).toBe(true);
    expect(user.meta).toMatchObject({ resourceType: 'User', location: `${scim.tenantUrl}/Users/${user.id}` });
    const found = await scim.get(`/Users?${filterQuery(`userName eq "${String(user.userName).toUpperCase()}"`)}`);
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources[0].id).toBe(user.id);
  });

  it('G5 decodes + as a space and accepts raw quotes', async () => {
    const user = await createUser({ displayName: 'Joy Young' });
    const found = await scim.get(`/Users?filter=displayName+eq+"Joy+Young"`);
    expect(found.status).toBe(200);
    expect(found.body.Resources.map((r: any) => r.id)).toContain(user.id);
  });

  it('T3 variant: nulls, the malformed enterprise URN and "active":"True" are accepted', async () => {
    const user = await createUser({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User'],
      displayName: 'Joy Young',
      addresses: null,
      phoneNumbers: null,
      title: null,
      active: 'True',
    });
    expect(user.active).toBe(true);
    expect(user).not.toHaveProperty('addresses');
  });

  it('T3 a duplicate userName (different case) answers 409 uniqueness', async () => {
    const user = await createUser();
    const again = await scim.post('/Users', { userName: String(user.userName).toLowerCase() });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ status: '409', scimType: 'uniqueness' });
  });

  it('T4 gets a user by id; an unknown id is 404 with an error body', async () => {
    const user = await createUser();
    expect((await scim.get(`/Users/${user.id}`)).body.id).toBe(user.id);
    const missing = await scim.get('/Users/00000000000000000000000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404' });
  });

  it('T5 legacy Replace userName, T6 filtered value path + name.familyName', async () => {
    const user = await createUser();
    const renamed = `renamed_${guid()}@testuser.com`;
    const t5 = await scim.patch(`/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'userName', value: renamed }] });
    expect(t5.status).toBe(200);
    expect(t5.body.userName).toBe(renamed);
    expect((await scim.get(`/Users?${filterQuery(`userName eq "${renamed}"`)}`)).body.totalResults).toBe(1);
    expect((await scim.get(`/Users?${filterQuery(`userName eq "${String(user.userName)}"`)}`)).body.totalResults).toBe(0);
    const t6 = await scim.patch(`/Users/${user.id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
        { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
      ],
    });
    expect(t6.status).toBe(200);
    expect(t6.body.emails).toEqual([{ value: 'updatedEmail@microsoft.com', type: 'work', primary: true }]);
    expect(t6.body.name.familyName).toBe('updatedFamilyName');
  });

  it('T7 flag dialect: no-path replace with dotted and URN-qualified keys lands in nested objects', async () => {
    const user = await createUser();
    const response = await scim.patch(`/Users/${user.id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'TestMhvaes@test.microsoft.com' },
        { op: 'replace', value: { displayName: 'Bjfe', 'name.givenName': 'Kkom', 'name.familyName': 'Unua', [`${ENTERPRISE}:employeeNumber`]: 'Aklq' } },
      ],
    });
    expect(response.status).toBe(200);
    const stored = (await scim.get(`/Users/${user.id}`)).body;
    expect(stored.displayName).toBe('Bjfe');
    expect(stored.name).toMatchObject({ givenName: 'Kkom', familyName: 'Unua' });
    expect(Object.keys(stored)).not.toContain('name.givenName');
    expect(stored[ENTERPRISE]).toMatchObject({ employeeNumber: 'Aklq' });
    expect(stored.schemas).toContain(ENTERPRISE);
  });

  it('T8 disables with "False" (legacy) and re-enables with true (flag); GET and filter show a JSON boolean', async () => {
    const user = await createUser();
    await scim.patch(`/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    expect((await scim.get(`/Users/${user.id}`)).body.active).toBe(false);
    const filtered = await scim.get(`/Users?${filterQuery(`userName eq "${String(user.userName)}"`)}`);
    expect(filtered.body.Resources[0].active).toBe(false);
    await scim.patch(`/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: true }] });
    expect((await scim.get(`/Users/${user.id}`)).body.active).toBe(true);
  });

  it('T9 deletes: 204, then 404 by id, 0 results by filter, and 404 on a second delete', async () => {
    const user = await createUser();
    const deleted = await scim.delete(`/Users/${user.id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();
    expect((await scim.get(`/Users/${user.id}`)).status).toBe(404);
    expect((await scim.get(`/Users?${filterQuery(`userName eq "${String(user.userName)}"`)}`)).body.totalResults).toBe(0);
    expect((await scim.delete(`/Users/${user.id}`)).status).toBe(404);
  });

  it('T10 accepts every manager shape and returns {"value": id, "$ref": location} inside the enterprise extension', async () => {
    const manager = await createUser();
    const user = await createUser();
    const path = `${ENTERPRISE}:manager`;
    const shapes: unknown[] = [
      { op: 'Add', path, value: manager.id },
      { op: 'add', path, value: { value: manager.id } },
      { op: 'replace', path, value: { value: manager.id } },
      { op: 'Add', path: 'manager', value: [{ $ref: `${scim.tenantUrl}/Users/${manager.id}`, value: manager.id }] },
    ];
    for (const operation of shapes) {
      const response = await scim.patch(`/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [operation] });
      expect(response.status).toBe(200);
      const stored = (await scim.get(`/Users/${user.id}`)).body;
      expect(stored[ENTERPRISE].manager).toEqual({ value: manager.id, $ref: `${scim.tenantUrl}/Users/${manager.id}` });
      expect(Object.keys(stored)).not.toContain(`${ENTERPRISE}:manager`);
    }
    for (const removal of [{ op: 'remove', path }, { op: 'remove', path: `manager[value eq "${manager.id}"]` }, { op: 'Replace', path, value: '' }]) {
      await scim.patch(`/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path, value: { value: manager.id } }] });
      const response = await scim.patch(`/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [removal] });
      expect(response.status).toBe(200);
      expect((await scim.get(`/Users/${user.id}`)).body[ENTERPRISE]?.manager).toBeUndefined();
    }
  });

  it('G1 tolerates a trailing slash and a doubled slash after the Tenant URL', async () => {
    expect((await scim.get('/Users/')).status).toBe(200);
    expect((await scim.get('//Users')).status).toBe(200);
  });
});

describe('errors', () => {
  it('answers malformed JSON with 400 invalidSyntax and a missing userName with 400', async () => {
    const junk = await scim.request('POST', '/Users', '{ "acve": tre }');
    expect(junk.status).toBe(400);
    expect(junk.body).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
    const noUserName = await scim.post('/Users', { active: true });
    expect(noUserName.status).toBe(400);
  });

  it('answers an invalid filter with 400 invalidFilter, an invalid path with 400 invalidPath, a path-less remove with noTarget', async () => {
    expect((await scim.get(`/Users?${filterQuery('userName eq')}`)).body).toMatchObject({ status: '400', scimType: 'invalidFilter' });
    const user = await createUser();
    const badPath = await scim.patch(`/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'emails[type eq', value: 'x' }] });
    expect(badPath.body).toMatchObject({ status: '400', scimType: 'invalidPath' });
    const noTarget = await scim.patch(`/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove' }] });
    expect(noTarget.body).toMatchObject({ status: '400', scimType: 'noTarget' });
  });

  it('answers 415 for an unsupported media type and 413 for a body over 1 MiB or more than 1,000 operations', async () => {
    const user = await createUser();
    const xml = await fetch(`${scim.tenantUrl}/Users`, { method: 'POST', body: '<user/>', headers: { authorization: `Bearer ${(scim as any).token}`, 'content-type': 'application/xml' } });
    expect(xml.status).toBe(415);
    const huge = await scim.post('/Users', { userName: 'x@y.z', displayName: 'x'.repeat(1024 * 1024 + 1) });
    expect(huge.status).toBe(413);
    const operations = Array.from({ length: 1001 }, () => ({ op: 'replace', path: 'displayName', value: 'x' }));
    const many = await scim.patch(`/Users/${user.id}`, { schemas: [PATCH_OP], Operations: operations });
    expect(many.status).toBe(413);
  });

  it('honours If-Match when sent (412 on a stale version) and never requires it', async () => {
    const user = await createUser();
    const stale = await scim.patch(`/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'a' }] }, { 'if-match': 'W/"999"' });
    expect(stale.status).toBe(412);
    const current = (await scim.get(`/Users/${user.id}`)).body.meta.version;
    const fresh = await scim.patch(`/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'b' }] }, { 'if-match': current });
    expect(fresh.status).toBe(200);
  });

  it('a failing operation list leaves the user as it was', async () => {
    const user = await createUser({ displayName: 'Before' });
    const response = await scim.patch(`/Users/${user.id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'replace', path: 'displayName', value: 'After' },
        { op: 'replace', path: 'notAnAttribute', value: 'x' },
      ],
    });
    expect(response.status).toBe(400);
    expect((await scim.get(`/Users/${user.id}`)).body.displayName).toBe('Before');
  });
});

describe('lists', () => {
  it('pages with startIndex and count (each page startIndex = page*5+1) and projects attributes', async () => {
    for (let i = 0; i < 11; i++) await createUser();
    const first = await scim.get('/Users?startIndex=1&count=5');
    expect(first.body.itemsPerPage).toBe(5);
    const total = first.body.totalResults as number;
    const seen = new Set<string>();
    for (let page = 0; page * 5 < total; page++) {
      const response = await scim.get(`/Users?startIndex=${page * 5 + 1}&count=5`);
      expect(response.body.startIndex).toBe(page * 5 + 1);
      for (const resource of response.body.Resources) seen.add(resource.id);
    }
    expect(seen.size).toBe(total);
    const projected = await scim.get('/Users?attributes=userName&count=1');
    expect(Object.keys(projected.body.Resources[0]).sort()).toEqual(['id', 'meta', 'schemas', 'userName']);
  });

  it('T2 a zero-result query is 200 with totalResults 0 and Resources []', async () => {
    const response = await scim.get(`/Users?${filterQuery('userName eq "non-existent user"')}`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ totalResults: 0, Resources: [] });
  });

  it('Q13 accepts an unquoted filter value', async () => {
    const user = await createUser({ externalId: `jyoung${guid().slice(0, 8)}` });
    const response = await scim.get(`/Users?filter=externalId+eq+${String(user.externalId)}`);
    expect(response.body.Resources.map((r: any) => r.id)).toEqual([user.id]);
  });

  it('serves externalId and emails.value filters', async () => {
    const user = await createUser();
    expect((await scim.get(`/Users?${filterQuery(`externalId eq "${String(user.externalId)}"`)}`)).body.Resources[0].id).toBe(user.id);
    const email = String(user.emails[0].value).toUpperCase();
    expect((await scim.get(`/Users?${filterQuery(`emails.value eq "${email}"`)}`)).body.Resources.map((r: any) => r.id)).toEqual([user.id]);
    expect((await scim.get(`/Users?${filterQuery(`emails[type eq "work" and value eq "${email}"]`)}`)).body.totalResults).toBe(1);
  });
});

describe('unknown endpoints', () => {
  it('answers a SCIM 404 envelope under the Tenant URL, 501 for /Bulk, and still requires the token', async () => {
    const unknown = await scim.get('/Me');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404' });
    const bulk = await scim.post('/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [] });
    expect(bulk.status).toBe(501);
    expect((await new ScimClient(scim.tenantUrl, 'wrong').get('/Me')).status).toBe(401);
    expect((await scim.get('/Users')).status).toBe(200);
  });
});
