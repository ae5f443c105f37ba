// Secondary indexes of people by attribute value (externalId, displayName, email), per scope: an integration id for
// the values a source wrote, or `cm` for Content Manager values. One partition per (scope, attribute, value), one row
// per person, so an `eq` filter is one partition query. Rows are hints: new ones are written before the person and
// stale ones removed after it, and readers check every candidate against the person itself.
import { odata, type TableClient } from '@azure/data-tables';
import type { IndexClaim, IndexEntry, UserIndexStore } from '../directory/model/stores.js';
import { encodeKey } from './keys.js';
import { isNotFound, isPreconditionFailed } from './storage-errors.js';

/** Most candidates one index lookup returns; a value shared by more people falls back to a bounded scan. */
export const MAX_INDEX_CANDIDATES = 1_000;

export const partitionOf = (entry: IndexEntry): string => `${entry.scope}|${entry.attr}|${encodeKey(entry.value)}`;
const identity = (entry: IndexEntry): string => partitionOf(entry);

export class UserIndexRepository implements UserIndexStore {
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

  /**
   * Writes the rows that `after` has and `before` lacks, before the person is written; returns each row's ETag, for
   * `reassert` once the person's write committed.
   */
  async addMissing(id: string, before: IndexEntry[], after: IndexEntry[]): Promise<IndexClaim[]> {
    const old = new Set(before.map(identity));
    const fresh = dedupe(after).filter((entry) => !old.has(identity(entry)));
    return Promise.all(
      fresh.map(async (entry) => ({ entry, etag: (await this.table.upsertEntity({ partitionKey: partitionOf(entry), rowKey: id }, 'Replace')).etag })),
    );
  }

  /**
   * After the person's write committed: rewrites each claimed row (guarded by its claim ETag), so a removal that read
   * it before the commit fails on its ETag; a row removed meanwhile is written again while the person still has it.
   */
  async reassert(id: string, claims: IndexClaim[], currentEntries: () => Promise<IndexEntry[]>): Promise<void> {
    const lost: IndexEntry[] = [];
    await Promise.all(
      claims.map(async ({ entry, etag }) => {
        try {
          await this.table.updateEntity({ partitionKey: partitionOf(entry), rowKey: id }, 'Replace', { etag });
        } catch (error) {
          if (!isNotFound(error) && !isPreconditionFailed(error)) throw error;
          lost.push(entry);
        }
      }),
    );
    if (lost.length === 0) return;
    const current = new Set((await currentEntries()).map(identity));
    await Promise.all(
      lost.filter((entry) => current.has(identity(entry))).map((entry) => this.table.upsertEntity({ partitionKey: partitionOf(entry), rowKey: id }, 'Replace')),
    );
  }

  /**
   * Removes the rows that `before` had and `after` lacks, after the person was written: each row is read first, then
   * the person's current entries, and the row is deleted with the ETag read only when the person no longer has it, so
   * a concurrent writer that added the same row again (and reasserts it after committing) keeps it.
   */
  async removeStale(id: string, before: IndexEntry[], after: IndexEntry[], currentEntries: () => Promise<IndexEntry[]>): Promise<void> {
    const kept = new Set(after.map(identity));
    let stale = dedupe(before).filter((entry) => !kept.has(identity(entry)));
    // A delete that fails on its ETag (the row was reasserted meanwhile) is looked at again, with the person re-read.
    for (let round = 0; round < 4 && stale.length > 0; round++) {
      const rows = await Promise.all(stale.map(async (entry) => ({ entry, etag: await this.etagOf(entry, id) })));
      const present = rows.filter((row): row is { entry: IndexEntry; etag: string } => row.etag !== undefined);
      if (present.length === 0) return;
      const current = new Set((await currentEntries()).map(identity));
      const raced: IndexEntry[] = [];
      await Promise.all(
        present
          .filter((row) => !current.has(identity(row.entry)))
          .map(async (row) => {
            try {
              await this.table.deleteEntity(partitionOf(row.entry), id, { etag: row.etag });
            } catch (error) {
              if (isPreconditionFailed(error)) raced.push(row.entry);
              else if (!isNotFound(error)) throw error;
            }
          }),
      );
      stale = raced;
    }
  }

  /**
   * Deletes the rows of a deleted person without reading them: ids are never reused, and a writer of the person that
   * raced the delete finds it gone before it writes rows again (reassert re-reads the person), so nothing is lost.
   */
  async removeAllOf(id: string, entries: IndexEntry[]): Promise<void> {
    await Promise.all(
      dedupe(entries).map((entry) =>
        this.table.deleteEntity(partitionOf(entry), id).catch((error: unknown) => {
          if (!isNotFound(error)) throw error;
        }),
      ),
    );
  }

  private async etagOf(entry: IndexEntry, id: string): Promise<string | undefined> {
    try {
      return (await this.table.getEntity(partitionOf(entry), id)).etag;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}

function dedupe(entries: IndexEntry[]): IndexEntry[] {
  const seen = new Map<string, IndexEntry>();
  for (const entry of entries) seen.set(identity(entry), entry);
  return [...seen.values()];
}
