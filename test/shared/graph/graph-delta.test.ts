// Delta rounds against the fake: an initial round over many pages ending in a deltaLink, then only the changes
// (adds, updates, renames, member adds and removes, soft and permanent deletes with @removed), replays, starting
// from now with $deltatoken=latest, and an expired or reset token surfacing as GraphResyncNeededError.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DeltaChange, type DeltaPage, deltaRound, deltaStartUrl, fetchDeltaPage } from '../../../shared/graph/graph-delta.js';
import { GraphResyncNeededError } from '../../../shared/graph/graph-errors.js';
import { graphClientFor } from '../../support/graph-fake/client-harness.js';
import { type GraphFake, startGraphFake } from '../../support/graph-fake/graph-fake.js';
import { sampleTenant, type SampleTenant } from '../../support/graph-fake/sample-tenant.js';

async function wholeRound(pages: AsyncIterable<DeltaPage>): Promise<{ changes: DeltaChange[]; deltaLink: string; pages: number }> {
  const changes: DeltaChange[] = [];
  let deltaLink: string | undefined;
  let count = 0;
  for await (const page of pages) {
    changes.push(...page.changes);
    deltaLink = page.deltaLink;
    count += 1;
  }
  if (deltaLink === undefined) throw new Error('round ended without a deltaLink');
  return { changes, deltaLink, pages: count };
}

function upsertIds(changes: readonly DeltaChange[]): string[] {
  return changes.filter((c) => c.kind === 'upsert').map((c) => c.id);
}

describe('delta queries against the Graph fake', () => {
  let sample: SampleTenant;
  let fake: GraphFake;

  beforeEach(() => {
    sample = sampleTenant();
    fake = startGraphFake({ tenant: sample.tenant, fake: { deltaPageSize: 3, memberLinksPerEntry: 2 } });
  });
  afterEach(() => fake.close());

  it('runs an initial users round over several pages to a deltaLink, with only the selected properties', async () => {
    const { client } = graphClientFor(fake);
    const round = await wholeRound(deltaRound(client, deltaStartUrl(client, 'users', ['userPrincipalName', 'employeeId'])));
    expect(round.pages).toBe(3);
    expect(round.changes).toHaveLength(7);
    expect(round.changes[0]).toEqual({ kind: 'upsert', id: sample.users.alice, object: { id: sample.users.alice, userPrincipalName: 'alice@contoso.example', employeeId: 'E1000' }, membersAdded: [], membersRemoved: [] });
    expect(round.deltaLink).toMatch(/^https:\/\/graph\.microsoft\.com\/v1\.0\/users\/delta\?\$deltatoken=/);
  });

  it('returns direct members in members@delta, a large group split over entries with the group repeated', async () => {
    const { client } = graphClientFor(fake);
    const round = await wholeRound(deltaRound(client, deltaStartUrl(client, 'groups', ['displayName', 'members'])));
    const dynamic = round.changes.filter((c) => c.id === sample.groups['COMMS-Dynamic']);
    expect(dynamic).toHaveLength(2);
    const added = dynamic.flatMap((c) => (c.kind === 'upsert' ? c.membersAdded : []));
    expect(added).toEqual([sample.users.bob, sample.users.dave, sample.users.frank].map((id) => ({ id, type: 'user' })));
    const top = round.changes.find((c) => c.id === sample.groups['COMMS-Top']);
    expect(top).toMatchObject({ kind: 'upsert', object: { displayName: 'COMMS-Top' }, membersAdded: [{ id: sample.users.alice, type: 'user' }, { id: sample.groups['COMMS-Level1'], type: 'group' }] });
    expect(top?.kind === 'upsert' && 'members@delta' in top.object).toBe(false);
  });

  it('a later round returns only what changed: adds, updates, renames, member changes and deletions', async () => {
    const { client } = graphClientFor(fake);
    const users = await wholeRound(deltaRound(client, deltaStartUrl(client, 'users', ['userPrincipalName', 'department'])));
    const groups = await wholeRound(deltaRound(client, deltaStartUrl(client, 'groups', ['displayName', 'members'])));
    const { tenant } = sample;
    const hank = tenant.addUser({ userPrincipalName: 'hank@contoso.example' });
    tenant.updateUser(sample.users.bob, { department: 'Legal' });
    tenant.deleteUser(sample.users.grace);
    tenant.deleteUser(sample.users.erin, { permanent: true });
    const ghost = tenant.addUser({ userPrincipalName: 'ghost@contoso.example' });
    tenant.deleteUser(ghost, { permanent: true });
    tenant.updateGroup(sample.groups['SALES-Team'], { displayName: 'SALES-Renamed' });
    tenant.addMember(sample.groups['COMMS-Top'], hank);
    tenant.removeMember(sample.groups['COMMS-Level1'], sample.users.bob);

    const userChanges = await wholeRound(deltaRound(client, users.deltaLink));
    expect(upsertIds(userChanges.changes).sort()).toEqual([hank, sample.users.bob].sort());
    expect(userChanges.changes).toContainEqual({ kind: 'removed', id: sample.users.grace, reason: 'changed' });
    expect(userChanges.changes).toContainEqual({ kind: 'removed', id: sample.users.erin, reason: 'deleted' });
    expect(userChanges.changes).toContainEqual({ kind: 'removed', id: ghost, reason: 'deleted' });
    expect(userChanges.changes.find((c) => c.id === sample.users.bob)).toMatchObject({ object: { department: 'Legal' } });

    const groupChanges = await wholeRound(deltaRound(client, groups.deltaLink));
    const byId = new Map(groupChanges.changes.map((c) => [c.id, c]));
    expect(byId.get(sample.groups['SALES-Team'])).toMatchObject({ object: { displayName: 'SALES-Renamed' }, membersAdded: [], membersRemoved: [] });
    expect(byId.get(sample.groups['COMMS-Top'])).toMatchObject({ membersAdded: [{ id: hank, type: 'user' }], membersRemoved: [] });
    expect(byId.get(sample.groups['COMMS-Level1'])).toMatchObject({ membersAdded: [], membersRemoved: [{ id: sample.users.bob, type: 'user' }] });
    // Deleting a user removes its memberships: the groups it was in report the member removed.
    expect(byId.get(sample.groups['COMMS-M365'])).toMatchObject({ membersRemoved: [{ id: sample.users.grace, type: 'user' }] });
    expect(byId.has(sample.groups['COMMS-Level3'])).toBe(false);

    const quiet = await wholeRound(deltaRound(client, userChanges.deltaLink));
    expect(quiet.changes).toEqual([]);
  });

  it('a deleted group comes back as @removed', async () => {
    const { client } = graphClientFor(fake);
    const groups = await wholeRound(deltaRound(client, deltaStartUrl(client, 'groups', ['displayName'])));
    sample.tenant.deleteGroup(sample.groups['COMMS-CycleB'], { permanent: true });
    const changes = await wholeRound(deltaRound(client, groups.deltaLink));
    expect(changes.changes).toContainEqual({ kind: 'removed', id: sample.groups['COMMS-CycleB'], reason: 'deleted' });
  });

  it('tracks only the named groups with an id filter', async () => {
    const { client } = graphClientFor(fake);
    const ids = [sample.groups['COMMS-Top'], sample.groups['COMMS-M365']];
    const round = await wholeRound(deltaRound(client, deltaStartUrl(client, 'groups', ['displayName'], { ids })));
    expect(upsertIds(round.changes).sort()).toEqual([...ids].sort());
    expect(() => deltaStartUrl(client, 'groups', ['id'], { ids: Array.from({ length: 51 }, (_, i) => String(i)) })).toThrow(RangeError);
  });

  it('merges replays: the same object twice in a round is harmless to read', async () => {
    fake.routes.options.duplicateDeltaObjects = true;
    const { client } = graphClientFor(fake);
    const round = await wholeRound(deltaRound(client, deltaStartUrl(client, 'users', ['id'])));
    expect(round.changes).toHaveLength(14);
    expect(new Set(upsertIds(round.changes)).size).toBe(7);
  });

  it('starts from now with $deltatoken=latest', async () => {
    const { client } = graphClientFor(fake);
    const latest = await fetchDeltaPage(client, `${deltaStartUrl(client, 'users', ['id'])}&$deltatoken=latest`);
    expect(latest.changes).toEqual([]);
    const added = sample.tenant.addUser({ userPrincipalName: 'ivy@contoso.example' });
    const next = await wholeRound(deltaRound(client, latest.deltaLink as string));
    expect(upsertIds(next.changes)).toEqual([added]);
  });

  it('an expired delta token surfaces as GraphResyncNeededError (syncStateNotFound)', async () => {
    const { client } = graphClientFor(fake);
    const round = await wholeRound(deltaRound(client, deltaStartUrl(client, 'users', ['id'])));
    fake.routes.delta.expireTokens();
    const error = await fetchDeltaPage(client, round.deltaLink).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphResyncNeededError);
    expect(error).toMatchObject({ status: 400, code: 'syncStateNotFound' });
    expect((error as GraphResyncNeededError).requestId).toMatch(/^fake-request-/);
  });

  it('410 Gone surfaces as GraphResyncNeededError', async () => {
    const { client } = graphClientFor(fake);
    const round = await wholeRound(deltaRound(client, deltaStartUrl(client, 'groups', ['displayName', 'members'])));
    fake.routes.delta.resetTokens();
    await expect(fetchDeltaPage(client, round.deltaLink)).rejects.toMatchObject({ name: 'GraphResyncNeededError', status: 410 });
  });

  it('a round can be resumed from a stored nextLink, as a queue step would', async () => {
    const { client } = graphClientFor(fake);
    const first = await fetchDeltaPage(client, deltaStartUrl(client, 'users', ['id']));
    expect(first.nextLink).toBeDefined();
    const second = graphClientFor(fake).client;
    const rest = await wholeRound(deltaRound(second, first.nextLink as string));
    expect([...upsertIds(first.changes), ...upsertIds(rest.changes)]).toEqual(Object.values(sample.users));
  });

  it('the fake refuses delta filters other than id eq', async () => {
    const { client } = graphClientFor(fake);
    const url = client.url('/groups/delta', { select: ['id'], filter: "startswith(displayName,'COMMS')" });
    await expect(fetchDeltaPage(client, url)).rejects.toMatchObject({ status: 400, code: 'Request_UnsupportedQuery' });
  });
});
