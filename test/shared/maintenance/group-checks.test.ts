// The storage checker on the groups, members and attributes tables: each corruption of a group's uniqueness or index
// row, a membership side, an orphan membership or a catalog row, injected by writing rows directly, is found with its
// kind, and a repair leaves a state that checks clean and answers the lookups again. Also: the result keeps a bounded
// number of problems while counting and streaming all of them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkStorage, type StorageProblem } from '../../../shared/maintenance/storage-checker.js';
import { encodeKey } from '../../../shared/storage/keys.js';
import { externalIdRowKey, GroupRepository, partitionOf as groupsPartitionOf, nameRowKey } from '../../../shared/storage/group-repository.js';
import { cleanUpPartition } from '../../../shared/storage/membership-clean-up-journal.js';
import { groupPartition, memberPartition, memberRowPrefix, MembershipRepository } from '../../../shared/storage/membership-repository.js';
import { filterQuery } from '../../support/test-host.js';
import { expectClean, expectFoundNotRepaired, expectFoundThenRepaired } from './checker-expectations.js';
import { buildDirectory, type DirectoryState } from './directory-state.js';

let state: DirectoryState;
let groups: GroupRepository;
let memberships: MembershipRepository;

beforeAll(async () => {
  state = await buildDirectory();
  groups = new GroupRepository(state.tables.groups);
  memberships = new MembershipRepository(state.tables.members);
});
afterAll(async () => state.host.close());

const UNKNOWN_GROUP = 'f'.repeat(32);

async function groupA(): Promise<{ id: string; displayName: string; externalId: string; partitionKey: string }> {
  const group = await groups.get(state.a.id, state.groupA);
  if (group?.externalId === undefined) throw new Error('group A has an externalId');
  return { id: group.id, displayName: group.displayName, externalId: group.externalId, partitionKey: groupsPartitionOf(state.a.id) };
}

/** Writes a membership's two rows directly, as an interrupted or racing request could leave them. */
async function writeMembership(integrationId: string, groupId: string, memberId: string): Promise<void> {
  await state.tables.members.createEntity({ partitionKey: groupPartition(integrationId, groupId), rowKey: encodeKey(memberId), value: memberId, type: 'User' });
  await state.tables.members.createEntity({ partitionKey: memberPartition(integrationId, memberId), rowKey: memberRowPrefix(memberId) + groupId, groupId, memberId });
}

describe('group rows', () => {
  it('restores a deleted displayName row, so displayName eq finds the group again', async () => {
    const group = await groupA();
    await state.tables.groups.deleteEntity(group.partitionKey, nameRowKey(group.displayName));
    const [problem] = await expectFoundThenRepaired(state.tables, ['missing-group-name-row']);
    expect(problem).toMatchObject({ table: 'groups', partitionKey: group.partitionKey, rowKey: nameRowKey(group.displayName) });
    const found = await state.a.scim.get(`/Groups?${filterQuery(`displayName eq "${group.displayName}"`)}&excludedAttributes=members`);
    expect(found.body.Resources.map((g: { id: string }) => g.id)).toEqual([group.id]);
  });

  it('restores a deleted externalId row, so externalId eq finds the group again', async () => {
    const group = await groupA();
    await state.tables.groups.deleteEntity(group.partitionKey, externalIdRowKey(group.externalId, group.id));
    await expectFoundThenRepaired(state.tables, ['missing-group-external-id-row']);
    expect((await groups.findByExternalId(state.a.id, group.externalId)).map((g) => g.id)).toEqual([group.id]);
  });

  it('deletes displayName and externalId rows that name a deleted group or one whose values moved on', async () => {
    const group = await groupA();
    await state.tables.groups.createEntity({ partitionKey: group.partitionKey, rowKey: nameRowKey('Team A'), ref: group.id });
    await state.tables.groups.createEntity({ partitionKey: group.partitionKey, rowKey: nameRowKey('Gone'), ref: UNKNOWN_GROUP });
    await state.tables.groups.createEntity({ partitionKey: group.partitionKey, rowKey: externalIdRowKey('aad-old', group.id), ref: group.id });
    const found = await expectFoundThenRepaired(state.tables, ['stale-group-name-row', 'stale-group-external-id-row']);
    expect(found).toHaveLength(3);
    expect((await groups.findByDisplayName(state.a.id, group.displayName))?.id).toBe(group.id);
  });

  it('reports two groups sharing a displayName, and a group of an integration that does not exist, and leaves both', async () => {
    const group = await groupA();
    const twin = { partitionKey: group.partitionKey, rowKey: `g:${UNKNOWN_GROUP}`, id: UNKNOWN_GROUP, displayName: group.displayName.toUpperCase(), enabled: false, created: '', lastModified: '', v: 1 };
    const stray = { ...twin, partitionKey: groupsPartitionOf('nosuchintegration'), displayName: 'Stray' };
    await state.tables.groups.createEntity(twin);
    await state.tables.groups.createEntity(stray);
    await state.tables.groups.createEntity({ partitionKey: stray.partitionKey, rowKey: nameRowKey('Stray'), ref: UNKNOWN_GROUP });
    try {
      const [duplicate] = await expectFoundNotRepaired(state.tables, 'duplicate-group-name');
      expect(duplicate?.detail).toContain(UNKNOWN_GROUP);
      const [unknown] = await expectFoundNotRepaired(state.tables, 'unknown-integration');
      expect(unknown).toMatchObject({ partitionKey: stray.partitionKey, rowKey: stray.rowKey });
    } finally {
      await state.tables.groups.deleteEntity(twin.partitionKey, twin.rowKey);
      await state.tables.groups.deleteEntity(stray.partitionKey, stray.rowKey);
      await state.tables.groups.deleteEntity(stray.partitionKey, nameRowKey('Stray'));
    }
    await expectClean(state.tables);
  });
});

describe('membership rows', () => {
  it('restores a deleted member-side row, so the member lists its group again', async () => {
    await state.tables.members.deleteEntity(memberPartition(state.a.id, state.ada), memberRowPrefix(state.ada) + state.groupA);
    expect(await memberships.groupsOf(state.a.id, state.ada)).not.toContain(state.groupA);
    const [problem] = await expectFoundThenRepaired(state.tables, ['missing-member-side-row']);
    expect(problem).toMatchObject({ table: 'members', partitionKey: memberPartition(state.a.id, state.ada) });
    expect(await memberships.groupsOf(state.a.id, state.ada)).toContain(state.groupA);
  });

  it('deletes a member-side row whose group no longer lists the member', async () => {
    await state.tables.members.deleteEntity(groupPartition(state.b.id, state.groupB), encodeKey(state.gil));
    await expectFoundThenRepaired(state.tables, ['stale-member-side-row']);
    expect(await memberships.groupsOf(state.b.id, state.gil)).not.toContain(state.groupB);
  });

  it('deletes both rows of memberships in a deleted group and of members the integration cannot see', async () => {
    await writeMembership(state.a.id, UNKNOWN_GROUP, state.ada);
    // fay is a staged record of A: B cannot see her.
    await writeMembership(state.b.id, state.groupB, state.fay);
    const found = await expectFoundThenRepaired(state.tables, ['orphan-membership']);
    expect(found.map((p: StorageProblem) => p.partitionKey).sort()).toEqual([groupPartition(state.a.id, UNKNOWN_GROUP), groupPartition(state.b.id, state.groupB)].sort());
    expect(await memberships.groupsOf(state.a.id, state.ada)).not.toContain(UNKNOWN_GROUP);
    expect(await memberships.groupsOf(state.b.id, state.fay)).toEqual([]);
    expect(await memberships.isMember(state.b.id, state.groupB, state.fay)).toBe(false);
  });

  it('finishes a group clean-up that stopped between the two sides, from its journal entry', async () => {
    await state.tables.members.deleteEntity(groupPartition(state.a.id, state.groupA), encodeKey(state.ada));
    await state.tables.members.createEntity({ partitionKey: cleanUpPartition(state.a.id, state.groupA), rowKey: 'stopped', memberIds: JSON.stringify([state.ada]) });
    const found = await expectFoundThenRepaired(state.tables, ['stale-member-side-row', 'unfinished-membership-clean-up']);
    expect(found.find((p: StorageProblem) => p.kind === 'unfinished-membership-clean-up')).toMatchObject({ partitionKey: cleanUpPartition(state.a.id, state.groupA), rowKey: 'stopped' });
    expect(await memberships.groupsOf(state.a.id, state.ada)).not.toContain(state.groupA);
  });
});

describe('catalog rows', () => {
  it('deletes catalog rows of an integration that does not exist', async () => {
    await state.tables.attributes.createEntity({ partitionKey: 'nosuchintegration', rowKey: encodeKey('title'), path: 'title', type: 'string', lastSeen: '' });
    const [problem] = await expectFoundThenRepaired(state.tables, ['orphan-catalog-row']);
    expect(problem).toMatchObject({ table: 'attributes', partitionKey: 'nosuchintegration' });
  });
});

describe('the result', () => {
  it('keeps at most maxProblemsKept problems, while counting and streaming every one', async () => {
    for (const name of ['x1', 'x2', 'x3']) await state.tables.groups.createEntity({ partitionKey: groupsPartitionOf(state.a.id), rowKey: nameRowKey(name), ref: UNKNOWN_GROUP });
    const streamed: StorageProblem[] = [];
    const result = await checkStorage(state.tables, { maxProblemsKept: 1, onProblem: (problem) => streamed.push(problem) });
    expect(result).toMatchObject({ problemCount: 3, repaired: 0 });
    expect(result.problems).toHaveLength(1);
    expect(streamed.map((p) => p.rowKey).sort()).toEqual(['x1', 'x2', 'x3'].map(nameRowKey).sort());
    const repaired = await checkStorage(state.tables, { repair: true, onProblem: (problem) => expect(problem.repaired).toBe(true) });
    expect(repaired).toMatchObject({ problemCount: 3, repaired: 3 });
    await expectClean(state.tables);
  });
});
