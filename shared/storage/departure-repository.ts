// The departures record (directory/member-departures.ts), in the members table:
//   PK d   RK <time, ms since the epoch, 15 digits>|<member id>   memberId
// One partition for the organisation: a member add reads the departures of a recent window with one range query,
// whatever view its members left. Rows are written once per change that takes someone out of a view (a delete, an
// unlink), so the partition's throughput is not a concern; rows older than the window are pruned by their writers.
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import type { DepartureStore } from '../directory/model/stores.js';
import { encodeKey } from './keys.js';
import { submitChunked, submitIgnoringGone } from './transactions.js';

export const DEPARTURES_PARTITION = 'd';
/** Rows one `since` reads; a window holding more is answered as "too many" (the caller checks every member). */
const MAX_LISTED_DEPARTURES = 1000;
const TIME_DIGITS = 15;

/** The row key prefix of a time: its milliseconds, zero-padded so keys sort as times do. */
export const departureTimeKey = (ms: number): string => String(Math.max(0, Math.floor(ms))).padStart(TIME_DIGITS, '0');
export const departureRowKey = (ms: number, memberId: string): string => `${departureTimeKey(ms)}|${encodeKey(memberId)}`;
/** Whether a row key is a departure's (a time key, then a member id). */
export const isDepartureRowKey = (rowKey: string): boolean => new RegExp(`^\\d{${TIME_DIGITS}}\\|.+$`, 's').test(rowKey);

export class DepartureRepository implements DepartureStore {
  constructor(private readonly table: TableClient) {}

  async record(memberIds: readonly string[], atMs: number): Promise<void> {
    const unique = [...new Set(memberIds)];
    const rows = unique.map((memberId) => ({ partitionKey: DEPARTURES_PARTITION, rowKey: departureRowKey(atMs, memberId), memberId }));
    if (rows.length === 1) await this.table.upsertEntity(rows[0] as (typeof rows)[number], 'Replace');
    else await submitChunked(this.table, rows.map((row): TransactionAction => ['upsert', row, 'Replace']));
  }

  async since(fromMs: number): Promise<Set<string> | undefined> {
    const filter = odata`PartitionKey eq ${DEPARTURES_PARTITION} and RowKey ge ${departureTimeKey(fromMs)}`;
    const pages = this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter, select: ['memberId'] } }).byPage({ maxPageSize: MAX_LISTED_DEPARTURES });
    for await (const page of pages) {
      if (page.continuationToken !== undefined) return undefined;
      return new Set(page.map((row) => String(row.memberId)));
    }
    return new Set();
  }

  async pruneBefore(beforeMs: number, maxRows: number): Promise<void> {
    const filter = odata`PartitionKey eq ${DEPARTURES_PARTITION} and RowKey lt ${departureTimeKey(beforeMs)}`;
    const pages = this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter, select: ['RowKey'] } }).byPage({ maxPageSize: maxRows });
    for await (const page of pages) {
      const deletes = page.map((row): TransactionAction => ['delete', { partitionKey: DEPARTURES_PARTITION, rowKey: String(row.rowKey) }]);
      // Another writer pruning the same rows makes a transaction fail on a row it deleted.
      await submitIgnoringGone(this.table, deletes);
      return;
    }
  }
}
