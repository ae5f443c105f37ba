// Interoperability over HTTP against the local host and Azurite: POST /Users/.search, /Groups/.search and /.search
// (RFC 7644 §3.4.3), the enterprise manager's RFC 7643 §4.3 shape, an enterprise object carrying its own schemas,
// remove of active, and a PATCH nesting the core URN 10,000 levels deep (defect 7).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScimClient, startTestHost, type TestHost } from '../support/test-host.js';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

let host: TestHost;
let scim: ScimClient;
const tag = `s${Date.now().toString(36)}`;
const userIds: string[] = [];
let groupId = '';

beforeAll(async () => {
  host = await startTestHost();
  const integration = await host.createIntegration('create');
  scim = new ScimClient(integration.tenantUrl, integration.secretToken);
  for (const name of ['ada', 'bob', 'cy']) {
    const created = await scim.post('/Users', { schemas: [CORE], userName: `${name}.${tag}@contoso.com`, displayName: `${name} ${tag}`, externalId: `${tag}-${name}` });
    expect(created.status).toBe(201);
    userIds.push(String(created.body.id));
  }
  const group = await scim.post('/Groups', { displayName: `group ${tag}`, members: [{ value: userIds[0] }] });
  expect(group.status).toBe(201);
  groupId = String(group.body.id);
});
afterAll(async () => host.close());

describe('POST .search (RFC 7644 §3.4.3)', () => {
  it('/Users/.search answers the ListResponse a GET with the same parameters gives', async () => {
    const found = await scim.post('/Users/.search', {
      schemas: [SEARCH],
      filter: `userName eq "ada.${tag}@contoso.com"`,
      attributes: ['userName', 'externalId'],
    });
    expect(found.status).toBe(200);
    expect(found.headers.get('content-type')).toContain('application/scim+json');
    expect(found.body).toMatchObject({ schemas: [LIST], totalResults: 1, startIndex: 1, itemsPerPage: 1 });
    expect(found.body.Resources[0]).toEqual({ schemas: [CORE], id: userIds[0], userName: `ada.${tag}@contoso.com`, externalId: `${tag}-ada`, meta: { resourceType: 'User' } });
  });

  it('pages with startIndex and count, and drops excludedAttributes', async () => {
    const filter = `displayName sw "" and externalId sw "${tag}-"`;
    const all = await scim.post('/Users/.search', { schemas: [SEARCH], filter, count: 10 });
    expect(all.body.totalResults).toBe(3);
    const page = await scim.post('/Users/.search', { schemas: [SEARCH], filter, startIndex: 2, count: 1, excludedAttributes: ['displayName'] });
    expect(page.body).toMatchObject({ totalResults: 3, startIndex: 2, itemsPerPage: 1 });
    expect(page.body.Resources[0].id).toBe(all.body.Resources[1].id);
    expect(page.body.Resources[0]).not.toHaveProperty('displayName');
  });

  it('/Groups/.search finds groups, members included unless excluded', async () => {
    const found = await scim.post('/Groups/.search', { schemas: [SEARCH], filter: `displayName eq "group ${tag}"` });
    expect(found.status).toBe(200);
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources[0].members.map((m: any) => m.value)).toEqual([userIds[0]]);
    const lean = await scim.post('/Groups/.search', { filter: `displayName eq "group ${tag}"`, excludedAttributes: ['members'] });
    expect(lean.body.Resources[0]).not.toHaveProperty('members');
  });

  it('/.search at the root finds users, then groups, in one paged list', async () => {
    const filter = `displayName eq "ada ${tag}" or displayName eq "group ${tag}"`;
    const both = await scim.post('/.search', { schemas: [SEARCH], filter });
    expect(both.status).toBe(200);
    expect(both.body.totalResults).toBe(2);
    expect(both.body.Resources.map((r: any) => r.meta.resourceType)).toEqual(['User', 'Group']);
    const second = await scim.post('/.search', { schemas: [SEARCH], filter, startIndex: 2, count: 1 });
    expect(second.body).toMatchObject({ totalResults: 2, startIndex: 2, itemsPerPage: 1 });
    expect(second.body.Resources[0].id).toBe(groupId);
  });

  it('refuses a bad SearchRequest with a SCIM 400, and a GET of .search finds no user', async () => {
    const bad = await scim.post('/Users/.search', { filter: 'userName eq' });
    expect(bad.status).toBe(400);
    expect(bad.body.scimType).toBe('invalidFilter');
    expect((await scim.get('/Users/.search')).status).toBe(404);
  });
});

describe('PATCH details found by validators', () => {
  it('the manager answers as value, $ref and displayName (RFC 7643 §4.3), on PATCH and GET alike', async () => {
    const path = `${ENTERPRISE}:manager`;
    const patched = await scim.patch(`/Users/${userIds[1]}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path, value: { value: userIds[0] } }] });
    expect(patched.status).toBe(200);
    const manager = { value: userIds[0], $ref: `${scim.tenantUrl}/Users/${userIds[0]}`, displayName: `ada ${tag}` };
    expect(patched.body[ENTERPRISE].manager).toEqual(manager);
    const read = await scim.get(`/Users/${userIds[1]}`);
    expect(read.body).toEqual(patched.body);
    const listed = await scim.get(`/Users?filter=${encodeURIComponent(`userName eq "bob.${tag}@contoso.com"`)}`);
    expect(listed.body.Resources[0][ENTERPRISE].manager).toEqual({ value: userIds[0], $ref: manager.$ref });
  });

  it('accepts an enterprise extension object with its own schemas key (the key is ignored)', async () => {
    for (const op of ['add', 'replace']) {
      const answer = await scim.patch(`/Users/${userIds[2]}`, {
        schemas: [PATCH_OP],
        Operations: [{ op, path: ENTERPRISE, value: { schemas: [ENTERPRISE], department: `Dept ${op}` } }],
      });
      expect(answer.status).toBe(200);
      expect(answer.body[ENTERPRISE]).toEqual({ department: `Dept ${op}` });
    }
  });

  it('refuses to remove active with a SCIM 400 that leaves the user as it was', async () => {
    await scim.patch(`/Users/${userIds[2]}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] });
    const answer = await scim.patch(`/Users/${userIds[2]}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'active' }] });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ scimType: 'invalidValue' });
    expect((await scim.get(`/Users/${userIds[2]}`)).body.active).toBe(false);
  });

  it('answers a path-less value nesting the core User URN 10,000 deep with a SCIM 400, not a 500', async () => {
    const depth = 10_000;
    const value = `${`{"${CORE}":`.repeat(depth)}{"displayName":"x"}${'}'.repeat(depth)}`;
    const body = `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"replace","value":${value}}]}`;
    const answer = await scim.patch(`/Users/${userIds[2]}`, body);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
    expect(answer.body.detail).toMatch(/nested more than 32 levels/);
  });
});
