// Deleting what an integration leaves behind outside its people, by key range, once nothing writes it any more (the
// integration is deleting): every row of
//   groups      PK g|<integration>                   groups, their name and externalId rows
//   members     PK m|<integration>|<group>           the group side of memberships (and the clean-up journal)
//               PK u|<integration>|<bucket>          the member side
//   userindex   PK <integration>|<attr>|<value>      index rows of the values it wrote
//   attributes  PK <integration>                     its attribute catalog
//   people      PK b<bucket>, RK s:<integration>:…   pointers of its own userNames
//   syncruns    PK <integration>                     its Graph sync runs, step markers and lock
//               PK graph-<integration>               its Graph sync's state (shared/graph/sync/sync-state-store.ts)
// (Its provisioning log rows stay until the log's retention removes their day.)
// A page reads keys only and deletes what it read in entity-group transactions; deleted rows no longer match, so the
// next page starts from the beginning of its range again, and the only cursor is which range (the ones before it are
// empty): a restart from an older cursor finds those empty again.
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import type { IntegrationRowsPurge } from '../directory/model/stores.js';
import { BUCKET_COUNT, prefixUpperBound } from './keys.js';
import { isNotFound } from './storage-errors.js';
import type { TableClients } from './table-clients.js';
import { submitChunked } from './transactions.js';

interface RowRange {
  table: TableClient;
  filter: string;
}

/** The filter of every key starting with `prefix` in `column`. */
const prefixFilter = (column: 'PartitionKey' | 'RowKey', prefix: string): string =>
  column === 'PartitionKey'
    ? odata`PartitionKey ge ${prefix} and PartitionKey lt ${prefixUpperBound(prefix)}`
    : odata`RowKey ge ${prefix} and RowKey lt ${prefixUpperBound(prefix)}`;

export class IntegrationRowsRepository implements IntegrationRowsPurge {
  constructor(private readonly tables: Pick<TableClients, 'groups' | 'members' | 'userindex' | 'attributes' | 'people' | 'syncruns'>) {}

  private rangesOf(integrationId: string): RowRange[] {
    const buckets = Array.from({ length: BUCKET_COUNT }, (_, i) => `b${i.toString(16).padStart(2, '0')}`);
    return [
      { table: this.tables.groups, filter: odata`PartitionKey eq ${`g|${integrationId}`}` },
      { table: this.tables.members, filter: prefixFilter('PartitionKey', `m|${integrationId}|`) },
      { table: this.tables.members, filter: prefixFilter('PartitionKey', `u|${integrationId}|`) },
      { table: this.tables.userindex, filter: prefixFilter('PartitionKey', `${integrationId}|`) },
      { table: this.tables.attributes, filter: odata`PartitionKey eq ${integrationId}` },
      { table: this.tables.syncruns, filter: odata`PartitionKey eq ${integrationId}` },
      { table: this.tables.syncruns, filter: odata`PartitionKey eq ${`graph-${integrationId}`}` },
      ...buckets.map((bucket) => ({ table: this.tables.people, filter: `${odata`PartitionKey eq ${bucket}`} and ${prefixFilter('RowKey', `s:${integrationId}:`)}` })),
    ];
  }

  async purgeNext(integrationId: string, limit: number, fromRange = 0): Promise<{ deleted: number; range: number }> {
    if (!/^[a-z0-9]{1,64}$/.test(integrationId)) return { deleted: 0, range: 0 };
    const ranges = this.rangesOf(integrationId);
    for (let index = Math.max(0, fromRange); index < ranges.length; index++) {
      const deleted = await this.purgePage(ranges[index] as RowRange, limit);
      if (deleted > 0) return { deleted, range: index };
    }
    return { deleted: 0, range: ranges.length };
  }

  /** Deletes the first page (at most `limit` rows) of the range; the service may answer an empty page with more to come. */
  private async purgePage(range: RowRange, limit: number): Promise<number> {
    let continuationToken: string | undefined;
    do {
      const pages = range.table
        .listEntities({ queryOptions: { filter: range.filter, select: ['PartitionKey', 'RowKey'] } })
        .byPage({ maxPageSize: limit, ...(continuationToken === undefined ? {} : { continuationToken }) });
      const next = await pages.next();
      if (next.done === true) return 0;
      const rows = next.value;
      if (rows.length > 0) {
        const actions: TransactionAction[] = rows.map((row) => ['delete', { partitionKey: String(row.partitionKey), rowKey: String(row.rowKey) }]);
        await submitChunked(range.table, actions, async (chunk, error) => {
          // A row deleted meanwhile fails its whole transaction: delete the rest one by one.
          if (!isNotFound(error)) throw error;
          for (const [, entity] of chunk) {
            await range.table.deleteEntity(String(entity.partitionKey), String(entity.rowKey)).catch((each: unknown) => {
              if (!isNotFound(each)) throw each;
            });
          }
        });
        return rows.length;
      }
      continuationToken = rows.continuationToken;
    } while (continuationToken !== undefined);
    return 0;
  }
}
