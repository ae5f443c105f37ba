// A delta run's memberEdges step against Azurite, counted at the storage boundary (a proxy in front of it): each
// group's removals and additions are written together (one group-side transaction) and settled with one read, and
// the state rows are read by key, never by an `or` of keys (a partition scan in Azure, and the state partition holds a
// row per Graph user). The users who came and went end as Graph says, through groups nested at any depth, and a user
// still in a group by another path stays.
import { describe, expect, it } from 'vitest';
import type { GraphClient, GraphObject } from '../../../../shared/graph/graph-client.js';
import { parseStoredGraphSettings } from '../../../../shared/graph/graph-integration-settings.js';
import { memberEdgesStep } from '../../../../shared/graph/sync/member-edge-steps.js';
import { CHANGED_NESTED_IDS_PER_STEP, fanOutStep, membershipPayloadOf } from '../../../../shared/graph/sync/member-steps.js';
import { StepTally, type SyncContext } from '../../../../shared/graph/sync/sync-context.js';
import { type EdgeChange, GraphSyncStateStore } from '../../../../shared/graph/sync/sync-state-store.js';
import { checkStorage } from '../../../../shared/maintenance/storage-checker.js';
import { useProxiedServices } from '../../../support/proxied-services.js';

const storage = useProxiedServices();

const GROUPS = 16;
const USERS = 48;
const guid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const graphGroup = (index: number): string => guid(0x1000 + index);
const graphUser = (index: number): string => guid(0x2000 + index);

/**
 * A Graph client answering only the groups a removed user is still in at any depth (transitiveMemberOf): `stillIn`
 * maps a Graph user to its groups.
 */
function memberOfClient(stillIn: Map<string, string[]>): GraphClient {
  return {
    url: (path: string) => path,
    objects: async function* (url: string): AsyncGenerator<GraphObject> {
      const userId = /^\/users\/([^/]+)\//.exec(url)?.[1] ?? '';
      for (const id of stillIn.get(decodeURIComponent(userId)) ?? []) yield await Promise.resolve({ id });
    },
  } as unknown as GraphClient;
}

/** Sixteen groups (group 2n holds group 2n+1) and 48 users; edge changes recorded for run `run1` (see below). */
async function edgesScenario() {
  const integration = await storage.services.integrations.create({ displayName: 'Edges', userProvisioning: 'matchOnly' }, 'https://h');
  const source = { id: integration.id, userProvisioning: 'matchOnly' as const };
  const people = await Promise.all(
    Array.from({ length: USERS }, (_, index) => storage.services.people.createSource(source, { doc: { userName: `e${index}@contoso.com` }, attributes: [{ path: 'userName', type: 'string' }], contentManager: {} })),
  );
  const personOf = (user: number): string => (people[user] as { id: string }).id;
  const groups = await Promise.all(Array.from({ length: GROUPS }, (_, index) => storage.services.groups.create(integration.id, { displayName: `Edge group ${index}` }, [])));
  const store = new GraphSyncStateStore(storage.services.tables.syncruns, integration.id);
  await store.markUsersSeen('run0', false, people.map((person, index) => ({ graphId: graphUser(index), personId: person.id })));
  await store.markGroupsSeen('run0', false, groups.map((group, index) => ({ graphId: graphGroup(index), groupId: group.id })));
  // Group 2n holds group 2n+1 (at any depth); every group starts with users 3g and 3g+1 as members.
  await store.journalChanges(groups.map((_, index) => ({ graphId: graphGroup(index), descendants: { ids: index % 2 === 0 ? [graphGroup(index + 1)] : [] } })));
  await storage.services.groups.changeMembersOfGroups(
    integration.id,
    groups.map((group, index) => ({ groupId: group.id, add: [3 * index, 3 * index + 1].map((user) => ({ value: personOf(user), type: 'User' as const })), remove: [] })),
  );
  // In each group: user 3g leaves, user 3g+2 joins; users 3g+1 of odd groups leave too, but group 1's stays in
  // group 1 by another path (Graph still lists it there).
  const edges: EdgeChange[] = groups.flatMap((_, index) => [
    { groupId: graphGroup(index), userId: graphUser(3 * index), op: 'remove' as const },
    { groupId: graphGroup(index), userId: graphUser(3 * index + 2), op: 'add' as const },
    ...(index % 2 === 1 ? [{ groupId: graphGroup(index), userId: graphUser(3 * index + 1), op: 'remove' as const }] : []),
  ]);
  await store.addEdgeChanges('run1', edges);
  await store.addChanged('run1', [], groups.map((_, index) => graphGroup(index)));
  const stillIn = new Map([[graphUser(4), [graphGroup(1)]]]);
  const ctx: SyncContext = {
    integrationId: integration.id,
    runId: 'run1',
    stepId: 'step1',
    dryRun: false,
    redelivered: false,
    settings: parseStoredGraphSettings({ tenantId: guid(1), clientId: guid(2), groupSelection: { mode: 'all' } }),
    client: memberOfClient(stillIn),
    people: storage.services.people,
    groups: storage.services.groups,
    store,
    log: storage.services.provisioningLog,
    now: () => new Date('2026-12-02T02:00:00Z'),
  };
  /** Each group's members are what Graph now says, through the groups nested in it. */
  const expectGraphsMembers = async (): Promise<void> => {
    for (const [index, group] of groups.entries()) {
      const expected = [3 * index + 1, 3 * index + 2];
      // The odd group's member 3g+1 left it, and so left the even group holding it; group 1's stays (another path).
      if (index % 2 === 1 && index !== 1) expected.splice(0, 1);
      // A user joining group 2n+1 joins group 2n, which holds it; one leaving 2n+1 leaves 2n only if Graph says so.
      if (index % 2 === 0) expected.push(3 * (index + 1) + 2);
      const members: string[] = [];
      for await (const page of storage.services.groups.members(integration.id, group.id)) members.push(...page.map((row) => row.value));
      expect(members.sort(), `group ${index}`).toEqual(expected.map(personOf).sort());
    }
    expect((await checkStorage(storage.services.tables)).problems.filter((problem) => problem.kind !== 'orphan-catalog-row')).toEqual([]);
  };
  return { ctx, groups, expectGraphsMembers };
}

/** The storage requests of a run of `work`, less table creation. */
async function requestsOf(work: () => Promise<unknown>): Promise<string[]> {
  storage.proxy.reset();
  await work();
  return storage.proxy.requests.filter((request) => !/Tables/.test(request));
}

const groupRowReads = (requests: readonly string[]): string[] => requests.filter((request) => request.startsWith('GET') && /syncruns\(.*RowKey='g-/.test(decodeURIComponent(request)));

describe('a memberEdges step', () => {
  it('writes each group’s removals and additions together and settles them with one read', async () => {
    const { ctx, groups, expectGraphsMembers } = await edgesScenario();
    const groupSideWrites: string[] = [];
    const members = storage.services.tables.members as unknown as { submitTransaction: (actions: [string, { partitionKey: string }][]) => Promise<unknown> };
    const submit = members.submitTransaction;
    members.submitTransaction = async function (this: unknown, actions) {
      const result = await submit.call(this, actions);
      const partition = actions[0]?.[1].partitionKey ?? '';
      if (partition.startsWith('m|')) groupSideWrites.push(partition);
      return result;
    };
    const tally = new StepTally();
    let requests: string[];
    try {
      requests = await requestsOf(() => memberEdgesStep(ctx, { groups: groups.map((group, index) => ({ g: graphGroup(index), id: group.id })) }, tally));
    } finally {
      members.submitTransaction = submit;
    }
    await expectGraphsMembers();

    // State rows: the 16 groups' and the users' rows by key (one query more: the run's edge changes, a key range).
    const stateQueries = requests.filter((request) => request.startsWith('GET') && request.endsWith('syncruns()'));
    expect(stateQueries).toHaveLength(1);
    expect(groupRowReads(requests)).toHaveLength(GROUPS);
    // Each group's removals and additions: one group-side transaction and one settling read, not one of each for
    // its removals and another for its additions (the other queries of the members table: each group's members among
    // those named, and the departures record).
    expect(groupSideWrites).toHaveLength(GROUPS);
    expect(new Set(groupSideWrites).size).toBe(GROUPS);
    const memberQueries = requests.filter((request) => request.startsWith('GET') && request.endsWith('members()'));
    expect(memberQueries.length).toBeLessThanOrEqual(GROUPS + GROUPS + 1);
    expect(tally.counters.membershipsAdded).toBeGreaterThan(0);
    expect(tally.counters.membershipsRemoved).toBeGreaterThan(0);
  });

  it('handed the changed nested groups by the fan-out, reads no group’s state row and ends the same', async () => {
    const { ctx, groups, expectGraphsMembers } = await edgesScenario();
    const steps = await fanOutStep(ctx, { mode: 'affected' });
    const edgeSteps = steps.filter((step) => step.kind === 'memberEdges');
    expect(edgeSteps).toHaveLength(1);
    const payload = membershipPayloadOf(edgeSteps[0]?.payload);
    // Group 2n carries group 2n+1, whose direct members changed; an odd group holds none.
    expect(payload?.groups.map((group) => group.r)).toEqual(groups.map((_, index) => (index % 2 === 0 ? [graphGroup(index + 1)] : [])));
    const requests = await requestsOf(() => memberEdgesStep(ctx, payload as NonNullable<typeof payload>, new StepTally()));
    expect(groupRowReads(requests)).toEqual([]);
    await expectGraphsMembers();
  });

  it('leaves a group whose changed nested groups do not fit its step to read its own state row', async () => {
    const { ctx } = await edgesScenario();
    const many = Array.from({ length: CHANGED_NESTED_IDS_PER_STEP + 1 }, (_, index) => guid(0x9000 + index));
    await ctx.store.journalChanges([{ graphId: graphGroup(0), descendants: { ids: [graphGroup(1), ...many] } }]);
    await ctx.store.addChanged('run1', [], many);
    const payload = membershipPayloadOf((await fanOutStep(ctx, { mode: 'affected' })).find((step) => step.kind === 'memberEdges')?.payload);
    const [first, second, third] = payload?.groups ?? [];
    expect(first?.r).toBeUndefined();
    expect(second?.r).toEqual([]);
    expect(third?.r).toEqual([graphGroup(3)]);
  });

  it('in direct mode carries no nested groups and reads no state row of a group', async () => {
    const { ctx, groups } = await edgesScenario();
    const direct = { ...ctx, settings: parseStoredGraphSettings({ tenantId: guid(1), clientId: guid(2), groupSelection: { mode: 'all' }, membershipDepth: 'direct' }) };
    const payload = membershipPayloadOf((await fanOutStep(direct, { mode: 'affected' })).find((step) => step.kind === 'memberEdges')?.payload);
    expect(payload?.groups.map((group) => group.r)).toEqual(groups.map(() => []));
    const withoutLists = { groups: groups.map((group, index) => ({ g: graphGroup(index), id: group.id })) };
    expect(groupRowReads(await requestsOf(() => memberEdgesStep(direct, withoutLists, new StepTally())))).toEqual([]);
  });
});
