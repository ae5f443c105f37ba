// A rename racing the same rename (Entra retrying a PATCH while the first is still running) and a POST of that name
// by another integration, at the interleaving the soak found (seed 4242, history 3127): the first rename's name check
// runs after the second rename gave the record the name and after the other integration's user took it. The record
// already has the name, so the rename is no rename: it succeeds, as it would if it came last.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContentManagerUsers } from '../../../shared/directory/content-manager-users.js';
import type { PeopleStore } from '../../../shared/directory/model/stores.js';
import type { PersonDirectory} from '../../../shared/directory/person-directory.js';
import { type SourceIntegration } from '../../../shared/directory/person-directory.js';
import { type PeopleBatchWrites, PersonStore } from '../../../shared/directory/person-store.js';
import { viewDocument } from '../../../shared/directory/user-view.js';
import { GroupRepository } from '../../../shared/storage/group-repository.js';
import { MembershipRepository } from '../../../shared/storage/membership-repository.js';
import { PeopleRepository } from '../../../shared/storage/people-repository.js';
import type { TableClients } from '../../../shared/storage/table-clients.js';
import { UserIndexRepository } from '../../../shared/storage/user-index-repository.js';
import { createFreshTables, dropTables } from '../../support/fresh-tables.js';
import { personDirectoryOver } from '../../support/person-directory-over.js';
import { departuresOver } from '../../support/departures-over.js';

let tables: TableClients;
const A: SourceIntegration = { id: 'inta', userProvisioning: 'matchOnly' };
const C: SourceIntegration = { id: 'intc', userProvisioning: 'create' };

beforeAll(async () => {
  tables = await createFreshTables();
});
afterAll(async () => {
  await dropTables(tables);
});

const directoryOver = (people: PeopleStore & PeopleBatchWrites): PersonDirectory => personDirectoryOver(tables, { people, integrationIds: [A.id, C.id] });

/** The people store, running `meanwhile` once, before the first check of both names answers. */
function racingChecks<T extends PeopleStore>(people: T, meanwhile: () => Promise<void>): T {
  let raced = false;
  return new Proxy(people, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => Promise<unknown>;
      if (property !== 'findByNameAndScopedKey') return method.bind(target);
      return async (...args: unknown[]) => {
        if (!raced) {
          raced = true;
          await meanwhile();
        }
        return method.apply(target, args);
      };
    },
  });
}

describe('a rename racing the same rename and a POST of the name elsewhere', () => {
  it('succeeds when the record took the name meanwhile, although another user of this view now has it', async () => {
    const suffix = randomBytes(4).toString('hex');
    const [n0, n1] = [`n0-${suffix}@contoso.com`, `n1-${suffix}@contoso.com`];
    const people = new PeopleRepository(tables.people);
    const plain = directoryOver(people);
    const importer = new ContentManagerUsers(new PersonStore(people, new UserIndexRepository(tables.userindex), departuresOver(tables)), new GroupRepository(tables.groups), new MembershipRepository(tables.members), () => Promise.resolve([A.id, C.id]));
    const id = String((await importer.import([{ row: 1, username: `adm0-${suffix}`, upn: n0 }], [])).results[0]?.id);
    const rename = (current: Record<string, unknown>) => ({ doc: { ...current, userName: n1 }, attributes: [{ path: 'userName', type: 'string' }] });
    const racing = directoryOver(
      racingChecks(people, async () => {
        await plain.writeSource(A, id, rename); // the same rename, retried, goes first
        await plain.createSource(C, { doc: { userName: n1 }, attributes: [{ path: 'userName', type: 'string' }], contentManager: {} });
      }),
    );
    await expect(racing.writeSource(A, id, rename)).resolves.toBeDefined();
    const person = await people.getById(id);
    expect(person === undefined ? undefined : viewDocument(person, A.id)?.userName).toBe(n1);
  });
});
