// The Content Manager users of `npm run bench:graph`, written straight as the rows the people repository writes for
// an admin import (the main row, its co-located key rows, pointer rows elsewhere), batched 100 to a transaction: the
// import's own path (reads, claims, confirmations per user) would take longer than the sync it prepares on a loaded
// machine. Not measured. The users are known by UPN user<i>@contoso.example and username cm-user<i>, without e-mail
// or display name (so they have no index rows), as the synthetic tenant's users match them.
import type { TableClient, TransactionAction } from '@azure/data-tables';
import type { PersonRecord } from '../shared/directory/model/person-record.js';
import { withDerivedKeys } from '../shared/directory/person-store.js';
import { caseFoldKey } from '../shared/storage/keys.js';
import { newPersonId } from '../shared/storage/people-repository.js';
import { personToProperties } from '../shared/storage/person-entity.js';
import { keyRowsOf, MAIN_PREFIX, partitionOfId } from '../shared/storage/person-key-rows.js';
import { submitChunked } from '../shared/storage/transactions.js';

/** Users whose rows are gathered before they are submitted. */
const USERS_PER_ROUND = 5_000;

function rowsOf(index: number, timestamp: string): TransactionAction[] {
  const upn = `user${index}@contoso.example`;
  const person = withDerivedKeys({
    id: newPersonId(caseFoldKey(upn)),
    sources: {},
    nameKeys: [],
    version: 1,
    created: timestamp,
    cm: { username: `cm-user${index}`, upn, createdBy: 'admin', created: timestamp, lastModified: timestamp },
  } satisfies PersonRecord);
  const partitionKey = partitionOfId(person.id);
  const props = personToProperties(person);
  const actions: TransactionAction[] = [['create', { partitionKey, rowKey: MAIN_PREFIX + person.id, ...props }]];
  for (const row of keyRowsOf(person)) {
    const entity = row.colocated && row.copy ? { ref: person.id, ...props } : { ref: person.id };
    actions.push(['create', { partitionKey: row.colocated ? partitionKey : row.partitionKey, rowKey: row.rowKey, ...entity }]);
  }
  return actions;
}

export async function seedContentManagerUsers(people: TableClient, count: number): Promise<void> {
  const timestamp = new Date().toISOString();
  for (let from = 0; from < count; from += USERS_PER_ROUND) {
    const actions: TransactionAction[] = [];
    for (let i = from; i < Math.min(count, from + USERS_PER_ROUND); i++) actions.push(...rowsOf(i, timestamp));
    await submitChunked(people, actions);
  }
}
