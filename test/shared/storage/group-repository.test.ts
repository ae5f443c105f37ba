// GroupRepository against Azurite: a group and its uniqueness/index rows change together in one transaction.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupRepository } from '../../../shared/storage/group-repository.js';
import type { GroupRecord } from '../../../shared/directory/model/group-record.js';
import { ConcurrentUpdateError, KeyTakenError } from '../../../shared/storage/storage-errors.js';
import type { TableClients } from '../../../shared/storage/table-clients.js';
import { createFreshTables, dropTables } from '../../support/fresh-tables.js';

const NOW = '2025-01-01T00:00:00.000Z';
let tables: TableClients;
let repo: GroupRepository;

beforeAll(async () => {
  tables = await createFreshTables();
  repo = new GroupRepository(tables.groups);
});
afterAll(async () => {
  await dropTables(tables);
});

let counter = 0;
/** Each test works in an integration of its own, so listings are exact. */
const newIntegration = (): string => `int${counter++}`;

function group(integrationId: string, displayName: string, externalId?: string): GroupRecord {
  const record: GroupRecord = {
    id: randomBytes(16).toString('hex'),
    integrationId,
    displayName,
    enabled: false,
    created: NOW,
    lastModified: NOW,
    version: 1,
  };
  if (externalId !== undefined) record.externalId = externalId;
  return record;
}

async function rowKeys(integrationId: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const row of tables.groups.listEntities({ queryOptions: { filter: `PartitionKey eq 'g|${integrationId}'` } })) {
    keys.push(String(row.rowKey));
  }
  return keys.sort();
}

async function listAll(integrationId: string, pageSize?: number): Promise<GroupRecord[]> {
  const groups: GroupRecord[] = [];
  for await (const g of repo.list(integrationId, pageSize)) groups.push(g);
  return groups;
}

describe('GroupRepository: create and read', () => {
  it('creates a group and finds it by id, displayName (any case) and externalId', async () => {
    const integration = newIntegration();
    const input = group(integration, 'Sales Team', 'ext-1');
    const created = await repo.create(input);
    expect(created.etag).toBeDefined();

    const byId = await repo.get(integration, input.id);
    expect(byId).toEqual({ ...input, etag: created.etag });
    expect((await repo.findByDisplayName(integration, 'sales team'))?.id).toBe(input.id);
    expect((await repo.findByDisplayName(integration, 'SALES TEAM'))?.id).toBe(input.id);
    expect(await repo.findByDisplayName(integration, 'Sales')).toBeUndefined();
    expect((await repo.findByExternalId(integration, 'ext-1')).map((g) => g.id)).toEqual([input.id]);
    expect(await repo.findByExternalId(integration, 'EXT-1')).toEqual([]); // externalId is case-exact
  });

  it('scopes every lookup to the integration', async () => {
    const [a, b] = [newIntegration(), newIntegration()];
    const input = group(a, 'Shared Name', 'ext-shared');
    await repo.create(input);
    expect(await repo.get(b, input.id)).toBeUndefined();
    expect(await repo.findByDisplayName(b, 'Shared Name')).toBeUndefined();
    expect(await repo.findByExternalId(b, 'ext-shared')).toEqual([]);
    // The same displayName is free in another integration.
    await expect(repo.create(group(b, 'Shared Name'))).resolves.toBeDefined();
  });

  it('answers undefined or empty for unknown groups', async () => {
    const integration = newIntegration();
    expect(await repo.get(integration, randomBytes(16).toString('hex'))).toBeUndefined();
    expect(await repo.findByDisplayName(integration, 'nobody')).toBeUndefined();
    expect(await repo.findByExternalId(integration, 'nothing')).toEqual([]);
    expect(await listAll(integration)).toEqual([]);
  });

  it('finds every group sharing an externalId, and only those', async () => {
    const integration = newIntegration();
    const one = group(integration, 'One', 'dup');
    const two = group(integration, 'Two', 'dup');
    await repo.create(one);
    await repo.create(two);
    await repo.create(group(integration, 'Three', 'dup-longer'));
    await repo.create(group(integration, 'Four', 'du'));
    await repo.create(group(integration, 'Five', 'dup|x'));
    expect((await repo.findByExternalId(integration, 'dup')).map((g) => g.id).sort()).toEqual([one.id, two.id].sort());
    expect((await repo.findByExternalId(integration, 'du')).map((g) => g.displayName)).toEqual(['Four']);
  });

  it('handles displayNames and externalIds with characters keys cannot hold', async () => {
    const integration = newIntegration();
    const input = group(integration, 'R&D / Ops #1? 100%', 'a/b\\c#d?e');
    await repo.create(input);
    expect((await repo.findByDisplayName(integration, 'r&d / ops #1? 100%'))?.id).toBe(input.id);
    expect((await repo.findByExternalId(integration, 'a/b\\c#d?e')).map((g) => g.id)).toEqual([input.id]);
  });

  it('lists the groups of an integration page by page, without the key rows', async () => {
    const integration = newIntegration();
    const inputs = Array.from({ length: 7 }, (_, i) => group(integration, `Group ${i}`, `x${i}`));
    for (const input of inputs) await repo.create(input);
    const listed = await listAll(integration, 3);
    expect(listed.map((g) => g.id).sort()).toEqual(inputs.map((g) => g.id).sort());
    expect(listed.every((g) => g.integrationId === integration && g.etag !== undefined)).toBe(true);
  });
});

describe('GroupRepository: uniqueness and updates', () => {
  it('refuses a duplicate displayName (any case) with KeyTakenError and writes nothing', async () => {
    const integration = newIntegration();
    const first = group(integration, 'Engineering', 'e1');
    await repo.create(first);
    const before = await rowKeys(integration);
    const clash = group(integration, 'ENGINEERING', 'e2');
    await expect(repo.create(clash)).rejects.toBeInstanceOf(KeyTakenError);
    expect(await rowKeys(integration)).toEqual(before);
    expect(await repo.get(integration, clash.id)).toBeUndefined();
    expect(await repo.findByExternalId(integration, 'e2')).toEqual([]);
  });

  it('renames a group: the new name is taken, the old one is free', async () => {
    const integration = newIntegration();
    const created = await repo.create(group(integration, 'Old Name', 'ext-old'));
    const renamed = await repo.update(created, { ...created, displayName: 'New Name', externalId: 'ext-new', lastModified: 'later' });
    expect(renamed.version).toBe(2);
    expect(renamed.etag).not.toBe(created.etag);
    expect((await repo.get(integration, created.id))?.displayName).toBe('New Name');
    expect((await repo.findByDisplayName(integration, 'new name'))?.id).toBe(created.id);
    expect(await repo.findByDisplayName(integration, 'Old Name')).toBeUndefined();
    expect(await repo.findByExternalId(integration, 'ext-old')).toEqual([]);
    expect((await repo.findByExternalId(integration, 'ext-new')).map((g) => g.id)).toEqual([created.id]);
    await expect(repo.create(group(integration, 'Old Name'))).resolves.toBeDefined();
  });

  it('changes only the case of a name and drops an externalId', async () => {
    const integration = newIntegration();
    const created = await repo.create(group(integration, 'case team', 'ext-case'));
    const { externalId: _dropped, ...withoutExternalId } = created;
    const saved = await repo.update(created, { ...withoutExternalId, displayName: 'Case Team' });
    expect((await repo.findByDisplayName(integration, 'CASE TEAM'))?.displayName).toBe('Case Team');
    expect(await repo.findByExternalId(integration, 'ext-case')).toEqual([]);
    expect((await repo.get(integration, created.id))?.externalId).toBeUndefined();
    expect(saved.version).toBe(2);
  });

  it('refuses a rename onto a taken name and leaves both groups as they were', async () => {
    const integration = newIntegration();
    const a = await repo.create(group(integration, 'Alpha'));
    await repo.create(group(integration, 'Beta'));
    await expect(repo.update(a, { ...a, displayName: 'beta' })).rejects.toBeInstanceOf(KeyTakenError);
    expect((await repo.get(integration, a.id))?.displayName).toBe('Alpha');
    expect((await repo.findByDisplayName(integration, 'alpha'))?.id).toBe(a.id);
  });

  it('throws ConcurrentUpdateError on a stale ETag', async () => {
    const integration = newIntegration();
    const created = await repo.create(group(integration, 'Racy'));
    await repo.update(created, { ...created, enabled: true });
    await expect(repo.update(created, { ...created, displayName: 'Racy 2' })).rejects.toBeInstanceOf(ConcurrentUpdateError);
    const current = await repo.get(integration, created.id);
    expect(current).toMatchObject({ displayName: 'Racy', enabled: true, version: 2 });
    expect(await repo.findByDisplayName(integration, 'Racy 2')).toBeUndefined();
  });

  it('deletes a group with its rows and frees the name', async () => {
    const integration = newIntegration();
    const created = await repo.create(group(integration, 'Doomed', 'ext-doomed'));
    await repo.delete(created);
    expect(await repo.get(integration, created.id)).toBeUndefined();
    expect(await repo.findByDisplayName(integration, 'Doomed')).toBeUndefined();
    expect(await repo.findByExternalId(integration, 'ext-doomed')).toEqual([]);
    expect(await rowKeys(integration)).toEqual([]);
    await expect(repo.create(group(integration, 'doomed'))).resolves.toBeDefined();
  });

  it('reports deleting a group that is already gone as a concurrent update', async () => {
    const integration = newIntegration();
    const created = await repo.create(group(integration, 'Twice'));
    await repo.delete(created);
    await expect(repo.delete(created)).rejects.toBeInstanceOf(ConcurrentUpdateError);
  });
});

describe('GroupRepository: kind and on-premises SID', () => {
  const SID = 'S-1-5-21-1004336348-1177238915-682003330-512';
  const withSid = (integrationId: string, displayName: string, fields: Partial<GroupRecord>): GroupRecord => ({ ...group(integrationId, displayName), ...fields });

  it('stores them with the group and moves its SID index row (s:<sid>|<id>) in the group\'s own transactions', async () => {
    const integration = newIntegration();
    const first = await repo.create(withSid(integration, 'Sales', { kind: 'security', onPremisesSecurityIdentifier: SID }));
    // No uniqueness: two groups of one source may carry one SID.
    const second = await repo.create(withSid(integration, 'Sales (copy)', { kind: 'dynamic', onPremisesSecurityIdentifier: SID }));
    await repo.create(group(integration, 'Plain'));
    expect(await repo.get(integration, first.id)).toMatchObject({ kind: 'security', onPremisesSecurityIdentifier: SID });
    expect((await repo.findByOnPremisesSid(integration, SID)).map((g) => g.id).sort()).toEqual([first.id, second.id].sort());
    // A SID that continues the one asked for is not a match.
    await repo.create(withSid(integration, 'Longer', { onPremisesSecurityIdentifier: `${SID}|9` }));
    expect(await repo.findByOnPremisesSid(integration, SID)).toHaveLength(2);

    const moved = await repo.update(second, { ...second, onPremisesSecurityIdentifier: `${SID}0` });
    expect((await repo.findByOnPremisesSid(integration, SID)).map((g) => g.id)).toEqual([first.id]);
    expect((await repo.findByOnPremisesSid(integration, `${SID}0`)).map((g) => g.id)).toEqual([second.id]);
    const { onPremisesSecurityIdentifier: _sid, ...withoutSid } = moved;
    await repo.update(moved, withoutSid);
    expect(await repo.findByOnPremisesSid(integration, `${SID}0`)).toEqual([]);

    await repo.delete((await repo.get(integration, first.id)) as GroupRecord);
    expect(await repo.findByOnPremisesSid(integration, SID)).toEqual([]);
    expect((await rowKeys(integration)).filter((key) => key.startsWith('s:'))).toHaveLength(1);
  });
});
