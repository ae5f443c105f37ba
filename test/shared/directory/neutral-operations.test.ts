// The directory's protocol-neutral operations against Azurite, called as the Graph sync will call them (no SCIM body,
// no rendering): a source's document set, changed and cleared for a person; Content Manager users found by UPN or
// username; a source's groups created, renamed and removed with their members in bulk; domain errors, never SCIM's.
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSettings } from '../../../shared/config.js';
import { NameTakenError, NotFoundError, PreconditionFailedError } from '../../../shared/directory/errors.js';
import type { SourceIntegration } from '../../../shared/directory/person-directory.js';
import { viewDocument, viewVersionTag } from '../../../shared/directory/user-view.js';
import { LocalFileSecretStore } from '../../../shared/secrets/local-file-secret-store.js';
import { createServices, type Services } from '../../../shared/services.js';
import { dropTables } from '../../support/fresh-tables.js';

let services: Services;
let source: SourceIntegration;
let creating: SourceIntegration;

const input = (upn: string, extra: Record<string, unknown> = {}) => ({
  doc: { userName: upn, ...extra },
  attributes: [{ path: 'userName', type: 'string' }, ...Object.keys(extra).map((path) => ({ path, type: 'string' }))],
  contentManager: {},
});
const members = async (integrationId: string, groupId: string): Promise<string[]> => {
  const ids: string[] = [];
  for await (const page of services.groups.members(integrationId, groupId)) ids.push(...page.map((row) => row.value));
  return ids.sort();
};

beforeAll(async () => {
  const secrets = new LocalFileSecretStore(join(await mkdtemp(join(tmpdir(), 'neutral-')), 'secrets.json'));
  services = await createServices(parseSettings({ AzureWebJobsStorage: process.env.AzureWebJobsStorage }), { tablePrefix: `t${randomBytes(5).toString('hex')}`, secrets });
  source = await services.integrations.create({ displayName: 'Source', userProvisioning: 'matchOnly' }, 'https://h');
  creating = await services.integrations.create({ displayName: 'Creating', userProvisioning: 'create' }, 'https://h');
});
afterAll(async () => {
  await dropTables(services.tables);
});

describe('people', () => {
  it("sets, changes and clears one source's document; a staged record is no Content Manager user until imported", async () => {
    const staged = await services.people.createSource(source, input('Staged@Contoso.com', { title: 'Engineer' }));
    expect(staged.cm).toBeUndefined();
    expect(await services.people.findContentManagerUser({ kind: 'upn', value: 'staged@contoso.com' })).toBeUndefined();
    expect((await services.catalog.list(source.id)).map((entry) => entry.path).sort()).toEqual(['title', 'userName']);

    await services.contentManagerUsers.import([{ row: 1, username: 'staged', upn: 'Staged@Contoso.com' }], []);
    expect((await services.people.findContentManagerUser({ kind: 'upn', value: 'STAGED@contoso.com' }))?.id).toBe(staged.id);
    expect((await services.people.findContentManagerUser({ kind: 'username', value: 'Staged' }))?.id).toBe(staged.id);

    const changed = await services.people.writeSource(source, staged.id, (doc) => ({ doc: { ...doc, title: 'Lead' }, attributes: [] }));
    expect(viewDocument(changed, source.id)).toEqual({ userName: 'Staged@Contoso.com', title: 'Lead' });

    await services.people.clearSource(source.id, staged.id);
    await expect(services.people.clearSource(source.id, staged.id)).rejects.toBeInstanceOf(NotFoundError);
    // The Content Manager user stays, and this source sees it again as the Content Manager knows it.
    expect((await services.people.findContentManagerUser({ kind: 'username', value: 'staged' }))?.id).toBe(staged.id);
  });

  it('a create-mode source makes a Content Manager user from the fields it reads from its own document', async () => {
    const person = await services.people.createSource(creating, { ...input('New@Contoso.com'), contentManager: { displayName: 'New Person', email: 'new@contoso.com' } });
    expect(person.cm).toMatchObject({ username: 'New@Contoso.com', upn: 'New@Contoso.com', displayName: 'New Person', email: 'new@contoso.com', createdBy: creating.id });
    expect((await services.people.findContentManagerUser({ kind: 'upn', value: 'new@contoso.com' }))?.id).toBe(person.id);
  });

  it('answers domain errors: a name already in the view, a stale version, a person not in the view', async () => {
    const person = await services.people.createSource(source, input('taken@contoso.com'));
    await expect(services.people.createSource(source, input('TAKEN@contoso.com'))).rejects.toBeInstanceOf(NameTakenError);
    await expect(services.people.writeSource(source, person.id, (doc) => ({ doc, attributes: [] }), { ifMatch: 'W/"stale"' })).rejects.toBeInstanceOf(PreconditionFailedError);
    const current = viewVersionTag(viewDocument(person, source.id) ?? {});
    await expect(services.people.writeSource(source, person.id, (doc) => ({ doc: { ...doc, title: 'x' }, attributes: [] }), { ifMatch: current })).resolves.toBeDefined();
    await expect(services.people.writeSource(source, 'nobody', (doc) => ({ doc, attributes: [] }))).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('a source that matches by its own keys', () => {
  it("sets its document for a Content Manager user it matched, beside the others' data; clears it; sets it again", async () => {
    const graph = await services.integrations.create({ displayName: 'Matched elsewhere', userProvisioning: 'matchOnly' }, 'https://h');
    await services.contentManagerUsers.import([{ row: 1, username: 'kim', upn: 'Kim@Contoso.com' }], []);
    const kim = await services.people.findContentManagerUser({ kind: 'username', value: 'KIM' });
    const scim = await services.people.writeSource(source, kim!.id, (doc) => ({ doc: { ...doc, title: 'From SCIM' }, attributes: [] }));

    const employee = { doc: { employeeId: 'E-7', department: 'Sales' }, attributes: [{ path: 'employeeId', type: 'string' }, { path: 'department', type: 'string' }] };
    const set = await services.people.setSource(graph.id, kim!.id, employee);
    expect(set.sources[graph.id]?.doc).toEqual(employee.doc);
    expect(set.sources[source.id]?.doc).toEqual(scim.sources[source.id]?.doc);
    expect(set.cm).toEqual(kim!.cm);
    expect((await services.catalog.list(graph.id)).map((entry) => entry.path).sort()).toEqual(['department', 'employeeId']);
    // The same document again writes nothing.
    expect((await services.people.setSource(graph.id, kim!.id, employee)).version).toBe(set.version);

    await services.people.clearSource(graph.id, kim!.id);
    expect((await services.people.get(kim!.id))?.sources[graph.id]?.deleted).toBe(true);
    const again = await services.people.setSource(graph.id, kim!.id, employee);
    expect(again.sources[graph.id]).toMatchObject({ doc: employee.doc });
    expect(again.sources[graph.id]?.deleted).toBeUndefined();
    await expect(services.people.setSource(graph.id, 'nobody', employee)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('groups', () => {
  it('creates, renames and removes a group; adds, removes and replaces its members in bulk', async () => {
    const [a, b, c] = await Promise.all(['ga', 'gb', 'gc'].map((name) => services.people.createSource(source, input(`${name}@contoso.com`))));
    const group = await services.groups.create(source.id, { displayName: 'Engineering', externalId: 'ext-1' }, [{ value: a!.id }, { value: b!.id }, { value: 'unknown-id' }]);
    expect(group).toMatchObject({ displayName: 'Engineering', externalId: 'ext-1', enabled: false });
    expect(await members(source.id, group.id)).toEqual([a!.id, b!.id].sort());

    await services.groups.changeMembers(source.id, group.id, { removeAll: false, add: [{ value: c!.id }], remove: [a!.id] });
    expect(await members(source.id, group.id)).toEqual([b!.id, c!.id].sort());
    await services.groups.changeMembers(source.id, group.id, { removeAll: true, add: [{ value: a!.id }], remove: [] });
    expect(await members(source.id, group.id)).toEqual([a!.id]);

    const renamed = await services.groups.change(source.id, group.id, () => ({ fields: { displayName: 'Engineering EU' }, delta: { removeAll: false, add: [], remove: [] } }));
    expect(renamed.displayName).toBe('Engineering EU');
    expect(renamed.externalId).toBeUndefined();
    expect((await services.groups.findByDisplayName(source.id, 'engineering eu'))?.id).toBe(group.id);

    await expect(services.groups.create(source.id, { displayName: 'ENGINEERING EU' }, [])).rejects.toBeInstanceOf(NameTakenError);
    await services.groups.remove(source.id, group.id);
    expect(await members(source.id, group.id)).toEqual([]);
    await expect(services.groups.remove(source.id, group.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('changes the members of several groups as one change: per group as one at a time, member sides sharing transactions', async () => {
    const people = await Promise.all(Array.from({ length: 12 }, (_, index) => services.people.createSource(source, input(`multi${index}@contoso.com`))));
    const ids = people.map((person) => person.id);
    const [one, two, three] = await Promise.all(['Multi one', 'Multi two', 'Multi three'].map((displayName) => services.groups.create(source.id, { displayName }, [])));
    await services.groups.changeMembers(source.id, one!.id, { removeAll: false, add: ids.slice(0, 4).map((value) => ({ value })), remove: [] });
    const removed = await services.groups.create(source.id, { displayName: 'Multi removed' }, []);
    await services.groups.remove(source.id, removed.id);

    const submitted: { kinds: string[]; partitions: string[] }[] = [];
    const members = services.tables.members as unknown as { submitTransaction: (actions: [string, { partitionKey: string }][]) => Promise<unknown> };
    const submit = members.submitTransaction;
    members.submitTransaction = async function (this: unknown, actions) {
      const result = await submit.call(this, actions);
      submitted.push({ kinds: [...new Set(actions.map(([kind]) => kind))], partitions: [...new Set(actions.map(([, entity]) => entity.partitionKey))] });
      return result;
    };
    try {
      await services.groups.changeMembersOfGroups(source.id, [
        { groupId: one!.id, add: [{ value: ids[4]! }, { value: 'unknown-id' }], remove: [ids[0]!, ids[1]!] },
        { groupId: two!.id, add: ids.slice(0, 8).map((value) => ({ value })), remove: [] },
        { groupId: three!.id, add: ids.slice(4, 12).map((value) => ({ value })), remove: ['never-a-member'] },
        // A group deleted meanwhile: its rows are written, then taken back out.
        { groupId: removed.id, add: [{ value: ids[0]! }], remove: [] },
      ]);
    } finally {
      members.submitTransaction = submit;
    }
    expect(await membersOf(one!.id)).toEqual([ids[2]!, ids[3]!, ids[4]!].sort());
    expect(await membersOf(two!.id)).toEqual(ids.slice(0, 8).sort());
    expect(await membersOf(three!.id)).toEqual(ids.slice(4, 12).sort());
    expect(await membersOf(removed.id)).toEqual([]);
    for (const id of ids.slice(0, 8)) expect((await services.groups.groupsOf(source.id, id)).sort()).toEqual(expectedGroupsOf(id).sort());
    expect(await services.groups.groupsOf(source.id, 'unknown-id')).toEqual([]);
    // The member side of the rows added to the four groups (over at most 4 partitions) was written in one transaction
    // per partition, not one per group and partition (groups two and three share members, so they share partitions).
    // A transaction that failed (it also deleted the member side of 'never-a-member', which is not there) is not a write.
    const memberSideUpserts = submitted.filter(({ kinds, partitions }) => kinds.includes('upsert') && partitions[0]!.startsWith(`u|${source.id}|`));
    expect(memberSideUpserts.every(({ partitions }) => partitions.length === 1)).toBe(true);
    const partitions = memberSideUpserts.map(({ partitions: [partition] }) => partition);
    expect(partitions.length).toBeGreaterThan(0);
    expect(new Set(partitions).size).toBe(partitions.length);

    function expectedGroupsOf(id: string): string[] {
      const index = ids.indexOf(id);
      return [...(index >= 2 && index <= 4 ? [one!.id] : []), two!.id, ...(index >= 4 ? [three!.id] : [])];
    }
  });
});

const membersOf = (groupId: string): Promise<string[]> => members(source.id, groupId);
