// Entra's group lifecycle over HTTP: contract vectors T11–T18 in both dialects, membership checks served without
// loading members, and groups of many members.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filterQuery, ScimClient, startTestHost, type TestHost } from '../support/test-host.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

let host: TestHost;
let scim: ScimClient;
let integrationId: string;
let n = 0;
const unique = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${++n}`;

beforeAll(async () => {
  host = await startTestHost();
  const integration = await host.createIntegration('create');
  integrationId = integration.id;
  scim = new ScimClient(integration.tenantUrl, integration.secretToken);
});
afterAll(async () => host.close());

async function user(): Promise<string> {
  const response = await scim.post('/Users', { userName: `${unique('member')}@contoso.com`, active: true });
  expect(response.status).toBe(201);
  return String(response.body.id);
}

async function group(displayName = unique('group')): Promise<any> {
  const response = await scim.post('/Groups', {
    schemas: [GROUP, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
    externalId: unique('aad'),
    displayName,
    meta: { resourceType: 'Group' },
  });
  expect(response.status).toBe(201);
  return response.body;
}

async function memberIds(groupId: string): Promise<string[]> {
  const response = await scim.get(`/Groups/${groupId}`);
  return ((response.body.members ?? []) as { value: string }[]).map((m) => m.value).sort();
}

describe('groups', () => {
  it('T11 creates a group (Q9 extra schema ignored) with members [] and a duplicate displayName is 409', async () => {
    const created = await group('Sales');
    expect(created).toMatchObject({ schemas: [GROUP], displayName: 'Sales', members: [], meta: { resourceType: 'Group' } });
    const duplicate = await scim.post('/Groups', { schemas: [GROUP], displayName: 'SALES' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.scimType).toBe('uniqueness');
  });

  it('groups created by Entra start disabled for targeting; an admin can enable one', async () => {
    const created = await group();
    const listed = await host.adminJson(`/integrations/${integrationId}/groups/${created.id}`);
    expect(listed.enabled).toBe(false);
    const enabled = await host.admin(`/integrations/${integrationId}/groups/${created.id}`, { method: 'PATCH', body: JSON.stringify({ enabled: true }) });
    expect(enabled.status).toBe(200);
    expect(((await enabled.json()) as any).enabled).toBe(true);
  });

  it('T12 get with members excluded has no members key; T13 query by displayName in another case', async () => {
    const created = await group(unique('Marketing'));
    const got = await scim.get(`/Groups/${created.id}?excludedAttributes=members`);
    expect(got.status).toBe(200);
    expect(got.body).not.toHaveProperty('members');
    const found = await scim.get(`/Groups?excludedAttributes=members&${filterQuery(`displayName eq "${String(created.displayName).toUpperCase()}"`)}`);
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources[0]).not.toHaveProperty('members');
  });

  it('T16 adds several members in one PATCH (re-adding is a no-op); T14 answers all three membership spellings', async () => {
    const created = await group();
    const [a, b] = [await user(), await user()];
    const add = { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: a }, { value: b }] }] };
    expect((await scim.patch(`/Groups/${created.id}`, add)).status).toBe(204);
    expect((await scim.patch(`/Groups/${created.id}`, add)).status).toBe(204);
    expect(await memberIds(created.id)).toEqual([a, b].sort());
    const other = await user();
    for (const spelling of [`members[value eq "${a}"]`, `members eq "${a}"`, `members.value eq "${a}"`]) {
      const hit = await scim.get(`/Groups?excludedAttributes=members&${filterQuery(`id eq "${created.id}" and ${spelling}`)}`);
      expect(hit.status).toBe(200);
      expect(hit.body.totalResults).toBe(1);
      expect(hit.body.Resources[0].id).toBe(created.id);
      const miss = await scim.get(`/Groups?${filterQuery(`id eq "${created.id}" and ${spelling.replace(a, other)}`)}&attributes=id`);
      expect(miss.status).toBe(200);
      expect(miss.body.totalResults).toBe(0);
    }
  });

  it('a user added to a group, deleted, then added to another group is not a member of the second', async () => {
    const [first, second] = [await group(), await group()];
    const member = await user();
    await scim.patch(`/Groups/${first.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: member }] }] });
    expect((await scim.delete(`/Users/${member}`)).status).toBe(204);
    await scim.patch(`/Groups/${second.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: member }] }] });
    expect(await memberIds(first.id)).toEqual([]);
    expect(await memberIds(second.id)).toEqual([]);
  });

  it('a PATCH whose later operation fails applies none of its operations (members and displayName unchanged)', async () => {
    const created = await group();
    const member = await user();
    const response = await scim.patch(`/Groups/${created.id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'add', path: 'members', value: [{ value: member }] },
        { op: 'replace', path: 'displayName', value: unique('renamed') },
        { op: 'remove', path: 'members[display co "x"]' },
      ],
    });
    expect(response.status).toBe(400);
    expect(await memberIds(created.id)).toEqual([]);
    expect((await scim.get(`/Groups/${created.id}`)).body.displayName).toBe(created.displayName);
  });

  it('ignores a group added to itself', async () => {
    const created = await group();
    const response = await scim.patch(`/Groups/${created.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: created.id }] }] });
    expect(response.status).toBe(204);
    expect(await memberIds(created.id)).toEqual([]);
  });

  it('T16 ignores unknown member ids (204) and stores none of them', async () => {
    const created = await group();
    const response = await scim.patch(`/Groups/${created.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: 'string id 1' }] });
    expect(response.status).toBe(204);
    expect(await memberIds(created.id)).toEqual([]);
  });

  it('T17 legacy Remove with a value removes only the listed ids; flag dialect removes by filter; remove-all empties', async () => {
    const created = await group();
    const ids = [await user(), await user(), await user()];
    await scim.patch(`/Groups/${created.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: ids.map((value) => ({ value })) }] });
    const legacy = await scim.patch(`/Groups/${created.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: ids[0] }] }] });
    expect(legacy.status).toBe(204);
    expect(await memberIds(created.id)).toEqual([ids[1], ids[2]].sort());
    const flag = await scim.patch(`/Groups/${created.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${ids[1]}"]` }] });
    expect(flag.status).toBe(204);
    expect(await memberIds(created.id)).toEqual([ids[2]]);
    const nonMember = await scim.patch(`/Groups/${created.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${ids[0]}"]` }] });
    expect(nonMember.status).toBe(204);
    await scim.patch(`/Groups/${created.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'members' }] });
    expect(await memberIds(created.id)).toEqual([]);
  });

  it('T15 renames with a path and with the validator no-path objects; a taken name is 409 and changes nothing', async () => {
    const created = await group();
    const renamed = unique('renamed');
    expect((await scim.patch(`/Groups/${created.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'displayName', value: renamed }] })).status).toBe(204);
    expect((await scim.get(`/Groups/${created.id}`)).body.displayName).toBe(renamed);
    const validator = unique('MSADPJJZWBUS');
    await scim.patch(`/Groups/${created.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { displayName: validator } }] });
    await scim.patch(`/Groups/${created.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { externalId: 'ext-42' } }] });
    expect((await scim.get(`/Groups/${created.id}`)).body).toMatchObject({ displayName: validator, externalId: 'ext-42' });
    expect((await scim.get(`/Groups?${filterQuery('externalId eq "ext-42"')}`)).body.Resources[0].id).toBe(created.id);
    const taken = await group();
    const clash = await scim.patch(`/Groups/${created.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: taken.displayName }] });
    expect(clash.status).toBe(409);
    expect((await scim.get(`/Groups/${created.id}`)).body.displayName).toBe(validator);
  });

  it('T18 deletes a group: 204, then 404, a second delete 404; its memberships are gone from the member side', async () => {
    const created = await group();
    const member = await user();
    await scim.patch(`/Groups/${created.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: member }] }] });
    expect((await scim.delete(`/Groups/${created.id}`)).status).toBe(204);
    expect((await scim.get(`/Groups/${created.id}`)).status).toBe(404);
    expect((await scim.delete(`/Groups/${created.id}`)).status).toBe(404);
    expect(await host.services.groups['memberships'].groupsOf(integrationId, member)).toEqual([]);
  });

  it('concurrent PATCHes adding different members to one group all land', async () => {
    const created = await group();
    const ids = await Promise.all(Array.from({ length: 20 }, () => user()));
    const responses = await Promise.all(
      ids.map((value) => scim.patch(`/Groups/${created.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ value }] }] })),
    );
    expect(responses.every((r) => r.status === 204)).toBe(true);
    expect(await memberIds(created.id)).toEqual([...ids].sort());
  });

  it('a group of 250 members (added in overlapping batches) is read back whole and a user delete removes its memberships', async () => {
    const created = await group();
    const ids = await Promise.all(Array.from({ length: 250 }, () => user()));
    for (let i = 0; i < 4; i++) {
      // the same 250 users plus 750 ids we did not create: unknown ids are ignored
      const values = ids.map((value) => ({ value }));
      await scim.patch(`/Groups/${created.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: values.slice(i * 63, i * 63 + 100) }] });
    }
    const all = await scim.patch(`/Groups/${created.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: ids.map((value) => ({ value })) }] });
    expect(all.status).toBe(204);
    expect((await memberIds(created.id)).length).toBe(250);
    expect((await scim.delete(`/Users/${ids[0]}`)).status).toBe(204);
    expect(await memberIds(created.id)).not.toContain(ids[0]);
  });
});
