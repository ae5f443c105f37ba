// Reads many people by their keys at once: a page of Graph users is matched with a few queries per person partition
// instead of two point reads a user. The key rows are read 14 to a query within their partition (Azure allows 15
// comparisons in a filter, the partition key takes one), then, for a verified match, the main rows they name, 14 to a
// query likewise. Every answer is what findByKey would give for that key alone: a copy is trusted unless verified is
// asked, a pointer or a verified copy is read through to its main row, a tombstoned main row is absent, and a person
// found counts only when it still holds the key.
import { odata, type TableClient } from '@azure/data-tables';
import type { PersonRecord } from '../directory/model/person-record.js';
import { rowKeyQueryChunks } from './keys.js';
import { personFromEntity } from './person-entity.js';
import { type Entity, holdsKey, isCopy, isPersonId, isTombstone, type KeyKind, type KeyRow, keyRowOf, MAIN_PREFIX, partitionOfId, trustedCopy } from './person-key-rows.js';
import { forEachBounded } from './transactions.js';

/** Queries in flight at once. */
const PARALLEL_QUERIES = 8;

/** One query per 14 rows of a partition, PARALLEL_QUERIES at once; the entities found by `partition|rowKey`. */
async function readRows(table: TableClient, rows: readonly { partitionKey: string; rowKey: string }[]): Promise<Map<string, Entity>> {
  const byPartition = new Map<string, string[]>();
  for (const { partitionKey, rowKey } of rows) {
    const rowKeys = byPartition.get(partitionKey) ?? [];
    if (!rowKeys.includes(rowKey)) rowKeys.push(rowKey);
    byPartition.set(partitionKey, rowKeys);
  }
  const queries = [...byPartition].flatMap(([partitionKey, rowKeys]) => rowKeyQueryChunks(rowKeys).map((chunk) => ({ partitionKey, chunk })));
  const found = new Map<string, Entity>();
  await forEachBounded(queries, PARALLEL_QUERIES, async ({ partitionKey, chunk }) => {
    const rowKeys = chunk.map((rowKey) => odata`RowKey eq ${rowKey}`).join(' or ');
    const filter = `${odata`PartitionKey eq ${partitionKey}`} and (${rowKeys})`;
    for await (const entity of table.listEntities<Entity>({ queryOptions: { filter } })) found.set(`${entity.partitionKey}|${entity.rowKey}`, entity);
  });
  return found;
}

/** The live people of these ids (tombstoned or missing ones left out), by id. */
export async function readPeople(table: TableClient, ids: readonly string[]): Promise<Map<string, PersonRecord>> {
  const rows = ids.filter(isPersonId).map((id) => ({ partitionKey: partitionOfId(id), rowKey: MAIN_PREFIX + id }));
  const people = new Map<string, PersonRecord>();
  for (const entity of (await readRows(table, rows)).values()) {
    if (isTombstone(entity)) continue;
    const person = personFromEntity(entity);
    people.set(person.id, person);
  }
  return people;
}

/** The people holding these keys of one kind, by key: what findByKey answers for each key alone. */
export async function findPeopleByKeys(table: TableClient, kind: KeyKind, keys: readonly string[], verified: boolean): Promise<Map<string, PersonRecord>> {
  const rows = [...new Set(keys)].map((key) => keyRowOf(kind, key));
  const entities = await readRows(table, rows);
  const found = new Map<string, PersonRecord>();
  const throughMain: { row: KeyRow; id: string }[] = [];
  for (const row of rows) {
    const entity = entities.get(`${row.partitionKey}|${row.rowKey}`);
    if (entity === undefined) continue;
    if (isCopy(entity) && !verified) {
      const copy = trustedCopy(row, entity);
      if (copy !== undefined) found.set(row.key, copy);
    } else {
      throughMain.push({ row, id: typeof entity.ref === 'string' ? entity.ref : '' });
    }
  }
  const people = await readPeople(table, throughMain.map(({ id }) => id));
  for (const { row, id } of throughMain) {
    const person = people.get(id);
    if (person !== undefined && holdsKey(person, kind, row.key)) found.set(row.key, person);
  }
  return found;
}
