// The races of the integrity review, replayed over HTTP against the local host, many rounds each: a staged DELETE
// racing the import that links it (defect 1), identical concurrent renames (defect 2), deletes racing member PATCHes
// (defect 6), and group DELETEs racing renames and each other (defect 7). After every round the state must be one
// that some order of the acknowledged requests explains, with no row pointing at nothing.
import { odata } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupRepository } from '../../shared/storage/group-repository.js';
import { MembershipRepository } from '../../shared/storage/membership-repository.js';
import { filterQuery, ScimClient, startTestHost, type TestHost } from '../support/test-host.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ROUNDS = 8;

let host: TestHost;
let n = 0;
const upn = (): string => `race${Date.now().toString(36)}${++n}@Contoso.com`;

beforeAll(async () => {
  host = await startTestHost();
});
afterAll(async () => host.close());

async function integration(mode: 'matchOnly' | 'create' = 'matchOnly'): Promise<{ id: string; scim: ScimClient }> {
  const created = await host.createIntegration(mode, `Race ${++n}`);
  return { id: created.id, scim: new ScimClient(created.tenantUrl, created.secretToken) };
}

async function importRow(username: string, upnValue = username): Promise<any> {
  const response = await host.admin('/users', { method: 'POST', body: JSON.stringify([{ username, upn: upnValue }]), headers: { 'content-type': 'application/json' } });
  expect(response.status).toBe(200);
  return response.json();
}

async function matches(scim: ScimClient, userName: string): Promise<any[]> {
  const response = await scim.get(`/Users?${filterQuery(`userName eq "${userName}"`)}`);
  expect(response.status).toBe(200);
  return response.body.Resources as any[];
}

const rename = (userName: string) => ({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'userName', value: userName }] });
const addMembers = (...ids: string[]) => ({ schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: ids.map((value) => ({ value })) }] });

/** Membership rows of an integration that name `id` as group or as member, on either side. */
async function membershipRowsNaming(integrationId: string, id: string): Promise<string[]> {
  const rows: string[] = [];
  const members = host.services.tables.members;
  for await (const row of members.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${`m|${integrationId}|${id}`}` } })) rows.push(`${row.partitionKey}/${row.rowKey}`);
  for await (const row of members.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey ge ${`u|${integrationId}|`} and PartitionKey lt ${`u|${integrationId}}`}` } })) {
    if (row.memberId === id || row.groupId === id) rows.push(`${row.partitionKey}/${row.rowKey}`);
  }
  return rows;
}

describe('defect 1: a staged DELETE racing the import that links the same UPN', () => {
  it('never loses the linked user, and the username stays importable', async () => {
    const { scim } = await integration();
    for (let round = 0; round < ROUNDS; round++) {
      const name = upn();
      const staged = await scim.post('/Users', { userName: name, active: true });
      expect(staged.status).toBe(201);
      // Alternate which request starts first, so both orders of the race are exercised.
      const [deleted, imported] = round % 2 === 0 ? await Promise.all([scim.delete(`/Users/${staged.body.id}`), importRow(name)]) : await Promise.all([importRow(name), scim.delete(`/Users/${staged.body.id}`)]).then(([i, d]) => [d, i] as const);
      expect(deleted.status).toBe(204);
      const result = imported.results[0];
      expect(['linked', 'created']).toContain(result.outcome);
      // Whatever the order, the Content Manager user the import reported exists and its username is not blocked.
      expect((await host.admin(`/users/${result.id}`)).status).toBe(200);
      const again = await importRow(name);
      expect(again.rejected).toEqual([]);
      expect(again.results[0]).toMatchObject({ id: result.id, outcome: 'unchanged' });
      // Entra's view agrees with its own POST. Linked first: the DELETE then hid the user from this view, and a POST
      // attaches it again under the same id. Deleted first: the import created a user this view sees, so a POST is 409.
      const found = (await matches(scim, name)).map((r) => r.id);
      const posted = await scim.post('/Users', { userName: name, active: true });
      if (result.outcome === 'linked') {
        expect(found).toEqual([]);
        expect(posted.status).toBe(201);
        expect(posted.body.id).toBe(result.id);
      } else {
        expect(found).toEqual([result.id]);
        expect(posted.status).toBe(409);
      }
    }
  });
});

describe('defect 2: two identical renames at once', () => {
  it('leave the new userName findable', async () => {
    const { scim } = await integration();
    for (let round = 0; round < ROUNDS; round++) {
      const created = await scim.post('/Users', { userName: upn(), active: true });
      const renamed = upn();
      const answers = await Promise.all([scim.patch(`/Users/${created.body.id}`, rename(renamed)), scim.patch(`/Users/${created.body.id}`, rename(renamed))]);
      for (const answer of answers) expect(answer.status).toBe(200);
      expect((await matches(scim, renamed)).map((r) => r.id)).toEqual([created.body.id]);
    }
  });
});

describe('defect 6: deletions leave no membership pointing at nothing', () => {
  it('a Content Manager user deleted by the integration that created it leaves no other integration\'s group listing it', async () => {
    const creator = await integration('create');
    const other = await integration();
    const user = await creator.scim.post('/Users', { userName: upn(), active: true });
    const group = await other.scim.post('/Groups', { displayName: `G${++n}`, members: [{ value: user.body.id }] });
    expect(group.body.members.map((m: any) => m.value)).toEqual([user.body.id]);
    expect((await creator.scim.delete(`/Users/${user.body.id}`)).status).toBe(204);
    expect((await other.scim.get(`/Users/${user.body.id}`)).status).toBe(404);
    expect((await other.scim.get(`/Groups/${group.body.id}`)).body.members ?? []).toEqual([]);
    expect(await membershipRowsNaming(other.id, user.body.id)).toEqual([]);
  });

  it('a user DELETE racing a PATCH that adds the user leaves no membership row of the user', async () => {
    const { id, scim } = await integration('create');
    const group = await scim.post('/Groups', { displayName: `Racing ${++n}` });
    for (let round = 0; round < ROUNDS; round++) {
      const user = await scim.post('/Users', { userName: upn(), active: true });
      const [added, deleted] = await Promise.all([scim.patch(`/Groups/${group.body.id}`, addMembers(user.body.id)), scim.delete(`/Users/${user.body.id}`)]);
      expect(added.status).toBe(204);
      expect(deleted.status).toBe(204);
      expect(await membershipRowsNaming(id, user.body.id)).toEqual([]);
    }
  });

  it('a group DELETE racing a member PATCH leaves no membership row of the group', async () => {
    const { id, scim } = await integration('create');
    const users = await Promise.all([0, 1, 2].map(async () => (await scim.post('/Users', { userName: upn(), active: true })).body.id as string));
    for (let round = 0; round < ROUNDS; round++) {
      const group = await scim.post('/Groups', { displayName: `Doomed ${++n}`, members: [{ value: users[0] }] });
      const [added, deleted] = await Promise.all([scim.patch(`/Groups/${group.body.id}`, addMembers(...users)), scim.delete(`/Groups/${group.body.id}`)]);
      expect([204, 404]).toContain(added.status);
      expect(deleted.status).toBe(204);
      expect(await membershipRowsNaming(id, group.body.id)).toEqual([]);
    }
  });
});

describe('a group POST that stopped half-way', () => {
  it('leaves a pending group nobody sees, which the retried POST takes over with its rows', async () => {
    const { id, scim } = await integration('create');
    const user = await scim.post('/Users', { userName: upn(), active: true });
    const displayName = `Half-way ${++n}`;
    // What a POST leaves when it stops after writing the group and a first member row.
    const groups = new GroupRepository(host.services.tables.groups);
    const stopped = await groups.create({ id: 'a'.repeat(32), integrationId: id, displayName, enabled: false, created: 'x', lastModified: 'x', version: 0, pending: true });
    await new MembershipRepository(host.services.tables.members).add(id, stopped.id, [{ value: user.body.id, type: 'User' }]);
    expect((await scim.get(`/Groups/${stopped.id}`)).status).toBe(404);
    expect((await scim.get(`/Groups?${filterQuery(`displayName eq "${displayName}"`)}`)).body.totalResults).toBe(0);
    const retried = await scim.post('/Groups', { displayName, members: [{ value: user.body.id }] });
    expect(retried.status).toBe(201);
    expect(retried.body.meta.version).toBe('W/"1"');
    expect(retried.body.members.map((m: any) => m.value)).toEqual([user.body.id]);
    expect(await membershipRowsNaming(id, stopped.id)).toEqual([]);
    expect((await scim.post('/Groups', { displayName })).status).toBe(409);
  });
});

describe('defect 7: group DELETE races are answered as 404 or a conflict, never 500', () => {
  it('two DELETEs of one group: one 204, one 404', async () => {
    const { scim } = await integration();
    for (let round = 0; round < ROUNDS; round++) {
      const group = await scim.post('/Groups', { displayName: `Twice ${++n}` });
      const answers = (await Promise.all([scim.delete(`/Groups/${group.body.id}`), scim.delete(`/Groups/${group.body.id}`)])).map((a) => a.status);
      expect(answers.sort()).toEqual([204, 404]);
    }
  });

  it('a DELETE racing a rename: the DELETE wins with 204 and the rename is 204 or 404', async () => {
    const { scim } = await integration();
    for (let round = 0; round < ROUNDS; round++) {
      const group = await scim.post('/Groups', { displayName: `Renamed ${++n}` });
      const patch = { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: `Renamed ${++n}` }] };
      const [renamed, deleted] = await Promise.all([scim.patch(`/Groups/${group.body.id}`, patch), scim.delete(`/Groups/${group.body.id}`)]);
      expect(deleted.status).toBe(204);
      expect([204, 404]).toContain(renamed.status);
      expect((await scim.get(`/Groups/${group.body.id}`)).status).toBe(404);
    }
  });
});
