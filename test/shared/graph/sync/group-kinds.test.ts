// Graph groups carry their kind and on-premises SID (end to end, through the admin groups list): a run records each
// selected group's kind (security, mailEnabledSecurity, microsoft365, or dynamic whatever its base) and the SID Graph
// gives; the list filters and shows them; a later delta run reclassifies a group Graph changed; two sources carrying
// one SID are shown as possible duplicates of each other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2E_TIMEOUT_MS, type GraphSyncTest, sampleContentManagerUsers, startGraphSyncTest } from './graph-sync-harness.js';

interface ListedGroup {
  integrationId: string;
  id: string;
  displayName: string;
  kind: string;
  possibleDuplicates: { integrationId: string; groupId: string; reason: string }[];
}

const SID = 'S-1-5-21-1004336348-1177238915-682003330-1111';

let t: GraphSyncTest;
beforeAll(async () => {
  t = await startGraphSyncTest();
  await t.importUsers(sampleContentManagerUsers(['alice', 'bob', 'carol', 'dave', 'erin']));
  t.sample.tenant.updateGroup(t.sample.groups['COMMS-Top'], { onPremisesSecurityIdentifier: SID });
});
afterAll(async () => {
  await t.close();
});

async function listed(query: string): Promise<ListedGroup[]> {
  return ((await t.harness.host.adminJson(`/groups?pageSize=500&${query}`)) as { groups: ListedGroup[] }).groups;
}

const kinds = (groups: readonly ListedGroup[]): Record<string, string> => Object.fromEntries(groups.map((g) => [g.displayName, g.kind]));

describe('Graph group kinds and on-premises SIDs', { timeout: E2E_TIMEOUT_MS }, () => {
  it('records each group’s kind and SID, filters by kind, reclassifies on change, and pairs sources by SID', async () => {
    const id = await t.createIntegration();
    expect((await t.run(id)).status).toBe('succeeded');
    expect(kinds(await listed(`integrationId=${id}`))).toEqual({
      'COMMS-Top': 'security', 'COMMS-Level1': 'security', 'COMMS-Level2': 'security', 'COMMS-Level3': 'security',
      'COMMS-CycleA': 'security', 'COMMS-CycleB': 'security', 'COMMS-M365': 'microsoft365', 'COMMS-Dynamic': 'dynamic',
      'COMMS-MailSecurity': 'mailEnabledSecurity',
    });
    expect((await listed(`integrationId=${id}&kind=microsoft365`)).map((g) => g.displayName)).toEqual(['COMMS-M365']);
    expect((await listed(`integrationId=${id}&kind=dynamic`)).map((g) => g.displayName)).toEqual(['COMMS-Dynamic']);
    const typo = await t.harness.host.admin('/groups?kind=securty');
    expect(typo.status).toBe(400);
    expect(await typo.json()).toMatchObject({ error: { code: 'invalidRequest', message: expect.stringContaining('kind must be one of security, mailEnabledSecurity, microsoft365, dynamic, unclassified') } });
    const top = (await t.harness.host.services.groups.findByDisplayName(id, 'COMMS-Top'));
    expect(top).toMatchObject({ kind: 'security', onPremisesSecurityIdentifier: SID });

    // Graph makes a group dynamic and gives another a SID: the delta run updates both records, nothing else.
    const { tenant, groups } = t.sample;
    tenant.updateGroup(groups['COMMS-Level1'], { groupTypes: ['DynamicMembership'], membershipRule: 'user.department -eq "Sales"' });
    tenant.updateGroup(groups['COMMS-Level2'], { onPremisesSecurityIdentifier: `${SID}2` });
    const delta = await t.run(id);
    expect(delta).toMatchObject({ status: 'succeeded', kind: 'delta' });
    expect(delta.counts).toMatchObject({ groupsUpdated: 2, groupsCreated: 0 });
    expect(kinds(await listed(`integrationId=${id}&kind=dynamic`))).toEqual({ 'COMMS-Dynamic': 'dynamic', 'COMMS-Level1': 'dynamic' });
    expect(await t.harness.host.services.groups.findByDisplayName(id, 'COMMS-Level2')).toMatchObject({ onPremisesSecurityIdentifier: `${SID}2` });

    // A second source imports the same AD group under another name: both are shown as possible duplicates by SID.
    tenant.updateGroup(groups['COMMS-Top'], { displayName: 'COMMS-Top (synced)' });
    const other = await t.createIntegration({ groupSelection: { mode: 'groupIds', groupIds: [groups['COMMS-Top']] } });
    expect((await t.run(other)).status).toBe('succeeded');
    const [mine] = (await listed(`integrationId=${id}&search=COMMS-Top`)).filter((g) => g.displayName === 'COMMS-Top');
    const [theirs] = await listed(`integrationId=${other}`);
    expect(mine?.possibleDuplicates).toEqual([{ integrationId: other, groupId: theirs?.id, displayName: 'COMMS-Top (synced)', reason: 'onPremisesSid' }]);
    expect(theirs?.possibleDuplicates).toEqual([{ integrationId: id, groupId: mine?.id, displayName: 'COMMS-Top', reason: 'onPremisesSid' }]);
  });
});
