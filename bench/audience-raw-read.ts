// The index rows an audience resolution reads, read straight from storage for comparison: the same queries (the
// group side of each group by person-id range, the value partition of each attribute per shard with the same RowKey
// ranges), the same shards in flight, and nothing done with the rows but counting them.
import { odata, type TableClient } from '@azure/data-tables';
import { type AudienceCondition, normalisedMatch } from '../shared/directory/targeting/audience-resolver.js';
import { rangeFilters, valuePartition, valueRanges } from '../shared/storage/attribute-value-index-repository.js';
import { groupPartition } from '../shared/storage/membership-repository.js';
import { ALL_PERSON_SHARDS, personIdRange } from '../shared/storage/person-id-shards.js';
import type { TableClients } from '../shared/storage/table-clients.js';
import { forEachBounded } from '../shared/storage/transactions.js';

const SHARDS_IN_FLIGHT = 4;

async function count(table: TableClient, filter: string, select: string[]): Promise<number> {
  let rows = 0;
  for await (const page of table.listEntities({ queryOptions: { filter, select } }).byPage({ maxPageSize: 1000 })) rows += page.length;
  return rows;
}

async function leafRows(tables: TableClients, condition: AudienceCondition, shard: number): Promise<number> {
  if (condition.kind === 'group') {
    const range = personIdRange(shard);
    const pk = groupPartition(condition.integrationId, condition.groupId);
    return count(tables.members, odata`PartitionKey eq ${pk} and RowKey ge ${range.from} and RowKey lt ${range.to}`, ['value', 'type']);
  }
  if (condition.kind !== 'attribute') {
    return (await Promise.all(condition.conditions.map((inner) => leafRows(tables, inner, shard)))).reduce((a, b) => a + b, 0);
  }
  const pk = valuePartition(condition.attributeId, shard);
  const ranges = valueRanges(normalisedMatch(condition.match));
  const filters = ranges === undefined ? [odata`PartitionKey eq ${pk}`] : rangeFilters(pk, ranges);
  const counts = await Promise.all(filters.map((filter) => count(tables.targeting, filter, ['p'])));
  return counts.reduce((a, b) => a + b, 0);
}

/** Reads every index row the resolution of `condition` reads; answers how many. */
export async function readIndexRows(tables: TableClients, condition: AudienceCondition): Promise<number> {
  let rows = 0;
  await forEachBounded(ALL_PERSON_SHARDS, SHARDS_IN_FLIGHT, async (shard) => {
    const shardRows = await leafRows(tables, condition, shard);
    rows += shardRows;
  });
  return rows;
}
