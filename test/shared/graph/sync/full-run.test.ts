// Full Graph sync runs, end to end (real planner, run machinery, queue on Azurite, Graph client and credential against
// the Graph fake with pages of two): the first run of the sample tenant, transitive and direct membership, group
// selection by prefix, ids and kinds, a run whose steps die after their writes and are delivered again, a dry run,
// and a person matched by a SCIM and a Graph integration keeping both sources' data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncStepHandler } from '../../../../shared/sync-runs/step-handler.js';
import { ScimClient } from '../../../support/test-host.js';
import { E2E_TIMEOUT_MS, type GraphSyncTest, sampleContentManagerUsers, startGraphSyncTest } from './graph-sync-harness.js';

const MATCHED = ['alice', 'bob', 'carol', 'dave', 'erin'];
const upn = (name: string): string => `${name}@contoso.example`;
const upns = (...names: string[]): string[] => names.map(upn).sort();

/** Every selected group of the sample with its matched users at any depth (frank and grace are not Content Manager users). */
const TRANSITIVE = {
  'COMMS-Top': upns('alice', 'bob', 'carol', 'dave'),
  'COMMS-Level1': upns('bob', 'carol', 'dave'),
  'COMMS-Level2': upns('carol', 'dave'),
  'COMMS-Level3': upns('dave'),
  'COMMS-CycleA': upns('erin'),
  'COMMS-CycleB': upns('erin'),
  'COMMS-M365': upns('alice'),
  'COMMS-Dynamic': upns('bob', 'dave'),
  'COMMS-MailSecurity': upns('carol'),
};

const membersOf = (snapshot: { groups: Record<string, { members: string[] }> }): Record<string, string[]> =>
  Object.fromEntries(Object.entries(snapshot.groups).map(([name, group]) => [name, group.members]));

let killEverySecondStep = false;
const stepsOfKind = new Map<string, number>();
const killed: string[] = [];
/**
 * While switched on, every second step of each kind does its work and dies before its answer is committed (membership
 * steps carry several groups each, so there are few of them); the queue delivers it again. Counted per kind, so which
 * kinds die does not depend on the order concurrent steps finish in.
 */
const killer = (planner: SyncStepHandler): SyncStepHandler => ({
  async handle(run, step, log) {
    const result = await planner.handle(run, step, log);
    if (!killEverySecondStep || step.dequeueCount !== 1) return result;
    const count = (stepsOfKind.get(step.kind) ?? 0) + 1;
    stepsOfKind.set(step.kind, count);
    if (count % 2 === 0) {
      killed.push(step.kind);
      throw new Error('killed after its writes');
    }
    return result;
  },
});

let t: GraphSyncTest;
beforeAll(async () => {
  t = await startGraphSyncTest({ wrap: killer });
  await t.importUsers(sampleContentManagerUsers(MATCHED));
});
afterAll(async () => {
  await t.close();
});

describe('a full Graph sync run', { timeout: E2E_TIMEOUT_MS }, () => {
  it('imports the selected groups, disabled, with their matched members at any depth, and the users’ attributes', async () => {
    const id = await t.createIntegration({ userAttributes: ['department', 'onPremisesExtensionAttributes.extensionAttribute1'] });
    const report = await t.run(id);
    expect(report).toMatchObject({ status: 'succeeded', kind: 'full', dryRun: false });
    expect(report.counts).toMatchObject({ usersSeen: 7, usersMatched: 5, usersUnmatched: 2, groupsCreated: 9, groupsRemoved: 0, membershipsAdded: 16, membershipsRemoved: 0, attributesChanged: 5 });
    expect(report.counts.graphRequests).toBeGreaterThan(20);
    expect(report.samples.unmatchedUsers?.sort()).toEqual(upns('frank', 'grace'));

    const snapshot = await t.snapshot(id);
    expect(membersOf(snapshot)).toEqual(TRANSITIVE);
    expect(Object.values(snapshot.groups).every((group) => !group.enabled)).toBe(true);
    expect(snapshot.groups['COMMS-Top']?.externalId).toBe(t.sample.groups['COMMS-Top']);
    expect(snapshot.documents[upn('alice')]).toEqual({
      userName: t.sample.users.alice,
      externalId: t.sample.users.alice,
      userPrincipalName: upn('alice'),
      department: 'Communications',
      onPremisesExtensionAttributes: { extensionAttribute1: 'cm-alice' },
    });
    expect(Object.keys(snapshot.documents).sort()).toEqual(upns(...MATCHED));
    expect(snapshot.catalog).toEqual(['department:string', 'onPremisesExtensionAttributes.extensionAttribute1:string']);

    // A second full run over an unchanged tenant changes nothing.
    const again = await t.run(id, { full: true });
    expect(again.counts).toMatchObject({ groupsCreated: 0, groupsUpdated: 0, groupsRemoved: 0, membershipsAdded: 0, membershipsRemoved: 0, attributesChanged: 0 });
    expect(await t.snapshot(id)).toEqual(snapshot);
  });

  it('keeps direct members only when asked', async () => {
    const id = await t.createIntegration({ membershipDepth: 'direct' });
    expect(await t.run(id)).toMatchObject({ status: 'succeeded' });
    expect(membersOf(await t.snapshot(id))).toEqual({
      'COMMS-Top': upns('alice'),
      'COMMS-Level1': upns('bob'),
      'COMMS-Level2': upns('carol'),
      'COMMS-Level3': upns('dave'),
      'COMMS-CycleA': upns('erin'),
      'COMMS-CycleB': [],
      'COMMS-M365': upns('alice'),
      'COMMS-Dynamic': upns('bob', 'dave'),
      'COMMS-MailSecurity': upns('carol'),
    });
  });

  it('selects groups by id and by kind', async () => {
    const byIds = await t.createIntegration({ groupSelection: { mode: 'groupIds', groupIds: [t.sample.groups['COMMS-Level2'], t.sample.groups['SALES-Team'], t.sample.groups['Everyone-Distribution']] } });
    expect(await t.run(byIds)).toMatchObject({ status: 'succeeded' });
    // A distribution list is never imported.
    expect(membersOf(await t.snapshot(byIds))).toEqual({ 'COMMS-Level2': upns('carol', 'dave'), 'SALES-Team': upns('dave') });

    const m365 = await t.createIntegration({ groupSelection: { mode: 'all' }, groupKinds: ['microsoft365'] });
    await t.run(m365);
    expect(Object.keys((await t.snapshot(m365)).groups)).toEqual(['COMMS-M365']);

    const notDynamic = await t.createIntegration({ groupKinds: ['security'] });
    await t.run(notDynamic);
    expect(Object.keys((await t.snapshot(notDynamic)).groups).sort()).toEqual(['COMMS-CycleA', 'COMMS-CycleB', 'COMMS-Level1', 'COMMS-Level2', 'COMMS-Level3', 'COMMS-Top']);
  });

  it('writes nothing in a dry run, and counts what a real run then does', async () => {
    const id = await t.createIntegration({ userAttributes: ['department'] });
    const dry = await t.run(id, { dryRun: true });
    expect(dry).toMatchObject({ status: 'succeeded', dryRun: true, kind: 'full' });
    expect(await t.snapshot(id)).toEqual({ groups: {}, documents: {}, catalog: [] });
    expect(dry.samples.changes).toContain('create group COMMS-Top');
    const real = await t.run(id);
    const counted = ['usersSeen', 'usersMatched', 'usersUnmatched', 'groupsCreated', 'groupsRemoved', 'membershipsAdded', 'membershipsRemoved', 'attributesChanged'];
    for (const name of counted) expect({ [name]: dry.counts[name] }).toEqual({ [name]: real.counts[name] });
    // The state a dry run compares with is the directory's: now nothing is left to do.
    const dryAgain = await t.run(id, { dryRun: true, full: true });
    expect(dryAgain.counts).toMatchObject({ groupsCreated: 0, membershipsAdded: 0, membershipsRemoved: 0, attributesChanged: 0, groupsRemoved: 0 });
  });

  it('keeps a SCIM integration’s data of a person beside the Graph integration’s', async () => {
    const scim = await t.harness.host.createIntegration();
    const client = new ScimClient(scim.tenantUrl, scim.secretToken);
    // Entra's first match of a Content Manager user: found by userName, then replaced with its attributes.
    const found = await client.get(`/Users?filter=${encodeURIComponent(`userName eq "${upn('alice')}"`)}`);
    const personId = (found.body as { Resources: { id: string }[] }).Resources[0]?.id ?? '';
    const replaced = await client.put(`/Users/${personId}`, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: upn('alice'), title: 'Editor' });
    expect(replaced.status).toBe(200);
    const graph = await t.createIntegration({ userAttributes: ['jobTitle', 'department'] });
    await t.run(graph);
    const person = await t.harness.host.services.people.findContentManagerUser({ kind: 'upn', value: upn('alice') });
    expect(person?.sources[scim.id]?.doc).toMatchObject({ userName: upn('alice'), title: 'Editor' });
    expect(person?.sources[graph]?.doc).toMatchObject({ userPrincipalName: upn('alice'), department: 'Communications' });
    expect((await client.get(`/Users/${person?.id ?? ''}`)).body).toMatchObject({ userName: upn('alice'), title: 'Editor' });
  });
});

describe('a run whose steps die after their writes', { timeout: E2E_TIMEOUT_MS }, () => {
  it('ends, once every step is delivered again, exactly as an uninterrupted run', async () => {
    const settings = { userAttributes: ['department'] };
    const uninterrupted = await t.createIntegration(settings);
    await t.run(uninterrupted);
    const interrupted = await t.createIntegration(settings);
    killEverySecondStep = true;
    const report = await t.run(interrupted).finally(() => {
      killEverySecondStep = false;
    });
    expect(report.status).toBe('succeeded');
    expect(killed.length).toBeGreaterThan(5);
    expect(killed).toEqual(expect.arrayContaining(['groups', 'members']));
    expect(report.counts).toMatchObject({ usersSeen: 7, usersMatched: 5 });
    const snapshot = await t.snapshot(interrupted);
    expect(membersOf(snapshot)).toEqual(TRANSITIVE);
    expect(snapshot).toEqual(await t.snapshot(uninterrupted));
  });
});
