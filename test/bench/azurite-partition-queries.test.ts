// The audience bench's Azurite reads only the partition a query pins: the answers (rows, order, continuation) must be
// those of Azurite's own full scan, including partition keys Loki's index compares as numbers.
import { odata, TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { narrowedQueryCount, narrowPartitionQueries, partitionOfFilter } from '../../bench/azurite-partition-queries.js';
import { type RunningAzurite, startAzurite } from '../../local/azurite.js';

const PARTITIONS = ['a', 'b', '10', '10.0', '1e1', '9', ' 10', 'm|x|y', ''];
const FILTERS = [
  odata`PartitionKey eq ${'a'}`,
  odata`PartitionKey eq ${'10'}`,
  odata`PartitionKey eq ${'1e1'} and RowKey ge ${'r3'}`,
  odata`RowKey lt ${'r2'} and PartitionKey eq ${'m|x|y'}`,
  odata`PartitionKey eq ${'b'} and (RowKey eq ${'r1'} or RowKey eq ${'r4'})`,
  odata`PartitionKey eq ${'a'} or PartitionKey eq ${'9'}`,
  odata`PartitionKey eq ${''}`,
  odata`PartitionKey ge ${'9'}`,
  odata`not (PartitionKey eq ${'a'})`,
];

describe('bench Azurite: partition queries', () => {
  let azurite: RunningAzurite;
  let table: TableClient;

  const read = async (filter: string): Promise<string[][]> => {
    const pages: string[][] = [];
    for await (const page of table.listEntities({ queryOptions: { filter } }).byPage({ maxPageSize: 3 })) pages.push(page.map((row) => `${row.partitionKey}/${row.rowKey}`));
    return pages;
  };

  beforeAll(async () => {
    azurite = await startAzurite({ inMemory: true, services: ['table'] });
    table = TableClient.fromConnectionString(azurite.connectionString, 'partitions', { allowInsecureConnection: true });
    await table.createTable();
    for (const partitionKey of PARTITIONS) for (let r = 0; r < 6; r++) await table.createEntity({ partitionKey, rowKey: `r${r}` });
  });
  afterAll(async () => azurite.stop());

  it('finds the partition a filter pins, and none where it does not pin one', () => {
    const pinned = [undefined, '', 'PartitionKey eq', ...FILTERS].map(partitionOfFilter);
    expect(pinned).toEqual([undefined, undefined, undefined, 'a', '10', '1e1', 'm|x|y', 'b', undefined, '', undefined, undefined]);
  });

  it('answers every query as the full scan does, page by page', async () => {
    const scanned = await Promise.all(FILTERS.map(read));
    narrowPartitionQueries();
    const narrowed = await Promise.all(FILTERS.map(read));
    expect(narrowed).toEqual(scanned);
    // One query per page of the six filters that pin a partition.
    const pinnedPages = FILTERS.map((filter, i) => (partitionOfFilter(filter) === undefined ? 0 : (scanned[i]?.length ?? 0))).reduce((a, b) => a + b, 0);
    expect(narrowedQueryCount()).toBe(pinnedPages);
    expect(scanned[1]?.flat()).toEqual(['10/r0', '10/r1', '10/r2', '10/r3', '10/r4', '10/r5']);
  });
});
