// Every attribute path an integration has written, with its type and when it was first and last seen. One partition
// per integration; the row key is the encoded path.
import { odata, type TableClient } from '@azure/data-tables';
import type { CatalogEntry, CatalogStore } from '../directory/model/stores.js';
import { encodeKey } from './keys.js';
import { isConflict } from './storage-errors.js';

export class AttributeCatalogRepository implements CatalogStore {
  constructor(private readonly table: TableClient) {}

  /** Records that the integration wrote these paths now; firstSeen is set only when a path is new. */
  async record(integrationId: string, entries: { path: string; type: string }[], now: string): Promise<void> {
    await Promise.all(
      entries.map(async (entry) => {
        const entity = { partitionKey: integrationId, rowKey: encodeKey(entry.path.toLowerCase()), path: entry.path, type: entry.type, lastSeen: now };
        try {
          await this.table.createEntity({ ...entity, firstSeen: now });
        } catch (error) {
          if (!isConflict(error)) throw error;
          await this.table.upsertEntity(entity, 'Merge');
        }
      }),
    );
  }

  async list(integrationId: string): Promise<CatalogEntry[]> {
    const entries: CatalogEntry[] = [];
    for await (const row of this.table.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${integrationId}` },
    })) {
      entries.push({
        path: String(row.path),
        type: String(row.type),
        firstSeen: String(row.firstSeen ?? row.lastSeen),
        lastSeen: String(row.lastSeen),
      });
    }
    return entries.sort((a, b) => a.path.localeCompare(b.path));
  }
}
