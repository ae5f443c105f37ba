// What the Graph sync's scheduling needs of an integration row: its method and whether it is enabled. IntegrationRecord
// does not model these (yet), so they are read from the raw row: `method` ('scim' when absent) and `enabled` (a
// boolean; absent means enabled, as in the Graph settings). Properties the repository does not know are kept as read.
import type { TableClient } from '@azure/data-tables';
import { PARTITION } from './integration-repository.js';
import { isNotFound } from './storage-errors.js';

export interface IntegrationSyncRow {
  readonly id: string;
  /** 'graph' for a Graph integration; 'scim' for every other value or none. */
  readonly method: 'graph' | 'scim';
  readonly enabled: boolean;
}

function fromEntity(entity: Record<string, unknown>): IntegrationSyncRow {
  return {
    id: String(entity.rowKey),
    method: entity.method === 'graph' ? 'graph' : 'scim',
    enabled: entity.enabled !== false && entity.enabled !== 'false',
  };
}

export class IntegrationSyncRows {
  constructor(private readonly table: TableClient) {}

  async get(id: string): Promise<IntegrationSyncRow | undefined> {
    if (!/^[a-z0-9]{1,64}$/.test(id)) return undefined;
    try {
      return fromEntity(await this.table.getEntity(PARTITION, id));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async list(): Promise<IntegrationSyncRow[]> {
    const rows: IntegrationSyncRow[] = [];
    const entities = this.table.listEntities({ queryOptions: { filter: `PartitionKey eq '${PARTITION}'` } });
    for await (const entity of entities) rows.push(fromEntity(entity));
    return rows;
  }
}
