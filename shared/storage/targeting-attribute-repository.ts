// Targeting attribute definitions, table `targeting`, all in one partition (an organisation has tens of them, read
// together on every person write's index check):
//   PK a  RK d:<id>                        the definition
//   PK a  RK n:<case-folded name>          uniqueness of the name ({ref: id}), changed with the definition in one batch
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import type { TargetingAttributeRecord, TargetingAttributeStore } from '../directory/model/targeting-attribute.js';
import { caseFoldKey, encodeKey } from './keys.js';
import { ConcurrentUpdateError, isConflict, isNotFound, isPreconditionFailed, KeyTakenError } from './storage-errors.js';

const PARTITION = 'a';
const definitionKey = (id: string): string => `d:${encodeKey(id)}`;
const nameKey = (name: string): string => `n:${caseFoldKey(name)}`;

function toEntity(record: TargetingAttributeRecord): Record<string, unknown> & { partitionKey: string; rowKey: string } {
  const entity: Record<string, unknown> & { partitionKey: string; rowKey: string } = {
    partitionKey: PARTITION,
    rowKey: definitionKey(record.id),
    id: record.id,
    name: record.name,
    integrationId: record.integrationId,
    path: record.path,
    enabled: record.enabled,
    created: record.created,
    lastModified: record.lastModified,
    backfillStatus: record.backfill.status,
    backfillIndexedPeople: record.backfill.indexedPeople,
  };
  if (record.backfill.continuationToken !== undefined) entity.backfillContinuationToken = record.backfill.continuationToken;
  return entity;
}

function fromEntity(entity: Record<string, unknown>): TargetingAttributeRecord {
  const record: TargetingAttributeRecord = {
    id: String(entity.id),
    name: String(entity.name),
    integrationId: String(entity.integrationId),
    path: String(entity.path),
    enabled: entity.enabled === true,
    created: String(entity.created),
    lastModified: String(entity.lastModified),
    backfill: { status: entity.backfillStatus === 'done' ? 'done' : 'pending', indexedPeople: Number(entity.backfillIndexedPeople ?? 0) },
  };
  if (typeof entity.backfillContinuationToken === 'string') record.backfill.continuationToken = entity.backfillContinuationToken;
  if (typeof entity.etag === 'string') record.etag = entity.etag;
  return record;
}

export class TargetingAttributeRepository implements TargetingAttributeStore {
  constructor(private readonly table: TableClient) {}

  async get(id: string): Promise<TargetingAttributeRecord | undefined> {
    try {
      return fromEntity(await this.table.getEntity(PARTITION, definitionKey(id)));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async list(): Promise<TargetingAttributeRecord[]> {
    const records: TargetingAttributeRecord[] = [];
    const rows = this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${PARTITION} and RowKey ge 'd:' and RowKey lt 'd;'` } });
    for await (const row of rows) records.push(fromEntity(row));
    return records.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }

  create(record: TargetingAttributeRecord): Promise<TargetingAttributeRecord> {
    return this.submit(record, [
      ['create', toEntity(record)],
      ['create', { partitionKey: PARTITION, rowKey: nameKey(record.name), ref: record.id }],
    ]);
  }

  update(before: TargetingAttributeRecord, after: TargetingAttributeRecord): Promise<TargetingAttributeRecord> {
    const actions: TransactionAction[] = [['update', toEntity(after), 'Replace', { etag: before.etag }] as TransactionAction];
    if (nameKey(before.name) !== nameKey(after.name)) {
      actions.push(['delete', { partitionKey: PARTITION, rowKey: nameKey(before.name) }]);
      actions.push(['create', { partitionKey: PARTITION, rowKey: nameKey(after.name), ref: after.id }]);
    }
    return this.submit(after, actions);
  }

  /** Deletes the definition with the name row it was read with (renamed meanwhile: ConcurrentUpdateError). */
  async delete(record: TargetingAttributeRecord): Promise<void> {
    await this.submit(record, [
      ['delete', { partitionKey: PARTITION, rowKey: definitionKey(record.id) }],
      ['delete', { partitionKey: PARTITION, rowKey: nameKey(record.name) }],
    ]);
  }

  private async submit(record: TargetingAttributeRecord, actions: TransactionAction[]): Promise<TargetingAttributeRecord> {
    try {
      const response = await this.table.submitTransaction(actions);
      const etag = response.subResponses[0]?.etag;
      return etag === undefined ? record : { ...record, etag };
    } catch (error) {
      if (isConflict(error)) throw new KeyTakenError(record.name);
      if (isPreconditionFailed(error) || isNotFound(error)) throw new ConcurrentUpdateError(`targeting attribute ${record.id}`);
      throw error;
    }
  }
}
