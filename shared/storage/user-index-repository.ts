// Secondary indexes of people by attribute value (externalId, displayName, email), per scope: an integration id for
// the values a source wrote, or `cm` for Content Manager values. One partition per (scope, attribute, value), one row
// per person, so an `eq` filter is one partition query. Rows are hints: new ones are written before the person and
// stale ones removed after it, and readers check every candidate against the person itself.
import { odata, type TableClient } from '@azure/data-tables';
import { encodeKey } from './keys.js';
import { isNotFound } from './storage-errors.js';

export interface IndexEntry {
  scope: string;
  attr: string;
  /** The value as it is compared: callers case-fold case-insensitive attributes before indexing and looking up. */
  value: string;
}

/** Most candidates one index lookup returns; a value shared by more people falls back to a bounded scan. */
export const MAX_INDEX_CANDIDATES = 1_000;

export const partitionOf = (entry: IndexEntry): string => `${entry.scope}|${entry.attr}|${encodeKey(entry.value)}`;
const identity = (entry: IndexEntry): string => partitionOf(entry);

export class UserIndexRepository {
  constructor(private readonly table: TableClient) {}

  /** Ids of people indexed under the value, or undefined when there are more than MAX_INDEX_CANDIDATES. */
  async find(entry: IndexEntry): Promise<string[] | undefined> {
    const ids: string[] = [];
    const pk = partitionOf(entry);
    const pages = this.table
      .listEntities({ queryOptions: { filter: odata`PartitionKey eq ${pk}`, select: ['RowKey'] } })
      .byPage({ maxPageSize: MAX_INDEX_CANDIDATES + 1 });
    for await (const page of pages) {
      for (const row of page) ids.push(String(row.rowKey));
      if (ids.length > MAX_INDEX_CANDIDATES) return undefined;
    }
    return ids;
  }

  /** Writes the rows that `after` has and `before` lacks. Call before writing the person. */
  async addMissing(id: string, before: IndexEntry[], after: IndexEntry[]): Promise<void> {
    const old = new Set(before.map(identity));
    const fresh = dedupe(after).filter((entry) => !old.has(identity(entry)));
    await Promise.all(
      fresh.map((entry) => this.table.upsertEntity({ partitionKey: partitionOf(entry), rowKey: id }, 'Replace')),
    );
  }

  /** Removes the rows that `before` had and `after` lacks. Call after writing the person. */
  async removeStale(id: string, before: IndexEntry[], after: IndexEntry[]): Promise<void> {
    const kept = new Set(after.map(identity));
    const stale = dedupe(before).filter((entry) => !kept.has(identity(entry)));
    await Promise.all(
      stale.map((entry) =>
        this.table.deleteEntity(partitionOf(entry), id).catch((error: unknown) => {
          if (!isNotFound(error)) throw error;
        }),
      ),
    );
  }
}

function dedupe(entries: IndexEntry[]): IndexEntry[] {
  const seen = new Map<string, IndexEntry>();
  for (const entry of entries) seen.set(identity(entry), entry);
  return [...seen.values()];
}
