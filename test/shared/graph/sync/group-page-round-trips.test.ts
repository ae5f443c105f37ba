// A page of Graph groups costs a bounded number of storage round trips, counted at the storage boundary (a proxy in
// front of Azurite): the page's state rows and our groups are found by a few queries, new groups are created several
// to a transaction, and the seen stamps go in transactions of 100, whatever the page's size. Names stay unique per
// source (a name taken, or given twice in the page, gets the Graph id appended), and the step run again changes nothing.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { GraphClient, GraphObject } from '../../../../shared/graph/graph-client.js';
import { parseStoredGraphSettings } from '../../../../shared/graph/graph-integration-settings.js';
import { groupListStep } from '../../../../shared/graph/sync/group-steps.js';
import { StepTally, type SyncContext } from '../../../../shared/graph/sync/sync-context.js';
import { GraphSyncStateStore } from '../../../../shared/graph/sync/sync-state-store.js';
import { useProxiedServices } from '../../../support/proxied-services.js';

const storage = useProxiedServices();

const guid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const securityGroup = (n: number, displayName: string): GraphObject => ({ id: guid(n), displayName, groupTypes: [], securityEnabled: true, mailEnabled: false, onPremisesSecurityIdentifier: null });

/** A step context whose Graph client answers one page of these groups. */
function contextFor(integrationId: string, groups: GraphObject[]): SyncContext {
  const client = { getPage: () => Promise.resolve({ value: groups, nextLink: undefined, deltaLink: undefined }) } as unknown as GraphClient;
  const settings = parseStoredGraphSettings({ tenantId: guid(1), clientId: guid(2), groupSelection: { mode: 'all' } });
  return {
    integrationId,
    runId: 'run1',
    stepId: 'step1',
    dryRun: false,
    redelivered: false,
    settings,
    client,
    people: storage.services.people,
    groups: storage.services.groups,
    store: new GraphSyncStateStore(storage.services.tables.syncruns, integrationId),
    log: storage.services.provisioningLog,
    now: () => new Date('2026-12-02T02:00:00Z'),
  };
}

async function namesOf(integrationId: string): Promise<string[]> {
  const names: string[] = [];
  for await (const group of storage.services.groups.list(integrationId)) names.push(group.displayName);
  return names.sort();
}

describe('a page of Graph groups', () => {
  it('is found with two queries and created and stamped in a few transactions, and a step run again writes no group', async () => {
    const integrationId = randomBytes(16).toString('hex');
    const groups = Array.from({ length: 120 }, (_, i) => securityGroup(100 + i, `Team ${i}`));
    const ctx = contextFor(integrationId, groups);
    storage.proxy.reset();
    await groupListStep(ctx, { url: 'page' }, new StepTally());
    const first = storage.proxy.requests.filter((request) => !/Tables/.test(request));
    // 2 queries (state rows, externalId index), 4 transactions of groups (30 groups of 3 rows each), 2 of seen stamps.
    expect(first.filter((request) => request.startsWith('GET'))).toHaveLength(2);
    expect(first.filter((request) => request.startsWith('POST') && request.includes('$batch'))).toHaveLength(6);
    expect(first).toHaveLength(8);
    expect(await namesOf(integrationId)).toHaveLength(120);

    storage.proxy.reset();
    const tally = new StepTally();
    await groupListStep(ctx, { url: 'page' }, tally);
    const again = storage.proxy.requests;
    // The queries again, the 120 groups read 14 to a query (9), and the seen stamps: no group written.
    expect(again.filter((request) => request.startsWith('GET'))).toHaveLength(2 + 9);
    expect(again.filter((request) => request.includes('$batch'))).toHaveLength(2);
    expect(again).toHaveLength(13);
    expect(tally.counters).toEqual({ groupsSeen: 120 });
  });

  it('gives a name taken, or given twice in the page, the Graph id, and keeps it so when run again', async () => {
    const integrationId = randomBytes(16).toString('hex');
    await storage.services.groups.create(integrationId, { displayName: 'Taken' }, []);
    const groups = [securityGroup(1, 'Taken'), securityGroup(2, 'Twice'), securityGroup(3, 'twice'), ...Array.from({ length: 40 }, (_, i) => securityGroup(10 + i, `Other ${i}`))];
    const ctx = contextFor(integrationId, groups);
    const tally = new StepTally();
    await groupListStep(ctx, { url: 'page' }, tally);
    expect(tally.counters).toMatchObject({ groupsSeen: 43, groupsCreated: 43 });
    const names = await namesOf(integrationId);
    expect(names).toHaveLength(44);
    expect(names).toEqual(expect.arrayContaining(['Taken', `Taken (${guid(1)})`, 'Twice', `twice (${guid(3)})`, 'Other 0', 'Other 39']));
    const again = new StepTally();
    await groupListStep(ctx, { url: 'page' }, again);
    expect(again.counters).toEqual({ groupsSeen: 43 });
    expect(await namesOf(integrationId)).toEqual(names);
  });
});
