// Delta Graph sync runs, end to end against the Graph fake: after adds, removes, renames, a group leaving the
// selection, deletions and attribute changes, a delta run leaves the directory exactly as a fresh full run of the same
// tenant does (and so does a full run of an integration synced before the changes); only the groups a membership
// change reaches are updated, users coming and going applied without reading any group's members again; a dry delta
// run writes nothing; an expired or reset delta token, and a week without a full run, make the run full.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DirectorySnapshot, E2E_TIMEOUT_MS, type GraphSyncTest, sampleContentManagerUsers, startGraphSyncTest } from './graph-sync-harness.js';

const DAY = 24 * 60 * 60 * 1000;
const SETTINGS = { userAttributes: ['department'] };

let t: GraphSyncTest;
beforeAll(async () => {
  t = await startGraphSyncTest();
  await t.importUsers(sampleContentManagerUsers(['alice', 'bob', 'carol', 'dave', 'erin', 'helen']));
});
afterAll(async () => {
  await t.close();
});

/** The Graph groups whose members a run read (their transitive user members). */
function groupsReadSince(index: number): string[] {
  const names = new Map(Object.entries(t.sample.groups).map(([name, id]) => [id, name]));
  const read = t.fake.routes.requests.slice(index).flatMap((request) => {
    const match = /^\/groups\/([^/]+)\/transitiveMembers\/microsoft\.graph\.user$/.exec(request.path);
    return match === null || request.query.has('$skiptoken') ? [] : [names.get(match[1] ?? '') ?? match[1] ?? ''];
  });
  return [...new Set(read)].sort();
}

/** The Graph users whose groups at any depth a run read (a removed user checked against Graph). */
function memberOfReadsSince(index: number): string[] {
  const names = new Map(Object.entries(t.sample.users).map(([name, id]) => [id, name]));
  const read = t.fake.routes.requests.slice(index).flatMap((request) => {
    const match = /^\/users\/([^/]+)\/transitiveMemberOf/.exec(request.path);
    return match === null || request.query.has('$skiptoken') ? [] : [names.get(match[1] ?? '') ?? match[1] ?? ''];
  });
  return read.sort();
}

describe('a delta Graph sync run', { timeout: E2E_TIMEOUT_MS }, () => {
  let synced: string;
  let fullAgain: string;
  let before: DirectorySnapshot;

  it('after many kinds of change, leaves the directory as a fresh full run does', async () => {
    synced = await t.createIntegration(SETTINGS);
    fullAgain = await t.createIntegration(SETTINGS);
    expect(await t.run(synced)).toMatchObject({ status: 'succeeded', kind: 'full' });
    expect(await t.run(fullAgain)).toMatchObject({ status: 'succeeded', kind: 'full' });
    before = await t.snapshot(synced);

    const { tenant, users, groups } = t.sample;
    const helen = tenant.addUser({ userPrincipalName: 'helen@contoso.example', department: 'Communications' });
    tenant.addMember(groups['COMMS-Level3'], helen);
    tenant.removeMember(groups['COMMS-Level1'], users.bob);
    tenant.updateGroup(groups['COMMS-M365'], { displayName: 'COMMS-Office' });
    tenant.updateGroup(groups['COMMS-MailSecurity'], { displayName: 'ARCHIVE-MailSecurity' });
    tenant.deleteGroup(groups['COMMS-CycleB']);
    tenant.updateUser(users.alice, { department: 'Legal' });
    tenant.deleteUser(users.carol, { permanent: true });
    tenant.addMember(tenant.addGroup({ displayName: 'COMMS-New' }), users.dave);

    // A dry delta run first: it counts and writes nothing.
    const dry = await t.run(synced, { dryRun: true });
    expect(dry).toMatchObject({ status: 'succeeded', kind: 'delta', dryRun: true });
    expect(await t.snapshot(synced)).toEqual(before);

    const delta = await t.run(synced);
    expect(delta).toMatchObject({ status: 'succeeded', kind: 'delta' });
    expect(delta.counts).toMatchObject({ groupsCreated: 1, groupsUpdated: 1, groupsRemoved: 2 });
    for (const name of ['groupsCreated', 'groupsUpdated', 'groupsRemoved', 'membershipsAdded', 'membershipsRemoved', 'attributesChanged']) {
      expect({ [name]: dry.counts[name] }).toEqual({ [name]: delta.counts[name] });
    }
    const after = await t.snapshot(synced);
    expect(after.groups['COMMS-Top']?.members).toEqual(['alice@contoso.example', 'dave@contoso.example', 'helen@contoso.example']);
    expect(after.groups['COMMS-Level1']?.members).toEqual(['dave@contoso.example', 'helen@contoso.example']);
    expect(after.groups['COMMS-Office']?.members).toEqual(['alice@contoso.example']);
    expect(Object.keys(after.groups)).not.toContain('COMMS-MailSecurity');
    expect(Object.keys(after.groups)).not.toContain('COMMS-CycleB');
    expect(after.documents['alice@contoso.example']).toMatchObject({ department: 'Legal' });
    expect(Object.keys(after.documents)).not.toContain('carol@contoso.example');

    const fresh = await t.createIntegration(SETTINGS);
    await t.run(fresh);
    expect(after).toEqual(await t.snapshot(fresh));
    // A full run of an integration synced before the changes removes and adds the same.
    expect(await t.run(fullAgain, { full: true })).toMatchObject({ status: 'succeeded', kind: 'full' });
    expect(await t.snapshot(fullAgain)).toEqual(after);
  });

  // Users coming and going (members@delta) are applied as the delta round gives them: no group's members are read
  // again (this pinned the opposite before: the changed group and every group it is nested in were read whole), and a
  // removed user is checked once against Graph (transitiveMemberOf) for the groups it may still reach by another path.
  it('applies users added and removed without reading any group again, and ends as a full run does', async () => {
    const { tenant, users, groups } = t.sample;
    const direct = await t.createIntegration({ ...SETTINGS, membershipDepth: 'direct' });
    expect(await t.run(direct)).toMatchObject({ status: 'succeeded', kind: 'full' });
    const index = t.fake.routes.requests.length;
    tenant.addMember(groups['COMMS-Level3'], users.erin);
    const added = await t.run(synced);
    expect(added).toMatchObject({ status: 'succeeded', kind: 'delta' });
    expect(added.counts).toMatchObject({ membershipsAdded: 4, membershipsRemoved: 0 });
    expect(groupsReadSince(index)).toEqual([]);
    expect(memberOfReadsSince(index)).toEqual([]);
    expect((await t.snapshot(synced)).groups['COMMS-Level2']?.members).toContain('erin@contoso.example');

    // erin leaves Level3 but joins Level1 directly: still in Level1 and Top, out of Level2 and Level3; dave leaves
    // Level3, so Level2, Level1 and Top too.
    const settled = await t.snapshot(synced);
    const next = t.fake.routes.requests.length;
    tenant.addMember(groups['COMMS-Level1'], users.erin);
    tenant.removeMember(groups['COMMS-Level3'], users.erin);
    tenant.removeMember(groups['COMMS-Level3'], users.dave);
    const moved = await t.run(synced);
    expect(moved.counts).toMatchObject({ membershipsAdded: 0, membershipsRemoved: 6 });
    expect(groupsReadSince(next)).toEqual([]);
    expect(memberOfReadsSince(next)).toEqual(['dave', 'erin']);
    const after = await t.snapshot(synced);
    expect(after.groups['COMMS-Top']?.members).toContain('erin@contoso.example');
    expect(after.groups['COMMS-Level2']?.members).not.toContain('erin@contoso.example');
    expect(after.groups['COMMS-Top']?.members).not.toContain('dave@contoso.example');
    const fresh = await t.createIntegration(SETTINGS);
    await t.run(fresh);
    expect(after.groups).toEqual((await t.snapshot(fresh)).groups);

    // Direct membership: the same changes applied to the groups named, with no read of Graph at all for members.
    const directRun = await t.run(direct);
    expect(directRun).toMatchObject({ status: 'succeeded', kind: 'delta' });
    const freshDirect = await t.createIntegration({ ...SETTINGS, membershipDepth: 'direct' });
    await t.run(freshDirect);
    expect((await t.snapshot(direct)).groups).toEqual((await t.snapshot(freshDirect)).groups);

    // Back as it was, for the tests below.
    tenant.removeMember(groups['COMMS-Level1'], users.erin);
    tenant.addMember(groups['COMMS-Level3'], users.erin);
    tenant.addMember(groups['COMMS-Level3'], users.dave);
    expect(await t.run(synced)).toMatchObject({ status: 'succeeded', kind: 'delta' });
    expect((await t.snapshot(synced)).groups).toEqual(settled.groups);
  });

  it('with nothing changed, changes nothing and reads no group again', async () => {
    const index = t.fake.routes.requests.length;
    const snapshot = await t.snapshot(synced);
    const report = await t.run(synced);
    expect(report).toMatchObject({ status: 'succeeded', kind: 'delta' });
    expect(groupsReadSince(index)).toEqual([]);
    expect(await t.snapshot(synced)).toEqual(snapshot);
  });

  it('turns full when the delta token expired or was reset, and completes', async () => {
    const snapshot = await t.snapshot(synced);
    t.fake.routes.delta.expireTokens();
    const expired = await t.run(synced);
    expect(expired).toMatchObject({ status: 'succeeded', kind: 'full' });
    expect(await t.snapshot(synced)).toEqual(snapshot);
    expect(await t.run(synced)).toMatchObject({ status: 'succeeded', kind: 'delta' });

    t.fake.routes.delta.resetTokens();
    t.sample.tenant.removeMember(t.sample.groups['COMMS-Level3'], t.sample.users.erin);
    expect(await t.run(synced)).toMatchObject({ status: 'succeeded', kind: 'full' });
    expect((await t.snapshot(synced)).groups['COMMS-Level2']?.members).not.toContain('erin@contoso.example');
  });

  it('is full a week after the last full run, and after the settings changed', async () => {
    expect(await t.run(synced)).toMatchObject({ kind: 'delta' });
    t.advance(8 * DAY);
    expect(await t.run(synced)).toMatchObject({ kind: 'full', status: 'succeeded' });
    expect(await t.run(synced)).toMatchObject({ kind: 'delta' });
    const put = await t.harness.host.admin(`/integrations/${synced}/graph`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId: t.sample.tenant.tenantId, clientId: t.sample.tenant.app.clientId, groupSelection: { mode: 'displayNamePrefixes', prefixes: ['COMMS-Level'] } }),
    });
    expect(put.status).toBe(200);
    expect(await t.run(synced)).toMatchObject({ kind: 'full', status: 'succeeded' });
    expect(Object.keys((await t.snapshot(synced)).groups).sort()).toEqual(['COMMS-Level1', 'COMMS-Level2', 'COMMS-Level3']);
    // The attributes no longer imported are gone from the documents.
    expect((await t.snapshot(synced)).documents['alice@contoso.example']).toEqual({ userName: t.sample.users.alice, externalId: t.sample.users.alice, userPrincipalName: 'alice@contoso.example' });
  });

  it('moves each person’s data and memberships when two Graph users swap UPNs', async () => {
    const { tenant, users, groups } = t.sample;
    tenant.addMember(groups['COMMS-Level3'], users.bob);
    await t.run(synced);
    expect((await t.snapshot(synced)).groups['COMMS-Level3']?.members).toContain('bob@contoso.example');
    tenant.updateUser(users.alice, { userPrincipalName: 'bob@contoso.example' });
    tenant.updateUser(users.bob, { userPrincipalName: 'alice@contoso.example' });
    expect(await t.run(synced)).toMatchObject({ status: 'succeeded', kind: 'delta' });
    const after = await t.snapshot(synced);
    expect(after.groups['COMMS-Level3']?.members).toContain('alice@contoso.example');
    expect(after.groups['COMMS-Level3']?.members).not.toContain('bob@contoso.example');
    expect(after.documents['alice@contoso.example']).toMatchObject({ externalId: users.bob, userPrincipalName: 'alice@contoso.example' });
    expect(after.documents['bob@contoso.example']).toMatchObject({ externalId: users.alice, userPrincipalName: 'bob@contoso.example' });
    const fresh = await t.createIntegration({ groupSelection: { mode: 'displayNamePrefixes', prefixes: ['COMMS-Level'] } });
    await t.run(fresh);
    // (The catalog keeps what the synced integration imported before its settings changed.)
    const { groups: freshGroups, documents: freshDocuments } = await t.snapshot(fresh);
    expect({ groups: after.groups, documents: after.documents }).toEqual({ groups: freshGroups, documents: freshDocuments });
  });
});
