// Integrations (data sources): one row each. The secret token itself lives in the secret store; the row keeps only
// its hash.
import { type TableClient } from '@azure/data-tables';
import type { IntegrationRecord } from '../directory/model/integration-record.js';
import type { IntegrationStore } from '../directory/model/stores.js';
import { isNotFound } from './storage-errors.js';

/** The one partition of the integrations table. */
export const PARTITION = 'integration';

function fromEntity(entity: Record<string, unknown>): IntegrationRecord {
  const record: IntegrationRecord = {
    id: String(entity.rowKey),
    displayName: String(entity.displayName),
    userProvisioning: entity.userProvisioning === 'create' ? 'create' : 'matchOnly',
    tokenHash: String(entity.tokenHash),
    tokenSecretName: String(entity.tokenSecretName),
    created: String(entity.created),
    lastModified: String(entity.lastModified),
  };
  if (entity.method === 'graph' || entity.method === 'scim') record.method = entity.method;
  if (typeof entity.graphSettings === 'string') record.graphSettings = entity.graphSettings;
  if (typeof entity.enabled === 'boolean') record.enabled = entity.enabled;
  if (typeof entity.clientSecretName === 'string') record.clientSecretName = entity.clientSecretName;
  if (typeof entity.previousTokenHash === 'string') record.previousTokenHash = entity.previousTokenHash;
  if (typeof entity.previousTokenValidUntil === 'string') record.previousTokenValidUntil = entity.previousTokenValidUntil;
  if (entity.status === 'deleting') record.status = entity.status;
  if (typeof entity.deletion === 'string') record.deletion = entity.deletion;
  if (typeof entity.etag === 'string') record.etag = entity.etag;
  return record;
}

export class IntegrationRepository implements IntegrationStore {
  constructor(private readonly table: TableClient) {}

  async get(id: string): Promise<IntegrationRecord | undefined> {
    if (!/^[a-z0-9]{1,64}$/.test(id)) return undefined;
    try {
      return fromEntity(await this.table.getEntity(PARTITION, id));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async list(): Promise<IntegrationRecord[]> {
    const records: IntegrationRecord[] = [];
    for await (const entity of this.table.listEntities({ queryOptions: { filter: `PartitionKey eq '${PARTITION}'` } })) {
      records.push(fromEntity(entity));
    }
    return records;
  }

  async create(record: IntegrationRecord): Promise<IntegrationRecord> {
    const { id, etag: _etag, ...rest } = record;
    const response = await this.table.createEntity({ partitionKey: PARTITION, rowKey: id, ...rest });
    return response.etag === undefined ? record : { ...record, etag: response.etag };
  }

  async update(record: IntegrationRecord): Promise<IntegrationRecord> {
    const { id, etag, ...rest } = record;
    const response = await this.table.updateEntity({ partitionKey: PARTITION, rowKey: id, ...rest }, 'Replace', { etag });
    return response.etag === undefined ? record : { ...record, etag: response.etag };
  }

  /** Deletes the row; with `etag`, only as it was read (412 otherwise). */
  async delete(id: string, etag?: string): Promise<void> {
    await this.table.deleteEntity(PARTITION, id, etag === undefined ? {} : { etag });
  }
}
