// A membership step's write of its groups (changeGroups) against Azurite with the real directory and state store:
// the differences of several groups are applied as one change until they reach MEMBERSHIPS_PER_CHANGE memberships,
// each change journaled before it writes, so a step holds a bounded amount whatever its groups' sizes; both sides of
// every membership end written. And the sweep of what a failed run journaled (settleJournal steps), page by page.
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSettings } from '../../../../shared/config.js';
import type { GraphClient } from '../../../../shared/graph/graph-client.js';
import { parseStoredGraphSettings } from '../../../../shared/graph/graph-integration-settings.js';
import { changeGroups, MEMBERSHIPS_PER_CHANGE } from '../../../../shared/graph/sync/member-steps.js';
import { settleJournalStep } from '../../../../shared/graph/sync/membership-journal.js';
import { StepTally, type SyncContext } from '../../../../shared/graph/sync/sync-context.js';
import { GraphSyncStateStore } from '../../../../shared/graph/sync/sync-state-store.js';
import { checkStorage } from '../../../../shared/maintenance/storage-checker.js';
import { LocalFileSecretStore } from '../../../../shared/secrets/local-file-secret-store.js';
import { createServices, type Services } from '../../../../shared/services.js';
import { encodeKey } from '../../../../shared/storage/keys.js';
import { groupPartition } from '../../../../shared/storage/membership-repository.js';
import { dropTables } from '../../../support/fresh-tables.js';

let services: Services;

beforeAll(async () => {
  const secrets = new LocalFileSecretStore(join(await mkdtemp(join(tmpdir(), 'secrets-')), 'secrets.json'));
  services = await createServices(parseSettings({ AzureWebJobsStorage: process.env.AzureWebJobsStorage }), { tablePrefix: `t${randomBytes(5).toString('hex')}`, secrets, recordProvisioningLog: false });
});
afterAll(async () => {
  await dropTables(services.tables);
});

function contextFor(integrationId: string, runId = 'run1'): SyncContext {
  const guid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
  return {
    integrationId,
    runId,
    stepId: 'step1',
    dryRun: false,
    redelivered: false,
    settings: parseStoredGraphSettings({ tenantId: guid(1), clientId: guid(2), groupSelection: { mode: 'all' } }),
    client: {} as GraphClient,
    people: services.people,
    groups: services.groups,
    store: new GraphSyncStateStore(services.tables.syncruns, integrationId),
    log: services.provisioningLog,
    now: () => new Date('2026-12-02T02:00:00Z'),
  };
}

/** A match-only integration and `count` people in its view, named `<prefix><n>@contoso.com`. */
async function integrationWithPeople(displayName: string, count: number, prefix: string) {
  const integration = await services.integrations.create({ displayName, userProvisioning: 'matchOnly' }, 'https://h');
  const source = { id: integration.id, userProvisioning: 'matchOnly' as const };
  const people = await Promise.all(
    Array.from({ length: count }, (_, index) => services.people.createSource(source, { doc: { userName: `${prefix}${index}@contoso.com` }, attributes: [{ path: 'userName', type: 'string' }], contentManager: {} })),
  );
  return { integration, people };
}

describe('a membership step’s groups', () => {
  it('are written as one change up to the bound, journaled before each, and end with both sides of every membership', { timeout: 120_000 }, async () => {
    const { integration, people } = await integrationWithPeople('Graph-like', 520, 'p');
    const ids = people.map((person) => person.id);
    // Six groups: 200 + 200 + 10 + 10 make a change of 420 (a group more would pass the bound of 500), then 520 alone
    // (one group larger than the bound), then the last 5.
    const sizes = [200, 200, 10, 10, 520, 5];
    const groups = await Promise.all(sizes.map((_, index) => services.groups.create(integration.id, { displayName: `G${index}` }, [])));
    const refs = groups.map((group, index) => ({ g: `graph-${index}`, id: group.id }));
    const differences = new Map(refs.map((ref, index) => [ref.g, { group: ref, add: ids.slice(0, sizes[index]).map((value) => ({ value, type: 'User' as const })), remove: [] }]));

    const ctx = contextFor(integration.id);
    const calls: string[][] = [];
    const groupsService = services.groups;
    const change = groupsService.changeMembersOfGroups.bind(groupsService);
    const journaled: string[] = [];
    const journal = ctx.store.journalChanges.bind(ctx.store);
    ctx.store.journalChanges = async (entries) => {
      journaled.push(...entries.map((entry) => entry.graphId));
      return journal(entries);
    };
    groupsService.changeMembersOfGroups = async (integrationId, changes) => {
      // Each change comes after the journal of its groups.
      for (const { groupId } of changes) expect(journaled).toContain(refs.find((ref) => ref.id === groupId)?.g);
      calls.push(changes.map(({ groupId }) => groupId));
      return change(integrationId, changes);
    };
    const tally = new StepTally();
    try {
      await changeGroups(ctx, 'm', refs, (ref) => Promise.resolve(differences.get(ref.g)), tally);
    } finally {
      groupsService.changeMembersOfGroups = change;
    }
    expect(MEMBERSHIPS_PER_CHANGE).toBe(500);
    expect(calls).toEqual([refs.slice(0, 4).map((ref) => ref.id), [refs[4]!.id], [refs[5]!.id]]);
    expect(tally.counters.membershipsAdded).toBe(sizes.reduce((sum, size) => sum + size, 0));
    for (const [index, group] of groups.entries()) {
      const members: string[] = [];
      for await (const page of services.groups.members(integration.id, group.id)) members.push(...page.map((row) => row.value));
      expect(members.sort()).toEqual(ids.slice(0, sizes[index]).sort());
    }
    const problems = (await checkStorage(services.tables)).problems.filter((problem) => problem.kind !== 'orphan-catalog-row');
    expect(problems).toEqual([]);
  });
});

describe('the sweep of a failed run’s journal', () => {
  it('settles every entry a page at a time, deletes them, and leaves the run’s own entries alone', { timeout: 120_000 }, async () => {
    const { integration, people } = await integrationWithPeople('Swept', 45, 's');
    const groups = await Promise.all(people.map((_, index) => services.groups.create(integration.id, { displayName: `S${index}` }, [])));
    // What a run cut short between the two sides leaves: each group lists its member, whose member side is missing.
    await Promise.all(
      groups.map((group, index) =>
        services.tables.members.upsertEntity({ partitionKey: groupPartition(integration.id, group.id), rowKey: encodeKey(people[index]!.id), value: people[index]!.id, type: 'User' }, 'Replace'),
      ),
    );
    const kinds = async (): Promise<string[]> => ((await checkStorage(services.tables)).problems as { kind: string }[]).map((problem) => problem.kind).filter((kind) => kind !== 'orphan-catalog-row');
    expect(await kinds()).toEqual(Array.from({ length: 45 }, () => 'missing-member-side-row'));
    const failed = contextFor(integration.id, 'failedRun');
    await failed.store.journalChanges(groups.map((group, index) => ({ graphId: `graph-${index}`, entry: { runId: 'failedRun', graphId: `graph-${index}`, step: 'm', groupId: group.id, memberIds: [people[index]!.id], adds: 1 } })));
    const next = contextFor(integration.id, 'nextRun');
    await next.store.journalChanges([{ graphId: 'graph-own', entry: { runId: 'nextRun', graphId: 'graph-own', step: 'm', groupId: groups[0]!.id, memberIds: [people[0]!.id], adds: 1 } }]);
    expect(await next.store.hasJournalExcept('nextRun')).toBe(true);

    let steps = 0;
    for (let payload: { c?: string } | undefined = {}; payload !== undefined; steps++) {
      const [followUp] = await settleJournalStep(next, payload);
      expect(followUp === undefined || followUp.kind === 'settleJournal').toBe(true);
      payload = followUp?.payload as { c?: string } | undefined;
    }
    expect(steps).toBe(3); // 45 entries, 20 a page
    expect(await kinds()).toEqual([]);
    expect(await next.store.hasJournalExcept('nextRun')).toBe(false);
    expect((await next.store.journalOf('nextRun', 'graph-own', 'm')).map(({ entry }) => entry.groupId)).toEqual([groups[0]!.id]);
  });
});
