// The value index of targeting attributes, table `targeting`: one row per person and (normalised) value, partitioned
// by attribute and person-id shard (person-id-shards.ts), so an audience condition reads one RowKey range per shard:
//   PK v|<attribute id>|<shard, hex>  RK <value key>|<person id>   {p: person id}
// equals and oneOf read the rows of one value (a range ending at the `|`), startsWith a prefix range, present the
// whole partition. Value keys escape `|` so the separator is unambiguous; a value longer than encodeKey keeps verbatim
// is hashed past its first 64 characters (equals still matches it; startsWith sees those 64 characters).
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import type { ValueIndexStore, ValueMatch, ValueRow } from '../directory/model/targeting-attribute.js';
import { encodeKey, prefixUpperBound } from './keys.js';
import { ALL_PERSON_SHARDS, shardOfPersonId } from './person-id-shards.js';
import { isNotFound } from './storage-errors.js';
import { forEachBounded, submitChunked } from './transactions.js';

const RANGES_IN_FLIGHT = 8;
/** RowKey ranges one query names: two comparisons each, and Azure allows 15 in a filter (the PartitionKey takes one). */
const RANGES_PER_QUERY = 7;

export const valuePartition = (attributeId: string, shard: number): string => `v|${attributeId}|${shard.toString(16)}`;
export const valueKey = (value: string): string => encodeKey(value).replaceAll('|', '%7C');
const rowKey = (value: string, personId: string): string => `${valueKey(value)}|${personId}`;

type Entity = { partitionKey: string; rowKey: string; p: string };
const entityOf = (attributeId: string, personId: string, value: string): Entity => ({
  partitionKey: valuePartition(attributeId, shardOfPersonId(personId)),
  rowKey: rowKey(value, personId),
  p: personId,
});

/** The RowKey ranges [from, to) a match reads; undefined: the whole partition. */
export function valueRanges(match: ValueMatch): { from: string; to: string }[] | undefined {
  const exact = (value: string): { from: string; to: string } => ({ from: `${valueKey(value)}|`, to: `${valueKey(value)}}` });
  switch (match.kind) {
    case 'equals':
      return [exact(match.value)];
    case 'oneOf':
      return [...new Set(match.values)].map(exact);
    case 'startsWith':
      return match.prefix === '' ? undefined : [{ from: valueKey(match.prefix), to: prefixUpperBound(valueKey(match.prefix)) }];
    case 'present':
      return undefined;
  }
}

/** The filters that read these RowKey ranges of the partition, RANGES_PER_QUERY to a query. */
export function rangeFilters(pk: string, ranges: { from: string; to: string }[]): string[] {
  const filters: string[] = [];
  for (let i = 0; i < ranges.length; i += RANGES_PER_QUERY) {
    const anyRange = ranges.slice(i, i + RANGES_PER_QUERY).map((range) => odata`(RowKey ge ${range.from} and RowKey lt ${range.to})`);
    filters.push(`${odata`PartitionKey eq ${pk}`} and (${anyRange.join(' or ')})`);
  }
  return filters;
}

export class AttributeValueIndexRepository implements ValueIndexStore {
  constructor(private readonly table: TableClient) {}

  async change(personId: string, add: ValueRow[], remove: ValueRow[]): Promise<void> {
    await this.addMany(add.map((row) => ({ ...row, personId })));
    await forEachBounded(remove, RANGES_IN_FLIGHT, async (row) => {
      const entity = entityOf(row.attributeId, personId, row.value);
      await this.table.deleteEntity(entity.partitionKey, entity.rowKey).catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
      });
    });
  }

  async addMany(rows: (ValueRow & { personId: string })[]): Promise<void> {
    const actions = rows.map((row): TransactionAction => ['upsert', entityOf(row.attributeId, row.personId, row.value), 'Replace']);
    // A person and value twice in one batch is refused by storage: keep one action per row.
    const unique = new Map(actions.map((action) => [`${action[1].partitionKey}\n${action[1].rowKey}`, action]));
    await submitChunked(this.table, [...unique.values()]);
  }

  async peopleInShard(attributeId: string, shard: number, match: ValueMatch): Promise<string[]> {
    const pk = valuePartition(attributeId, shard);
    const ranges = valueRanges(match);
    const filters = ranges === undefined ? [odata`PartitionKey eq ${pk}`] : rangeFilters(pk, ranges);
    const ids: string[] = [];
    await forEachBounded(filters, RANGES_IN_FLIGHT, async (filter) => {
      for await (const page of this.table.listEntities<{ p?: unknown }>({ queryOptions: { filter, select: ['p'] } }).byPage({ maxPageSize: 1000 })) {
        for (const row of page) ids.push(String(row.p));
      }
    });
    return ids;
  }

  async removeAttribute(attributeId: string): Promise<void> {
    await forEachBounded(ALL_PERSON_SHARDS, 4, async (shard) => {
      const pk = valuePartition(attributeId, shard);
      for await (const page of this.table.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${pk}` } }).byPage({ maxPageSize: 1000 })) {
        await submitChunked(this.table, page.map((row): TransactionAction => ['delete', { partitionKey: pk, rowKey: String(row.rowKey) }]));
      }
    });
  }
}
