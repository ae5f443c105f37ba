// The journal of a group's membership clean-up (membership-repository.ts removeAll): before a chunk of members is
// removed, the chunk's member ids are written here, and the entry is closed once both sides of those memberships are
// gone and settled. A clean-up finds a group's rows from the group side and removes that side first, so without the
// entry a clean-up cut short between the two sides would leave member-side rows that nothing finds again.
//   PK c|<integration>|<group id>   RK <random entry id>   memberIds: JSON array of member ids
import { randomBytes } from 'node:crypto';
import { odata, type TableClient } from '@azure/data-tables';
import { MAX_STRING_PROPERTY_CHARS } from './entity-limits.js';
import { isNotFound } from './storage-errors.js';
import { MAX_TRANSACTION_ACTIONS } from './transactions.js';

export const cleanUpPartition = (integrationId: string, groupId: string): string => `c|${integrationId}|${groupId}`;

export interface CleanUpEntry {
  partitionKey: string;
  rowKey: string;
  etag: string;
  memberIds: string[];
}

/** Parses an entry row's member ids; undefined when the row is not an entry. */
export function entryMemberIds(row: Record<string, unknown>): string[] | undefined {
  if (typeof row.memberIds !== 'string') return undefined;
  try {
    const ids: unknown = JSON.parse(row.memberIds);
    return Array.isArray(ids) && ids.every((id) => typeof id === 'string') ? ids : undefined;
  } catch {
    return undefined;
  }
}

export class MembershipCleanUpJournal {
  constructor(private readonly table: TableClient) {}

  /** Splits member ids into chunks of at most one transaction that each fit one entry's string property. */
  chunk(memberIds: string[]): string[][] {
    const chunks: string[][] = [];
    let chunk: string[] = [];
    let chars = 2;
    for (const memberId of memberIds) {
      const size = JSON.stringify(memberId).length + 1;
      if (chunk.length === MAX_TRANSACTION_ACTIONS || (chunk.length > 0 && chars + size > MAX_STRING_PROPERTY_CHARS)) {
        chunks.push(chunk);
        chunk = [];
        chars = 2;
      }
      chunk.push(memberId);
      chars += size;
    }
    if (chunk.length > 0) chunks.push(chunk);
    return chunks;
  }

  async open(integrationId: string, groupId: string, memberIds: string[]): Promise<CleanUpEntry> {
    const entity = { partitionKey: cleanUpPartition(integrationId, groupId), rowKey: randomBytes(12).toString('hex'), memberIds: JSON.stringify(memberIds) };
    const { etag } = await this.table.createEntity(entity);
    return { partitionKey: entity.partitionKey, rowKey: entity.rowKey, etag: etag ?? '*', memberIds };
  }

  /** Entries of clean-ups of the group that have not closed (stopped half-way, or still running elsewhere). */
  async openEntries(integrationId: string, groupId: string): Promise<CleanUpEntry[]> {
    const pk = cleanUpPartition(integrationId, groupId);
    const entries: CleanUpEntry[] = [];
    for await (const row of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${pk}` } })) {
      const memberIds = entryMemberIds(row);
      if (memberIds !== undefined) entries.push({ partitionKey: pk, rowKey: String(row.rowKey), etag: String(row.etag), memberIds });
    }
    return entries;
  }

  /** Closes an entry; one another clean-up closed already is fine. */
  async close(entry: CleanUpEntry): Promise<void> {
    try {
      await this.table.deleteEntity(entry.partitionKey, entry.rowKey, { etag: entry.etag });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}
