// How long a member add trusts a sighting, and that the departures record keeps what that trust needs. A sighting is
// trusted for an hour (Entra's next cycle, a Graph full run's members stage after its users stage), so a member add
// that long after reads none of the members it saw; a departure recorded after a sighting stays listed for every add
// that may still trust that sighting, even when the instance that prunes the record has a clock running ahead.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemberDepartures, PRUNE_CLOCK_ALLOWANCE_MS } from '../../../shared/directory/member-departures.js';
import { MEMBER_TRUST_MS, MemberExistenceCache } from '../../../shared/directory/member-existence-cache.js';
import { SourceGroups } from '../../../shared/directory/source-groups.js';
import { DepartureRepository } from '../../../shared/storage/departure-repository.js';
import { GroupRepository } from '../../../shared/storage/group-repository.js';
import { MembershipRepository } from '../../../shared/storage/membership-repository.js';
import { PeopleRepository } from '../../../shared/storage/people-repository.js';
import type { TableClients } from '../../../shared/storage/table-clients.js';
import { createFreshTables, dropTables } from '../../support/fresh-tables.js';
import { personDirectoryOver } from '../../support/person-directory-over.js';
import { countTableCalls } from '../../support/table-method-wrap.js';

let tables: TableClients;

beforeAll(async () => {
  tables = await createFreshTables();
});
afterAll(async () => dropTables(tables));

const MINUTE = 60_000;

describe('the trust window of member adds', () => {
  it('an add 45 minutes after the sighting (an Entra cycle later) reads none of the members; past the window it reads each', async () => {
    const integration = { id: `int${randomBytes(4).toString('hex')}`, userProvisioning: 'create' as const };
    const directory = personDirectoryOver(tables, { integrationIds: [integration.id] });
    const people = await Promise.all(
      [1, 2, 3].map((n) =>
        directory.createSource(integration, { doc: { userName: `trust${n}-${randomBytes(3).toString('hex')}@contoso.com`, active: true }, attributes: [{ path: 'userName', type: 'string' }], contentManager: {} }),
      ),
    );
    const clock = { ms: Date.now() };
    const known = new MemberExistenceCache(() => clock.ms);
    for (const person of people) known.remember(integration.id, person.id, 'User');
    // Every read of the people table by the member adds: a member's existence check is one.
    const peopleTable = countTableCalls(tables.people, ['getEntity', 'listEntities']);
    const groups = new SourceGroups(new GroupRepository(tables.groups), new MembershipRepository(tables.members), new PeopleRepository(peopleTable.table), new MemberDepartures(new DepartureRepository(tables.members), () => clock.ms), known);
    const [first, second] = await Promise.all([groups.create(integration.id, { displayName: 'Trusting' }, []), groups.create(integration.id, { displayName: 'Reading' }, [])]);

    const sightingAt = clock.ms;
    clock.ms = sightingAt + 45 * MINUTE;
    await groups.changeMembers(integration.id, first.id, { removeAll: false, add: people.map((person) => ({ value: person.id })), remove: [] });
    expect(peopleTable.calls).toEqual({ getEntity: 0, listEntities: 0 });

    clock.ms = sightingAt + MEMBER_TRUST_MS + MINUTE;
    await groups.changeMembers(integration.id, second.id, { removeAll: false, add: people.map((person) => ({ value: person.id })), remove: [] });
    expect(peopleTable.calls).toEqual({ getEntity: people.length, listEntities: 0 });
    const memberships = new MembershipRepository(tables.members);
    for (const group of [first, second]) for (const person of people) expect(await memberships.isMember(integration.id, group.id, person.id)).toBe(true);
  });

  it('a departure after a sighting stays listed for the last add that trusts it, though an instance ahead in time prunes', async () => {
    const own = await createFreshTables();
    try {
      const store = new DepartureRepository(own.members);
      const sightingAt = 1_800_000_000_000;
      // Another instance takes the member out of view a second later, recording its departure.
      await new MemberDepartures(store, () => sightingAt + 1000).around(['leaver'], () => Promise.resolve());
      // The last moment an add may trust the sighting; a third instance, its clock that far ahead, prunes meanwhile.
      const addAt = sightingAt + MEMBER_TRUST_MS;
      await new MemberDepartures(store, () => addAt + PRUNE_CLOCK_ALLOWANCE_MS).around(['someone else'], () => Promise.resolve());
      const adder = new MemberExistenceCache(() => addAt);
      adder.remember('int', 'leaver', 'User', sightingAt);
      expect(adder.get('int', 'leaver')).toBe('User');
      expect(await new MemberDepartures(store, () => addAt).since(adder.trustedSince())).toContain('leaver');
    } finally {
      await dropTables(own);
    }
  });
});
