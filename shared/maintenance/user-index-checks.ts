// The userindex table: one row per (index entry, person), derived from the person. Every required entry of every
// person (requiredIndexEntriesOf) has its row (checked from the person, during the people walk), and every row is an
// entry of the person it names (indexEntriesOf: a source's value equal to the Content Manager's may keep a row it no
// longer needs; checked from the row).
import type { PersonRecord } from '../directory/model/person-record.js';
import { indexEntriesOf, requiredIndexEntriesOf } from '../directory/user-view.js';
import { partitionOf as indexPartitionOf } from '../storage/user-index-repository.js';
import { at, type CheckContext, type RowCheck } from './check-context.js';
import { createIfAbsent, deleteIfUnchanged, readRow } from './table-rows.js';

const indexPartitionsOf = (person: PersonRecord): Set<string> => new Set(indexEntriesOf(person).map(indexPartitionOf));

export async function checkIndexRowsOf(person: PersonRecord, context: CheckContext): Promise<void> {
  for (const partitionKey of new Set(requiredIndexEntriesOf(person).map(indexPartitionOf))) {
    if ((await readRow(context.tables.userindex, partitionKey, person.id)) !== undefined) continue;
    await context.report(
      { kind: 'missing-index-row', table: 'userindex', partitionKey, rowKey: person.id, detail: `person ${person.id} has this value but no index row` },
      // Stamped with the person's version, as a claim is (user-index-repository.ts).
      () => createIfAbsent(context.tables.userindex, { partitionKey, rowKey: person.id, v: person.version }),
    );
  }
}

export const checkIndexRow: RowCheck = async (row, context) => {
  const person = await context.people.getById(row.rowKey);
  if (person !== undefined && indexPartitionsOf(person).has(row.partitionKey)) return;
  const why = person === undefined ? 'which does not exist' : 'who has no such value in this scope';
  await context.report({ kind: 'stale-index-row', ...at('userindex', row), detail: `the row names person ${row.rowKey}, ${why}` }, () =>
    deleteIfUnchanged(context.tables.userindex, row),
  );
};
