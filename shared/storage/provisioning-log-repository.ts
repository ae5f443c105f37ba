// The provisioning log, in table `provisioninglog`, one partition per UTC day and integration, so that retention
// deletes whole days with one range query over the partition keys and reads never leave the days they ask for:
//   PartitionKey `<yyyymmdd>|<integration>`
//   RowKey `t|<inverted ms>|<unique>`               the entry, in time order, newest first
//   RowKey `r|<resource>|<inverted ms>|<unique>`    the same entry again, for lookups of one resource within the day
// Both rows of an entry are written in the same entity-group transaction (same partition), so a lookup by resource is
// a RowKey range query in each day partition, never a filter over the day's rows. The day comes first in the
// partition key so that `PartitionKey lt '<first day kept>'` names every expired row of every integration (those of
// deleted integrations too) and nothing else.
import { odata, type TableClient, type TableEntityResult, type TransactionAction } from '@azure/data-tables';
import type { RequestOutcome } from '../observability/request-log.js';
import type { ProvisioningLogEntry, ProvisioningOperation, ProvisioningResourceType, ProvisioningSource } from '../provisioning-log/log-entry.js';
import { encodeKey } from './keys.js';
import { forEachBounded, MAX_TRANSACTION_ACTIONS, submitChunked } from './transactions.js';

/** Where a page of the log goes on: the partition (a day) and the row to start at in it. */
export interface LogPosition {
  readonly partitionKey: string;
  readonly rowKey?: string;
}

export interface LogPageQuery {
  readonly integrationId: string;
  /** Inclusive bounds of `at`. */
  readonly from: Date;
  readonly to: Date;
  readonly resourceId?: string;
  readonly pageSize: number;
  readonly after?: LogPosition;
}

export interface LogPage {
  /** Newest first. */
  readonly entries: ProvisioningLogEntry[];
  /** Absent on the last page. */
  readonly next?: LogPosition;
}

/** Thrown when a position does not belong to the query it is used with (another integration, day range or resource). */
export class ForeignLogPositionError extends Error {
  constructor() {
    super('the position does not belong to this query');
    this.name = 'ForeignLogPositionError';
  }
}

/** Day partitions read at once while a page fills (a sparse log costs one round of reads per this many days). */
const PARALLEL_DAY_READS = 6;
/** Transactions of one append in flight at once. */
const PARALLEL_TRANSACTIONS = 4;
/** Inverted times count down from here: 13 digits reach the year 2286. */
const MAX_MS = 9_999_999_999_999;
/** Characters of the unique suffix of a row key (random hex: two entries of one millisecond never collide). */
const UNIQUE_BYTES = 6;

const utcDay = (time: Date): string => time.toISOString().slice(0, 10).replaceAll('-', '');
const invertedMs = (time: Date): string => String(MAX_MS - time.getTime()).padStart(13, '0');
/**
 * A value for use between `|` separators: key-safe, ASCII only (so a position made of keys survives the admin API's
 * continuation token check), and without `|` of its own.
 */
const keyPart = (value: string): string =>
  encodeKey(value)
    .replace(/[^\x20-\x7e]/g, (ch) => `%u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replaceAll('|', '%7C');

export const partitionKeyOf = (day: string, integrationId: string): string => `${day}|${keyPart(integrationId)}`;
const rowPrefixOf = (resourceId: string | undefined): string => (resourceId === undefined ? 't|' : `r|${keyPart(resourceId)}|`);

function uniqueSuffix(): string {
  const bytes = new Uint8Array(UNIQUE_BYTES);
  crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString('hex');
}

/** The UTC days from `to`'s back to `from`'s, newest first, as yyyymmdd. */
export function daysNewestFirst(from: Date, to: Date): string[] {
  const days: string[] = [];
  const first = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  for (let day = Date.UTC(to.getUTCFullYear(), to.getUTCMonth(), to.getUTCDate()); day >= first; day -= 86_400_000) days.push(utcDay(new Date(day)));
  return days;
}

function entityOf(entry: ProvisioningLogEntry, partitionKey: string, rowKey: string): Record<string, unknown> & { partitionKey: string; rowKey: string } {
  return {
    partitionKey,
    rowKey,
    at: entry.at,
    integrationId: entry.integrationId,
    source: entry.source,
    operation: entry.operation,
    resourceType: entry.resourceType,
    resourceId: entry.resourceId ?? '',
    displayName: entry.displayName ?? '',
    status: entry.status ?? 0,
    outcome: entry.outcome,
    correlationId: entry.correlationId,
    errorType: entry.errorType ?? '',
  };
}

function entryOf(entity: TableEntityResult<Record<string, unknown>>): ProvisioningLogEntry {
  const text = (value: unknown): string => (typeof value === 'string' ? value : '');
  const optional = (value: unknown): string | undefined => (text(value) === '' ? undefined : text(value));
  const resourceId = optional(entity.resourceId);
  const displayName = optional(entity.displayName);
  const errorType = optional(entity.errorType);
  const status = Number(entity.status ?? 0);
  return {
    at: text(entity.at),
    integrationId: text(entity.integrationId),
    source: text(entity.source) as ProvisioningSource,
    operation: text(entity.operation) as ProvisioningOperation,
    resourceType: text(entity.resourceType) as ProvisioningResourceType,
    ...(resourceId === undefined ? {} : { resourceId }),
    ...(displayName === undefined ? {} : { displayName }),
    ...(status > 0 ? { status } : {}),
    outcome: text(entity.outcome) as RequestOutcome,
    correlationId: text(entity.correlationId),
    ...(errorType === undefined ? {} : { errorType }),
  };
}

interface DayRead {
  readonly partitionKey: string;
  readonly rows: TableEntityResult<Record<string, unknown>>[];
  /** Where the day goes on after `rows`, when it does. */
  readonly rest?: LogPosition;
}

export class ProvisioningLogRepository {
  constructor(private readonly table: TableClient) {}

  /**
   * Writes the entries: an entry's rows in one entity-group transaction with other entries of its day and integration
   * (at most 100 rows each), a bounded number of transactions at a time.
   */
  async append(entries: readonly ProvisioningLogEntry[]): Promise<void> {
    const byPartition = new Map<string, TransactionAction[][]>();
    for (const entry of entries) {
      const at = new Date(entry.at);
      const partitionKey = partitionKeyOf(utcDay(at), entry.integrationId);
      const suffix = `${invertedMs(at)}|${uniqueSuffix()}`;
      const rows: TransactionAction[] = [['create', entityOf(entry, partitionKey, `t|${suffix}`)]];
      if (entry.resourceId !== undefined) rows.push(['create', entityOf(entry, partitionKey, `${rowPrefixOf(entry.resourceId)}${suffix}`)]);
      byPartition.set(partitionKey, [...(byPartition.get(partitionKey) ?? []), rows]);
    }
    const transactions: TransactionAction[][] = [];
    for (const entryRows of byPartition.values()) {
      let transaction: TransactionAction[] = [];
      for (const rows of entryRows) {
        if (transaction.length + rows.length > MAX_TRANSACTION_ACTIONS) {
          transactions.push(transaction);
          transaction = [];
        }
        transaction.push(...rows);
      }
      if (transaction.length > 0) transactions.push(transaction);
    }
    await forEachBounded(transactions, PARALLEL_TRANSACTIONS, async (transaction) => {
      await this.table.submitTransaction(transaction);
    });
  }

  /** One page of an integration's entries between two times, newest first, optionally of one resource only. */
  async page(query: LogPageQuery): Promise<LogPage> {
    const prefix = rowPrefixOf(query.resourceId);
    const low = `${prefix}${invertedMs(query.to)}`;
    const high = `${prefix}${invertedMs(query.from)}}`; // `}` follows `|`: every row of that millisecond is inside
    const partitions = daysNewestFirst(query.from, query.to).map((day) => partitionKeyOf(day, query.integrationId));
    let start = 0;
    let startRow = low;
    if (query.after !== undefined) {
      start = partitions.indexOf(query.after.partitionKey);
      const row = query.after.rowKey;
      if (start < 0 || (row !== undefined && !row.startsWith(prefix))) throw new ForeignLogPositionError();
      if (row !== undefined && row > startRow) startRow = row;
    }
    const entries: ProvisioningLogEntry[] = [];
    for (let at = start; at < partitions.length; at += PARALLEL_DAY_READS) {
      const window = partitions.slice(at, at + PARALLEL_DAY_READS);
      // One row more than there is room for: the first row left over is where the next page starts.
      const wanted = query.pageSize - entries.length + 1;
      const reads = await Promise.all(window.map((partitionKey, index) => this.readDay(partitionKey, at + index === start ? startRow : low, high, wanted)));
      for (const [index, read] of reads.entries()) {
        const room = query.pageSize - entries.length;
        entries.push(...read.rows.slice(0, room).map(entryOf));
        const leftOver = read.rows[room];
        if (leftOver !== undefined) return { entries, next: { partitionKey: read.partitionKey, rowKey: String(leftOver.rowKey) } };
        // The service may end a page early (time or size limits): the next page goes on where it stopped.
        if (read.rest !== undefined) return { entries, next: read.rest };
        if (entries.length === query.pageSize) {
          const next = nextPosition(reads.slice(index + 1), partitions[at + window.length]);
          return next === undefined ? { entries } : { entries, next };
        }
      }
    }
    return { entries };
  }

  /**
   * Deletes every row of the days before `firstDayKept` (yyyymmdd), of every integration: one range query over the
   * partition keys (keys only) and entity-group deletes of up to 100 rows. Returns how many rows and days went.
   */
  async pruneBefore(firstDayKept: string): Promise<{ rows: number; partitions: number }> {
    const partitions = new Set<string>();
    let rows = 0;
    const expired = this.table.listEntities({ queryOptions: { filter: odata`PartitionKey lt ${firstDayKept}`, select: ['PartitionKey', 'RowKey'] } });
    for await (const page of expired.byPage({ maxPageSize: 1000 })) {
      const actions: TransactionAction[] = page.map((row) => ['delete', { partitionKey: String(row.partitionKey), rowKey: String(row.rowKey) }]);
      for (const row of page) partitions.add(String(row.partitionKey));
      rows += actions.length;
      await submitChunked(this.table, actions);
    }
    return { rows, partitions: partitions.size };
  }

  private async readDay(partitionKey: string, from: string, below: string, wanted: number): Promise<DayRead> {
    const rows: TableEntityResult<Record<string, unknown>>[] = [];
    const filter = odata`PartitionKey eq ${partitionKey} and RowKey ge ${from} and RowKey lt ${below}`;
    for await (const page of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } }).byPage({ maxPageSize: wanted })) {
      rows.push(...page);
      if (rows.length >= wanted) return { partitionKey, rows };
      const token = page.continuationToken;
      if (token !== undefined && rows.length > 0) {
        // A short page with more to come: stop at a round trip per day per page; the next page resumes here.
        const { nextPartitionKey, nextRowKey } = JSON.parse(Buffer.from(token, 'base64').toString()) as { nextPartitionKey: string; nextRowKey?: string };
        if (nextPartitionKey === partitionKey) return { partitionKey, rows, rest: { partitionKey, ...(nextRowKey === undefined ? {} : { rowKey: nextRowKey }) } };
      }
    }
    return { partitionKey, rows };
  }
}

/** Where a full page goes on: the first row of a later day already read, or the first day not read yet. */
function nextPosition(laterReads: readonly DayRead[], firstUnread: string | undefined): LogPosition | undefined {
  for (const read of laterReads) {
    const first = read.rows[0];
    if (first !== undefined) return { partitionKey: read.partitionKey, rowKey: String(first.rowKey) };
    if (read.rest !== undefined) return read.rest;
  }
  return firstUnread === undefined ? undefined : { partitionKey: firstUnread };
}
