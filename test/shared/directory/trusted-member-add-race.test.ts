// A member add that trusts what its instance saw of a member (no read of it) racing, in another instance, the change
// that takes the member out of view: a user's DELETE, a nested group's DELETE. Each schedule runs one operation's
// storage calls as a block placed after every prefix of the other's, both ways round, plus seeded shuffles. With the
// departures record no schedule leaves a membership row of the departed member; without it (a record that forgets) some
// schedule does, which is what the record is for.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemberDepartures } from '../../../shared/directory/member-departures.js';
import { MemberExistenceCache } from '../../../shared/directory/member-existence-cache.js';
import type { DepartureStore } from '../../../shared/directory/model/stores.js';
import type { SourceIntegration } from '../../../shared/directory/person-directory.js';
import { SourceGroups } from '../../../shared/directory/source-groups.js';
import { DepartureRepository } from '../../../shared/storage/departure-repository.js';
import { GroupRepository } from '../../../shared/storage/group-repository.js';
import { MembershipRepository } from '../../../shared/storage/membership-repository.js';
import { PeopleRepository } from '../../../shared/storage/people-repository.js';
import type { TableClients } from '../../../shared/storage/table-clients.js';
import { createFreshTables, dropTables } from '../../support/fresh-tables.js';
import { blockSchedules, Interleaving } from '../../support/interleavings.js';
import { personDirectoryOver } from '../../support/person-directory-over.js';

let tables: TableClients;

beforeAll(async () => {
  tables = await createFreshTables();
});
afterAll(async () => {
  await dropTables(tables);
});

/** A departures record that records nothing: what a member add trusting its cache would face without the record. */
const forgetful: DepartureStore = { record: () => Promise.resolve(), since: () => Promise.resolve(new Set()), pruneBefore: () => Promise.resolve() };

type Tables = Pick<TableClients, 'people' | 'userindex' | 'members' | 'groups' | 'attributes'>;
type Departures = (members: Tables['members']) => MemberDepartures;
const recorded: Departures = (members) => new MemberDepartures(new DepartureRepository(members));
const forgotten: Departures = () => new MemberDepartures(forgetful);

/** One instance's view of the tables, every call of it gated by the interleaving as operation `operation`. */
function instanceTables(run: Interleaving, operation: number): Tables {
  return {
    people: run.clientFor(tables.people, operation),
    userindex: run.clientFor(tables.userindex, operation),
    members: run.clientFor(tables.members, operation),
    groups: run.clientFor(tables.groups, operation),
    attributes: tables.attributes,
  };
}

function sourceGroupsOver(over: Tables, departures: Departures, known = new MemberExistenceCache()): SourceGroups {
  return new SourceGroups(new GroupRepository(over.groups), new MembershipRepository(over.members), new PeopleRepository(over.people), departures(over.members), known);
}

/** Membership rows naming the member in the integration's groups, on either side. */
async function rowsNaming(integrationId: string, groupId: string, memberId: string): Promise<string[]> {
  const memberships = new MembershipRepository(tables.members);
  const rows: string[] = [];
  if (await memberships.isMember(integrationId, groupId, memberId)) rows.push(`group side of ${groupId}`);
  for (const group of await memberships.groupsOf(integrationId, memberId)) rows.push(`member side in ${group}`);
  return rows;
}

/** Runs every schedule of the race; answers the schedules (by their trace) that left a row of the departed member. */
async function race(round: (schedule: number[]) => Promise<{ trace: number[]; left: string[] }>): Promise<string[]> {
  const first = await round([]);
  const calls = [0, 1].map((operation) => first.trace.filter((call) => call === operation).length) as [number, number];
  expect(Math.min(...calls)).toBeGreaterThan(2);
  const failures: string[] = [];
  for (const schedule of blockSchedules(calls, 12)) {
    const { trace, left } = await round(schedule);
    if (left.length > 0) failures.push(`${trace.join('')}: ${left.join(', ')}`);
  }
  return failures;
}

/** A user this instance added to a group earlier (so its cache trusts it) is deleted by its integration meanwhile. */
async function userDeleteRacingTrustedAdd(departures: Departures): Promise<string[]> {
  return race(async (schedule) => {
    const integration: SourceIntegration = { id: `int${randomBytes(4).toString('hex')}`, userProvisioning: 'create' };
    const plain = { ...tables };
    const person = await personDirectoryOver(plain, { integrationIds: [integration.id] }).createSource(integration, {
      doc: { userName: `u-${randomBytes(4).toString('hex')}@contoso.com`, active: true },
      attributes: [{ path: 'userName', type: 'string' }],
      contentManager: {},
    });
    const group = await sourceGroupsOver(plain, departures).create(integration.id, { displayName: 'Racing' }, []);
    const run = new Interleaving(schedule);
    const known = new MemberExistenceCache();
    known.remember(integration.id, person.id, 'User');
    const adder = sourceGroupsOver(instanceTables(run, 0), departures, known);
    const deleterTables = instanceTables(run, 1);
    const deleter = personDirectoryOver(deleterTables, { integrationIds: [integration.id], departures: departures(deleterTables.members) });
    const results = await run.run([
      () => adder.changeMembers(integration.id, group.id, { removeAll: false, add: [{ value: person.id }], remove: [] }),
      () => deleter.clearSource(integration.id, person.id),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled']);
    return { trace: run.trace, left: await rowsNaming(integration.id, group.id, person.id) };
  });
}

/** A group this instance saw earlier is added as a member of another while another instance deletes it. */
async function groupDeleteRacingTrustedAdd(departures: Departures): Promise<string[]> {
  return race(async (schedule) => {
    const integrationId = `int${randomBytes(4).toString('hex')}`;
    const setUp = sourceGroupsOver(tables, departures);
    const [parent, nested] = await Promise.all([setUp.create(integrationId, { displayName: 'Parent' }, []), setUp.create(integrationId, { displayName: 'Nested' }, [])]);
    const run = new Interleaving(schedule);
    const known = new MemberExistenceCache();
    known.remember(integrationId, nested.id, 'Group');
    const adder = sourceGroupsOver(instanceTables(run, 0), departures, known);
    const deleter = sourceGroupsOver(instanceTables(run, 1), departures);
    const results = await run.run([
      () => adder.changeMembers(integrationId, parent.id, { removeAll: false, add: [{ value: nested.id }], remove: [] }),
      () => deleter.remove(integrationId, nested.id),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled']);
    return { trace: run.trace, left: await rowsNaming(integrationId, parent.id, nested.id) };
  });
}

// About 60 schedules of a dozen or two storage calls each, one call at a time: slow on a loaded machine.
const RACE_TIMEOUT_MS = 300_000;

describe('a member add trusting its cache, racing the member leaving the view in another instance', () => {
  it('a user DELETE: no schedule leaves a membership row of the user', async () => {
    expect(await userDeleteRacingTrustedAdd(recorded)).toEqual([]);
  }, RACE_TIMEOUT_MS);

  it('a nested group DELETE: no schedule leaves a membership row of the group', async () => {
    expect(await groupDeleteRacingTrustedAdd(recorded)).toEqual([]);
  }, RACE_TIMEOUT_MS);

  it('without the departures record, some schedule of each race leaves one (the race is real)', async () => {
    expect((await userDeleteRacingTrustedAdd(forgotten)).length).toBeGreaterThan(0);
    expect((await groupDeleteRacingTrustedAdd(forgotten)).length).toBeGreaterThan(0);
  }, 2 * RACE_TIMEOUT_MS);
});
