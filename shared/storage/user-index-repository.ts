// Secondary indexes of people by attribute value (externalId, displayName, email), per scope: an integration id for
// the values a source wrote, or `cm` for Content Manager values. One partition per (scope, attribute, value), one row
// per person, so an `eq` filter is one partition query. Rows are hints: new ones are written before the person and
// stale ones removed after it, and readers check every candidate against the person itself.
//
// Each row carries `v`, the person's version its claim was written for (the version the claiming write commits), and
// claims only ever raise it. A remover deletes a row (guarded by the ETag it read) only when the person has a
// committed version lacking the value at or above the row's `v`. Why that is enough: a write that brings the value
// back commits a later version, and claims the row for it before committing; a remover that read the row before
// that claim fails its ETag, one that read it after sees a `v` above its own version and leaves it. So no writer
// re-reads or rewrites its rows after committing, and no remover re-reads the person (docs/performance.md, "Index
// rows stamped with the person's version").
import { odata, type TableClient } from '@azure/data-tables';
import type { IndexEntry, UserIndexStore } from '../directory/model/stores.js';
import { encodeKey } from './keys.js';
import { ConcurrentUpdateError, isConflict, isNotFound, isPreconditionFailed } from './storage-errors.js';

/** Most candidates one index lookup returns; a value shared by more people falls back to a bounded scan. */
export const MAX_INDEX_CANDIDATES = 1_000;
/** Rounds of read-and-write one row's claim or removal takes before it gives up on a row that keeps changing. */
const MAX_ROW_ROUNDS = 8;

export const partitionOf = (entry: IndexEntry): string => `${entry.scope}|${entry.attr}|${encodeKey(entry.value)}`;
const identity = (entry: IndexEntry): string => partitionOf(entry);

/** A row as a claim or a removal reads it: absent, or its ETag and the version it was claimed for (0: before stamps). */
type RowState = { etag: string; version: number } | undefined;

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
   * Claims the rows that `after` has and `before` lacks for the person's write of `version`, before that write: a row
   * absent is created; a row present with a lower `v` is raised to `version` (guarded by its ETag); a row at `version`
   * or above is left as it is (a later claim, or this claim's own first attempt).
   */
  async addMissing(id: string, before: IndexEntry[], after: IndexEntry[], version: number): Promise<void> {
    const old = new Set(before.map(identity));
    const fresh = dedupe(after).filter((entry) => !old.has(identity(entry)));
    await Promise.all(fresh.map((entry) => this.claim(partitionOf(entry), id, version)));
  }

  /**
   * Removes the rows that `before` had and `after` lacks, once the person's version `version` (which lacks them) is
   * committed: each row is deleted with the ETag read, unless it was claimed for a later version.
   */
  async removeStale(id: string, before: IndexEntry[], after: IndexEntry[], version: number): Promise<void> {
    const kept = new Set(after.map(identity));
    const stale = dedupe(before).filter((entry) => !kept.has(identity(entry)));
    await Promise.all(stale.map((entry) => this.release(partitionOf(entry), id, version)));
  }

  private async claim(partitionKey: string, id: string, version: number): Promise<void> {
    for (let round = 0; round < MAX_ROW_ROUNDS; round++) {
      try {
        await this.table.createEntity({ partitionKey, rowKey: id, v: version });
        return;
      } catch (error) {
        if (!isConflict(error)) throw error;
      }
      const row = await this.rowState(partitionKey, id);
      if (row === undefined) continue; // removed since: create it again
      if (row.version >= version) return;
      try {
        await this.table.updateEntity({ partitionKey, rowKey: id, v: version }, 'Replace', { etag: row.etag });
        return;
      } catch (error) {
        if (!isNotFound(error) && !isPreconditionFailed(error)) throw error;
      }
    }
    // A race, not a fault: the person's write re-reads and retries (and in the end answers a conflict to retry).
    throw new ConcurrentUpdateError(`index row ${partitionKey}/${id} kept changing under ${MAX_ROW_ROUNDS} attempts to claim it`);
  }

  private async release(partitionKey: string, id: string, version: number): Promise<void> {
    for (let round = 0; round < MAX_ROW_ROUNDS; round++) {
      const row = await this.rowState(partitionKey, id);
      if (row === undefined || row.version > version) return;
      try {
        await this.table.deleteEntity(partitionKey, id, { etag: row.etag });
        return;
      } catch (error) {
        if (isNotFound(error)) return;
        if (!isPreconditionFailed(error)) throw error;
      }
    }
    // Claimed and released over and over meanwhile: left as a hint (readers check it against the person).
  }

  /**
   * Deletes the rows of a person that is gone (or of a create that did not happen: its id was the attempt's own)
   * without reading them: ids are never reused, so no writer needs them again.
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

  private async rowState(partitionKey: string, id: string): Promise<RowState> {
    try {
      const row = await this.table.getEntity<{ v?: number }>(partitionKey, id);
      return { etag: String(row.etag), version: Number(row.v ?? 0) };
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
