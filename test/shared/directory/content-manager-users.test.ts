// The admin import against Azurite, at the interleaving the soak found (seed 4242, history 3591): the import finds the
// user of a username, and before its write lands that person stops being that user (a SCIM DELETE of the user an
// integration created leaves it staged, and another import links it under another username). The import must look
// the row up again, not overwrite the user the person has become.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContentManagerUsers } from '../../../shared/directory/content-manager-users.js';
import type { PeopleStore } from '../../../shared/directory/model/stores.js';
import { PersonStore } from '../../../shared/directory/person-store.js';
import { GroupRepository } from '../../../shared/storage/group-repository.js';
import { caseFoldKey } from '../../../shared/storage/keys.js';
import { MembershipRepository } from '../../../shared/storage/membership-repository.js';
import { PeopleRepository } from '../../../shared/storage/people-repository.js';
import type { TableClients } from '../../../shared/storage/table-clients.js';
import { UserIndexRepository } from '../../../shared/storage/user-index-repository.js';
import { createFreshTables, dropTables } from '../../support/fresh-tables.js';
import { departuresOver } from '../../support/departures-over.js';

let tables: TableClients;
let people: PeopleRepository;
let store: PersonStore;
const importerOver = (over: PersonStore) => new ContentManagerUsers(over, new GroupRepository(tables.groups), new MembershipRepository(tables.members), () => Promise.resolve([]));

beforeAll(async () => {
  tables = await createFreshTables();
  people = new PeopleRepository(tables.people);
  store = new PersonStore(people, new UserIndexRepository(tables.userindex), departuresOver(tables));
});
afterAll(async () => {
  await dropTables(tables);
});

/** The people store, running `meanwhile` once right after the first lookup of `username` answered. */
function racingPeople<T extends PeopleStore>(people: T, username: string, meanwhile: () => Promise<void>): T {
  let raced = false;
  return new Proxy(people, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (property !== 'findByUsernameKey' || typeof value !== 'function') return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      return async (key: string, options?: unknown) => {
        const found: unknown = await (value as (k: string, o?: unknown) => Promise<unknown>).call(target, key, options);
        if (!raced && key === caseFoldKey(username)) {
          raced = true;
          await meanwhile();
        }
        return found;
      };
    },
  });
}

describe('admin import racing a change of who the person is', () => {
  it('does not write its row over the user a person became after the lookup; it looks the row up again', async () => {
    const suffix = randomBytes(4).toString('hex');
    const [before] = (await importerOver(store).import([{ row: 1, username: `n0-${suffix}@contoso.com`, upn: `n0-${suffix}@contoso.com` }], [])).results;
    const id = String(before?.id);
    const racing = new PersonStore(
      racingPeople(people, `n0-${suffix}@contoso.com`, async () => {
        // Meanwhile the person becomes another Content Manager user (as a DELETE leaving it staged, then a link).
        await store.mutate(id, (current) => ({ next: current?.cm === undefined ? undefined : { ...current, cm: { ...current.cm, username: `adm0-${suffix}`, upn: `n0-${suffix}@contoso.com` } }, result: undefined }));
      }),
      new UserIndexRepository(tables.userindex),
      departuresOver(tables),
    );
    const report = await importerOver(racing).import([{ row: 1, username: `n0-${suffix}@contoso.com`, upn: `N1-${suffix}@CONTOSO.COM` }], []);
    expect(report.results[0]?.outcome).toBe('created');
    expect(report.results[0]?.id).not.toBe(id);
    const person = await people.getById(id);
    expect(person?.cm).toMatchObject({ username: `adm0-${suffix}`, upn: `n0-${suffix}@contoso.com` });
  });
});
