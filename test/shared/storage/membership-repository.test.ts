// MembershipRepository against Azurite: both sides of every membership, batching beyond 100 rows, idempotence.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { odata } from '@azure/data-tables';
import { cleanUpPartition } from '../../../shared/storage/membership-clean-up-journal.js';
import { type MemberRow, MembershipRepository } from '../../../shared/storage/membership-repository.js';
import type { TableClients } from '../../../shared/storage/table-clients.js';
import { createFreshTables, dropTables } from '../../support/fresh-tables.js';
import { Interleaving, placements } from '../../support/interleavings.js';
import { countTableCalls } from '../../support/table-method-wrap.js';

let tables: TableClients;
let repo: MembershipRepository;

beforeAll(async () => {
  tables = await createFreshTables();
  repo = new MembershipRepository(tables.members);
});
afterAll(async () => {
  await dropTables(tables);
});

let counter = 0;
/** Ids shaped like the product's (hex), unique within this file's tables. */
const newId = (): string => `${(counter++).toString(16).padStart(4, '0')}${randomBytes(14).toString('hex')}`;
const users = (n: number): MemberRow[] => Array.from({ length: n }, (_, i) => ({ value: newId(), type: 'User', display: `User ${i}` }));

async function allMembers(integrationId: string, groupId: string, pageSize?: number): Promise<{ rows: MemberRow[]; pages: number }> {
  const rows: MemberRow[] = [];
  let pages = 0;
  for await (const page of repo.members(integrationId, groupId, pageSize)) {
    rows.push(...page);
    pages++;
  }
  return { rows, pages };
}

const values = (rows: MemberRow[]): string[] => rows.map((r) => r.value).sort();

describe('MembershipRepository', () => {
  it('adds 250 members (more than one transaction) and reads them from both sides', async () => {
    const group = newId();
    const members = users(250);
    await repo.add('int1', group, members);

    const { rows, pages } = await allMembers('int1', group, 100);
    expect(pages).toBe(3);
    expect(values(rows)).toEqual(values(members));
    expect(rows.find((r) => r.value === members[7]!.value)).toEqual(members[7]);

    for (const member of [members[0]!, members[99]!, members[100]!, members[249]!]) {
      expect(await repo.isMember('int1', group, member.value)).toBe(true);
      expect(await repo.groupsOf('int1', member.value)).toEqual([group]);
    }
  });

  it('keeps members of different groups and integrations apart', async () => {
    const [g1, g2] = [newId(), newId()];
    const [shared, onlyG1, otherIntegration] = users(3) as [MemberRow, MemberRow, MemberRow];
    await repo.add('int1', g1, [shared, onlyG1]);
    await repo.add('int1', g2, [shared]);
    await repo.add('int2', g1, [otherIntegration]);

    expect((await repo.groupsOf('int1', shared.value)).sort()).toEqual([g1, g2].sort());
    expect(await repo.groupsOf('int1', onlyG1.value)).toEqual([g1]);
    expect(await repo.groupsOf('int2', shared.value)).toEqual([]);
    expect(await repo.groupsOf('int1', otherIntegration.value)).toEqual([]);
    expect(await repo.isMember('int1', g2, onlyG1.value)).toBe(false);
    expect(await repo.isMember('int2', g1, shared.value)).toBe(false);
    expect(values((await allMembers('int1', g1)).rows)).toEqual(values([shared, onlyG1]));
    expect(values((await allMembers('int2', g1)).rows)).toEqual([otherIntegration.value]);
  });

  it('keeps the member type and display, and re-adding is idempotent (last display wins)', async () => {
    const group = newId();
    const nested: MemberRow = { value: newId(), type: 'Group' };
    const user: MemberRow = { value: newId(), type: 'User', display: 'Before' };
    await repo.add('int1', group, [nested, user]);
    await repo.add('int1', group, [nested, { ...user, display: 'After' }]);
    await repo.add('int1', group, [nested]);

    const { rows } = await allMembers('int1', group);
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r.value === nested.value)).toEqual({ value: nested.value, type: 'Group' });
    expect(rows.find((r) => r.value === user.value)).toEqual({ value: user.value, type: 'User', display: 'After' });
    expect(await repo.groupsOf('int1', nested.value)).toEqual([group]);
  });

  it('removes some members, tolerating ids that are not members and duplicates', async () => {
    const group = newId();
    const members = users(150);
    await repo.add('int1', group, members);
    const removed = members.slice(0, 120).map((m) => m.value);
    const strangers = [newId(), newId()];
    await expect(repo.remove('int1', group, [...removed, ...strangers, removed[0]!])).resolves.toBeUndefined();

    const { rows } = await allMembers('int1', group);
    expect(values(rows)).toEqual(values(members.slice(120)));
    expect(await repo.isMember('int1', group, removed[5]!)).toBe(false);
    expect(await repo.groupsOf('int1', removed[5]!)).toEqual([]);
    expect(await repo.groupsOf('int1', members[130]!.value)).toEqual([group]);

    // Removing again (everything already gone) and removing from an empty or unknown group do not throw.
    await expect(repo.remove('int1', group, removed)).resolves.toBeUndefined();
    await expect(repo.remove('int1', newId(), [members[130]!.value])).resolves.toBeUndefined();
    await expect(repo.remove('int1', group, [])).resolves.toBeUndefined();
    expect(await repo.isMember('int1', group, members[130]!.value)).toBe(true);
  });

  it('changes groups in one change: a group\'s removals and additions in one transaction a side and one settling read', async () => {
    const [one, two] = [newId(), newId()];
    const members = users(6);
    const [kept, leaving, readded, , joining, joiningTwo] = members as [MemberRow, MemberRow, MemberRow, MemberRow, MemberRow, MemberRow];
    await repo.add('int1', one, [kept, leaving, readded]);
    await repo.add('int1', two, [kept]);
    const { table, calls } = countTableCalls(tables.members, ['submitTransaction', 'listEntities', 'deleteEntity']);
    const counted = new MembershipRepository(table);
    await counted.changeGroups('int1', [
      { groupId: one, add: [joining, readded], remove: [leaving.value, readded.value] },
      { groupId: two, add: [joiningTwo], remove: [kept.value] },
    ]);
    expect(values((await allMembers('int1', one)).rows)).toEqual(values([kept, readded, joining]));
    expect(values((await allMembers('int1', two)).rows)).toEqual([joiningTwo.value]);
    for (const [member, groups] of [[kept, [one]], [leaving, []], [readded, [one]], [joining, [one]], [joiningTwo, [two]]] as const) {
      expect(await repo.groupsOf('int1', member.value)).toEqual(groups);
    }
    // One group-side transaction per group, the member sides' in as many as their partitions (at most 4), and each
    // group read back once: removals and additions were not written and settled apart.
    expect(calls.submitTransaction).toBeLessThanOrEqual(2 + 4);
    expect(calls.listEntities).toBe(2);
    expect(calls.deleteEntity).toBe(0);
  });

  it('changes groups where a removed member is not there: the other writes still go in one transaction', async () => {
    const group = newId();
    const [present, stranger, joining] = users(3) as [MemberRow, MemberRow, MemberRow];
    await repo.add('int1', group, [present]);
    const { table, calls } = countTableCalls(tables.members, ['submitTransaction', 'deleteEntity']);
    await new MembershipRepository(table).changeGroups('int1', [{ groupId: group, add: [joining], remove: [present.value, stranger.value] }]);
    expect(values((await allMembers('int1', group)).rows)).toEqual([joining.value]);
    expect(await repo.groupsOf('int1', present.value)).toEqual([]);
    expect(await repo.groupsOf('int1', joining.value)).toEqual([group]);
    // The group side's transaction failed on the stranger: its upsert went in one transaction, its deletes one by one.
    expect(calls.deleteEntity).toBeGreaterThanOrEqual(2);
    expect(calls.deleteEntity).toBeLessThanOrEqual(4);
  });

  it('removeAll empties a large group on both sides and leaves other groups alone', async () => {
    const [group, other] = [newId(), newId()];
    const members = users(230);
    await repo.add('int1', group, members);
    await repo.add('int1', other, members.slice(0, 3));
    await repo.removeAll('int1', group);

    expect((await allMembers('int1', group)).rows).toEqual([]);
    for (const member of members.slice(0, 5)) {
      expect(await repo.groupsOf('int1', member.value)).toEqual(members.indexOf(member) < 3 ? [other] : []);
    }
    expect(values((await allMembers('int1', other)).rows)).toEqual(values(members.slice(0, 3)));
    await expect(repo.removeAll('int1', group)).resolves.toBeUndefined();
  });

  it('removeMemberEverywhere drops one member from every group of the integration only', async () => {
    const groups = [newId(), newId(), newId()];
    const [leaver, stayer] = users(2) as [MemberRow, MemberRow];
    for (const group of groups) await repo.add('int1', group, [leaver, stayer]);
    await repo.add('int2', groups[0]!, [leaver]);

    await repo.removeMemberEverywhere('int1', leaver.value);
    expect(await repo.groupsOf('int1', leaver.value)).toEqual([]);
    for (const group of groups) {
      expect(await repo.isMember('int1', group, leaver.value)).toBe(false);
      expect(await repo.isMember('int1', group, stayer.value)).toBe(true);
    }
    expect(await repo.isMember('int2', groups[0]!, leaver.value)).toBe(true);
    await expect(repo.removeMemberEverywhere('int1', leaver.value)).resolves.toBeUndefined();
  });

  it('does not confuse a member id with another that it prefixes', async () => {
    const group = newId();
    const short = newId();
    await repo.add('int1', group, [{ value: `${short}0`, type: 'User' }]);
    expect(await repo.groupsOf('int1', short)).toEqual([]);
    expect(await repo.isMember('int1', group, short)).toBe(false);
  });

  it('yields nothing for a group without members', async () => {
    expect((await allMembers('int1', newId())).rows).toEqual([]);
    expect(await repo.groupsOf('int1', newId())).toEqual([]);
  });
});

/** The repository over a table whose queries are counted. */
function countingQueries(): { repo: MembershipRepository; queries: { readonly listEntities: number } } {
  const { table, calls } = countTableCalls(tables.members, ['listEntities']);
  return { repo: new MembershipRepository(table), queries: calls };
}

describe('MembershipRepository.membersAmong', () => {
  it('answers which of the ids the group side lists, whatever else the group holds', async () => {
    const [integrationId, groupId] = ['intma', newId()];
    const members = users(300);
    await repo.add(integrationId, groupId, members);
    const outsiders = Array.from({ length: 150 }, () => newId());
    // Every mix: few ids, a sparse sample of a large group (wide key ranges, dense with others), most of it, ids not
    // members at all, duplicates, and non-ASCII ids (read by key, not by range).
    const cases: string[][] = [
      members.slice(0, 5).map((m) => m.value),
      members.filter((_, i) => i % 20 === 0).map((m) => m.value).concat(outsiders.slice(0, 20)),
      members.slice(0, 250).map((m) => m.value).concat(outsiders, [members[0]?.value ?? '']),
      [...members.slice(40, 60).map((m) => m.value), 'ünïcode-ïd', ...outsiders.slice(0, 10)],
    ];
    for (const ids of cases) {
      const expected = new Set(ids.filter((id) => members.some((m) => m.value === id)));
      expect(await repo.membersAmong(integrationId, groupId, ids)).toEqual(expected);
    }
  });

  it('reads the members of a large add with one range query a hundred ids, not one query per 14', async () => {
    const [integrationId, groupId] = ['intma', newId()];
    const members = users(180);
    await repo.add(integrationId, groupId, members);
    const { repo: counted, queries } = countingQueries();
    const present = await counted.membersAmong(integrationId, groupId, members.map((m) => m.value));
    expect(present.size).toBe(180);
    expect(queries.listEntities).toBe(2); // by key, 14 to a query: 13
  });

  it('falls back to reading by key where a window\'s key range holds many other members', async () => {
    const [integrationId, groupId] = ['intma', newId()];
    const members = users(400);
    await repo.add(integrationId, groupId, members);
    const sample = members.filter((_, i) => i % 10 === 0).map((m) => m.value); // 40 ids spread over all 400
    const { repo: counted, queries } = countingQueries();
    expect((await counted.membersAmong(integrationId, groupId, sample)).size).toBe(40);
    expect(queries.listEntities).toBeLessThanOrEqual(1 + Math.ceil(40 / 14));
  });
});

describe('MembershipRepository: a removal cut short stays findable by the next clean-up', () => {
  /** Runs `work` with the transactions on partitions starting with `prefix` failing, as a crash there would. */
  async function failingOn<T>(prefix: string, work: () => Promise<T>): Promise<void> {
    const original = tables.members.submitTransaction.bind(tables.members);
    tables.members.submitTransaction = (actions, options) => {
      if (String(actions[0]?.[1].partitionKey).startsWith(prefix)) return Promise.reject(new Error('injected storage fault'));
      return original(actions, options);
    };
    try {
      await expect(work()).rejects.toThrow('injected storage fault');
    } finally {
      tables.members.submitTransaction = original;
    }
  }

  it('a member\'s clean-up deletes the member side last: cut short on the group side, a retry still finds every row', async () => {
    const [group, member] = [newId(), users(1)];
    await repo.add('int9', group, member);
    await failingOn('m|', () => repo.removeMemberEverywhere('int9', member[0]!.value));
    expect(await repo.groupsOf('int9', member[0]!.value)).toEqual([group]);
    await repo.removeMemberEverywhere('int9', member[0]!.value);
    expect(await repo.groupsOf('int9', member[0]!.value)).toEqual([]);
    expect((await allMembers('int9', group)).rows).toEqual([]);
  });

  it('a group\'s clean-up cut short between the two sides is finished by the next clean-up, from its journal', async () => {
    const [group, members] = [newId(), users(3)];
    await repo.add('int9', group, members);
    await failingOn('u|', () => repo.removeAll('int9', group));
    // The group side went first; the member side is still there, and only the journal finds it from the group.
    expect((await allMembers('int9', group)).rows).toEqual([]);
    for (const member of members) expect(await repo.groupsOf('int9', member.value)).toEqual([group]);
    await repo.removeAll('int9', group);
    for (const member of members) expect(await repo.groupsOf('int9', member.value)).toEqual([]);
    expect(await rowsOfPartition(cleanUpPartition('int9', group))).toEqual([]);
  });

  it('a journal entry whose members were added back meanwhile restores their member side instead of deleting it', async () => {
    const [group, members] = [newId(), users(2)];
    await repo.add('int9', group, members);
    await failingOn('u|', () => repo.removeAll('int9', group));
    await repo.add('int9', group, [members[0]!]);
    await repo.finishCleanUps('int9', group);
    expect(await repo.groupsOf('int9', members[0]!.value)).toEqual([group]);
    expect(await repo.groupsOf('int9', members[1]!.value)).toEqual([]);
    expect(values((await allMembers('int9', group)).rows)).toEqual([members[0]!.value]);
  });
});

async function rowsOfPartition(partitionKey: string): Promise<unknown[]> {
  const rows = [];
  for await (const row of tables.members.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${partitionKey}` } })) rows.push(row);
  return rows;
}

/** Whether each side of the membership exists. */
async function sides(integrationId: string, groupId: string, memberId: string): Promise<{ groupSide: boolean; memberSide: boolean }> {
  return { groupSide: await repo.isMember(integrationId, groupId, memberId), memberSide: (await repo.groupsOf(integrationId, memberId)).includes(groupId) };
}

/** The enumerations below run 70 (twice) and 165 interleavings against Azurite: seconds on an idle machine, more under load. */
const ENUMERATION_TIMEOUT_MS = 180_000;

describe('MembershipRepository: concurrent changes of one membership leave both sides agreeing, in every order', () => {
  it('an add and a remove of the same membership, each interleaving of their storage calls, from either start', async () => {
    // Each takes three calls uncontended (group side, member side, settling read); the slots spare room for a batch
    // delete's row-by-row retry and for a settling round.
    for (const schedule of placements(8, 4)) {
      for (const startsAsMember of [false, true]) {
        const group = newId();
        const [member] = users(1) as [MemberRow];
        if (startsAsMember) await repo.add('int7', group, [member]);
        const run = new Interleaving(schedule);
        const adder = new MembershipRepository(run.clientFor(tables.members, 0));
        const remover = new MembershipRepository(run.clientFor(tables.members, 1));
        const results = await run.run([() => adder.add('int7', group, [member]), () => remover.remove('int7', group, [member.value])]);
        expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled']);
        const { groupSide, memberSide } = await sides('int7', group, member.value);
        expect({ trace: run.trace, memberSide }).toEqual({ trace: run.trace, memberSide: groupSide });
      }
    }
  }, ENUMERATION_TIMEOUT_MS);

  it('a group emptied (PUT) while a PATCH adds one member, each interleaving of the add\'s three calls', async () => {
    for (const schedule of placements(11, 3)) {
      const group = newId();
      const [kept, added] = users(2) as [MemberRow, MemberRow];
      await repo.add('int7', group, [kept]);
      const run = new Interleaving(schedule);
      const emptier = new MembershipRepository(run.clientFor(tables.members, 0));
      const adder = new MembershipRepository(run.clientFor(tables.members, 1));
      await run.run([() => emptier.removeAll('int7', group), () => adder.add('int7', group, [added])]);
      for (const member of [kept, added]) {
        const { groupSide, memberSide } = await sides('int7', group, member.value);
        expect({ trace: run.trace, member: member.value, memberSide }).toEqual({ trace: run.trace, member: member.value, memberSide: groupSide });
      }
      expect(await rowsOfPartition(cleanUpPartition('int7', group))).toEqual([]);
    }
  }, ENUMERATION_TIMEOUT_MS);
});
