// Each matching key of a Graph integration, end to end: Graph's alice is matched to a different Content Manager user
// by each key (UPN case-insensitively; mail against the Content Manager e-mail; UPN prefix, employeeId,
// onPremisesSamAccountName and extension attributes against the username), never created when nobody matches, and
// extension attributes are imported under Graph's names and catalogued.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_COST_CENTER } from '../../../support/graph-fake/sample-tenant.js';
import { E2E_TIMEOUT_MS, type GraphSyncTest, startGraphSyncTest } from './graph-sync-harness.js';

let t: GraphSyncTest;
beforeAll(async () => {
  t = await startGraphSyncTest({ fake: { pageSize: 4 } });
  // One Content Manager user per key, each findable by alice's value for that key only.
  await t.importUsers([
    { username: 'by-upn', upn: 'ALICE@Contoso.Example' },
    { username: 'alice', upn: 'prefix@cm.example' },
    { username: 'by-mail', upn: 'mail@cm.example', email: 'Alice.Mail@contoso.example' },
    { username: 'e1000', upn: 'employee@cm.example' },
    { username: 'contoso-alice', upn: 'sam@cm.example' },
    { username: 'cm-alice', upn: 'extension@cm.example' },
    { username: 'CC-0', upn: 'directory-extension@cm.example' },
  ]);
});
afterAll(async () => {
  await t.close();
});

describe('Graph matching keys', { timeout: E2E_TIMEOUT_MS }, () => {
  it.each([
    [{ kind: 'upn' }, 'ALICE@Contoso.Example'],
    [{ kind: 'upnPrefix' }, 'prefix@cm.example'],
    [{ kind: 'mail' }, 'mail@cm.example'],
    [{ kind: 'employeeId' }, 'employee@cm.example'],
    [{ kind: 'onPremisesSamAccountName' }, 'sam@cm.example'],
    [{ kind: 'extensionAttribute', attribute: 'onPremisesExtensionAttributes.extensionAttribute1' }, 'extension@cm.example'],
    [{ kind: 'extensionAttribute', attribute: SAMPLE_COST_CENTER }, 'directory-extension@cm.example'],
  ])('matches by %j', async (matchingKey, expectedUpn) => {
    const id = await t.createIntegration({ matchingKey, groupSelection: { mode: 'groupIds', groupIds: [t.sample.groups['COMMS-M365']] } });
    const report = await t.run(id);
    expect(report.status).toBe('succeeded');
    expect(report.counts).toMatchObject({ usersSeen: 7, usersMatched: 1, usersUnmatched: 6 });
    const snapshot = await t.snapshot(id);
    expect(Object.keys(snapshot.documents)).toEqual([expectedUpn]);
    expect(snapshot.documents[expectedUpn]).toMatchObject({ userName: t.sample.users.alice, externalId: t.sample.users.alice, userPrincipalName: 'alice@contoso.example' });
    // Memberships only for matched users: grace, the other member, is nobody here.
    expect(snapshot.groups['COMMS-M365']?.members).toEqual([expectedUpn]);
  });

  it('creates nobody for users it cannot match, and lists the first of them', async () => {
    const id = await t.createIntegration({ matchingKey: { kind: 'employeeId' } });
    const users = async () => (await t.harness.host.services.contentManagerUsers.list({ pageSize: 100 })).users.map((user) => user.upn).sort();
    const before = await users();
    const report = await t.run(id);
    expect(report.samples.unmatchedUsers).toHaveLength(6);
    expect(report.samples.unmatchedUsers).not.toContain('alice@contoso.example');
    expect(await users()).toEqual(before);
    expect(before).toHaveLength(7);
  });

  it('imports extension attributes under Graph’s names and catalogues them as the integration’s attributes', async () => {
    const userAttributes = ['onPremisesExtensionAttributes.extensionAttribute1', 'onPremisesExtensionAttributes.extensionAttribute15', SAMPLE_COST_CENTER, 'employeeId', 'businessPhones'];
    const id = await t.createIntegration({ userAttributes });
    await t.run(id);
    const snapshot = await t.snapshot(id);
    expect(snapshot.documents['ALICE@Contoso.Example']).toEqual({
      userName: t.sample.users.alice,
      externalId: t.sample.users.alice,
      userPrincipalName: 'alice@contoso.example',
      onPremisesExtensionAttributes: { extensionAttribute1: 'cm-alice', extensionAttribute15: 'last' },
      [SAMPLE_COST_CENTER]: 'CC-0',
      employeeId: 'E1000',
    });
    expect(snapshot.catalog).toEqual(
      [`${SAMPLE_COST_CENTER}:string`, 'employeeId:string', 'onPremisesExtensionAttributes.extensionAttribute1:string', 'onPremisesExtensionAttributes.extensionAttribute15:string'].sort(),
    );
    const listed = (await t.harness.host.adminJson(`/integrations/${id}/attributes`)) as { attributes: { path: string }[] };
    expect(listed.attributes.map((entry) => entry.path)).toContain(SAMPLE_COST_CENTER);
  });
});
