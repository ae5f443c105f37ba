// A PersonDirectory over a test's own tables, wired as services.ts wires it but without the targeting indexer, so a
// test can put its own people store (an interleaving's client, a racing proxy) or its own index table under it.
import type { TableClient } from '@azure/data-tables';
import { AttributeCatalog } from '../../shared/directory/attribute-catalog.js';
import type { MemberDepartures } from '../../shared/directory/member-departures.js';
import { MemberExistenceCache } from '../../shared/directory/member-existence-cache.js';
import type { PeopleStore } from '../../shared/directory/model/stores.js';
import { PersonDirectory } from '../../shared/directory/person-directory.js';
import { type PeopleBatchWrites, PersonStore } from '../../shared/directory/person-store.js';
import { AttributeCatalogRepository } from '../../shared/storage/attribute-catalog-repository.js';
import { MembershipRepository } from '../../shared/storage/membership-repository.js';
import { PeopleRepository } from '../../shared/storage/people-repository.js';
import type { TableClients } from '../../shared/storage/table-clients.js';
import { UserIndexRepository } from '../../shared/storage/user-index-repository.js';
import { departuresOver } from './departures-over.js';

export interface PersonDirectoryParts {
  /** Every integration's id (whose memberships a person that all of them stop seeing loses). */
  readonly integrationIds: readonly string[];
  /** The people store; by default a PeopleRepository over `tables.people`. */
  readonly people?: PeopleStore & PeopleBatchWrites;
  /** The index table; by default `tables.userindex`. */
  readonly userindex?: TableClient;
  /** The departures record; by default one over `tables.members`. */
  readonly departures?: MemberDepartures;
}

export function personDirectoryOver(tables: Pick<TableClients, 'people' | 'userindex' | 'members' | 'attributes'>, parts: PersonDirectoryParts): PersonDirectory {
  const index = new UserIndexRepository(parts.userindex ?? tables.userindex);
  const store = new PersonStore(parts.people ?? new PeopleRepository(tables.people), index, parts.departures ?? departuresOver(tables));
  const catalog = new AttributeCatalog(new AttributeCatalogRepository(tables.attributes));
  return new PersonDirectory(store, index, new MembershipRepository(tables.members), catalog, new MemberExistenceCache(), () => Promise.resolve([...parts.integrationIds]));
}
