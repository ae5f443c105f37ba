// The Graph sync in the provisioning log, read through GET /api/admin/integrations/{id}/provisioning-log: a real run
// records one entry per user or group it changed (groups created, renamed, removed; a group's memberships changed in
// bulk as one update of the group; a user's attributes set or cleared), each with the run id as correlation id and no
// attribute value; a dry run records nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2E_TIMEOUT_MS, type GraphSyncTest, sampleContentManagerUsers, startGraphSyncTest } from './graph-sync-harness.js';

interface Entry {
  source: string;
  operation: string;
  resourceType: string;
  resourceId: string | null;
  displayName: string | null;
  outcome: string;
  correlationId: string;
}

let t: GraphSyncTest;
beforeAll(async () => {
  t = await startGraphSyncTest();
  await t.importUsers(sampleContentManagerUsers(['alice', 'bob', 'carol', 'dave', 'erin']));
});
afterAll(async () => {
  await t.close();
});

async function entries(integrationId: string): Promise<Entry[]> {
  const page = (await t.harness.host.adminJson(`/integrations/${integrationId}/provisioning-log?pageSize=200`)) as { entries: Entry[] };
  return page.entries;
}

const summary = (list: readonly Entry[]): string[] => list.map((e) => `${e.operation} ${e.resourceType}${e.displayName === null ? '' : ` ${e.displayName}`}`).sort();

describe('the Graph sync in the provisioning log', { timeout: E2E_TIMEOUT_MS }, () => {
  it('records nothing for a dry run, then one entry per resource a run changed, under the run id', async () => {
    const id = await t.createIntegration({ userAttributes: ['department'] });
    const dry = await t.run(id, { dryRun: true });
    expect(dry).toMatchObject({ status: 'succeeded', dryRun: true });
    expect(dry.counts.groupsCreated).toBe(9);
    expect(await entries(id)).toEqual([]);

    const full = await t.run(id);
    expect(full.status).toBe('succeeded');
    const first = await entries(id);
    expect(first.every((e) => e.source === 'graph' && e.outcome === 'success' && e.correlationId === full.id && e.resourceId !== null)).toBe(true);
    const groupNames = ['COMMS-CycleA', 'COMMS-CycleB', 'COMMS-Dynamic', 'COMMS-Level1', 'COMMS-Level2', 'COMMS-Level3', 'COMMS-M365', 'COMMS-MailSecurity', 'COMMS-Top'];
    // Each group created, then its members added in bulk: one update per group, never one per membership.
    expect(summary(first)).toEqual([...groupNames.map((name) => `create Group ${name}`), ...Array.from({ length: 5 }, () => 'create User'), ...Array.from({ length: 9 }, () => 'update Group')].sort());
    expect(full.counts.membershipsAdded).toBe(16);
    const text = JSON.stringify(first);
    for (const value of ['Communications', 'Sales', '@contoso.example']) expect(text).not.toContain(value);

    const { tenant, groups, users } = t.sample;
    tenant.updateGroup(groups['COMMS-Level3'], { displayName: 'COMMS-Deepest' });
    tenant.removeMember(groups['COMMS-M365'], users.alice);
    tenant.updateUser(users.bob, { department: 'Marketing' });
    tenant.deleteGroup(groups['COMMS-MailSecurity']);
    const delta = await t.run(id);
    expect(delta).toMatchObject({ status: 'succeeded', kind: 'delta' });
    const changes = (await entries(id)).filter((e) => e.correlationId === delta.id);
    expect(summary(changes)).toEqual(['delete Group', 'update Group', 'update Group COMMS-Deepest', 'update User'].sort());
    expect(JSON.stringify(changes)).not.toContain('Marketing');
  });
});
