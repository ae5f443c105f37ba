// Azurite replaces an entity (an update, an upsert of an existing row) by removing its document from the Loki
// collection and inserting the new one (LokiTableMetadataStore updateTableEntity), and merges one through Loki's
// update: the removal splices the collection's arrays and walks each of its indices, and the update searches them
// linearly, so a write of an existing entity costs time in proportion to the rows in its table. At the Graph bench's
// default shape that is most of Azurite's CPU (docs/graph-bench.md, *Third pass*: 59% of it in Collection.remove), and
// the bench would measure the emulator's replace instead of our code; Azure updates an entity in place, and the raw
// inserts the bench compares with never replace anything.
//
// updateEntitiesInPlace() makes a replace or a merge of an existing entity write the new properties, ETag and time
// into the stored document itself. Its keys, the only indexed fields, do not change, so neither does any index. A
// missing entity and a stale ETag are left to Azurite's own methods (same errors), and inside a transaction the old
// state is recorded for Azurite's rollback as a copy (the rollback re-inserts it, as it does for its own updates).
// Only for the bench's own Azurite process (azurite-process.ts); never for the tests' or the local host's storage.
import { createRequire } from 'node:module';

interface StoredEntity {
  PartitionKey: string;
  RowKey: string;
  properties: Record<string, unknown>;
  lastModifiedTime: string;
  eTag: string;
  [field: string]: unknown;
}

interface EntityCollection {
  findOne(query: object): StoredEntity | null;
}

type WriteMethod = (this: TableStore, context: unknown, table: string, account: string, entity: StoredEntity, ifMatch: string | undefined, batchId?: string) => Promise<unknown>;

interface TableStore {
  getEntityCollection(account: string, table: string, context: unknown): EntityCollection;
  encodeIfMatch(ifMatch: string | undefined): string | undefined;
  filterOdataMetaData(entity: StoredEntity, key: string, merged: StoredEntity): void;
  transactionRollbackTheseEntities: unknown[];
  updateTableEntity: WriteMethod;
  mergeTableEntity: WriteMethod;
}

const ODATA_TYPE = '@odata.type';
/** Fields Loki keeps on a stored document: never copied from the request's entity. */
const LOKI_FIELDS = new Set(['$loki', 'meta']);

const require = createRequire(import.meta.url);

let installed = false;
let inPlaceWrites = 0;

/** How many replaces and merges this process applied in place (for the test that pins the patch). */
export const inPlaceWriteCount = (): number => inPlaceWrites;

/** The stored document when it exists and the ETag condition holds; undefined leaves the call to Azurite. */
function writable(store: TableStore, context: unknown, table: string, account: string, entity: StoredEntity, ifMatch: string | undefined): StoredEntity | undefined {
  const doc = store.getEntityCollection(account, table, context).findOne({ RowKey: entity.RowKey, PartitionKey: entity.PartitionKey });
  if (doc === null) return undefined;
  const expected = ifMatch === undefined ? undefined : store.encodeIfMatch(ifMatch);
  return expected === undefined || expected === '*' || expected === store.encodeIfMatch(doc.eTag) ? doc : undefined;
}

/** Records the document's state for a failed transaction's rollback, as Azurite's own rollback reads it. */
function recordForRollback(store: TableStore, doc: StoredEntity, batchId: string | undefined): void {
  if (batchId === '') return;
  store.transactionRollbackTheseEntities.push({ PartitionKey: doc.PartitionKey, RowKey: doc.RowKey, properties: doc.properties, lastModifiedTime: doc.lastModifiedTime, eTag: doc.eTag });
}

/** Patches Azurite's Loki table store in this process (idempotent). */
export function updateEntitiesInPlace(): void {
  if (installed) return;
  installed = true;
  const store = (require('azurite/dist/src/table/persistence/LokiTableMetadataStore.js') as { default: { prototype: TableStore } }).default.prototype;
  const update = store.updateTableEntity;
  const merge = store.mergeTableEntity;

  store.updateTableEntity = function (context, table, account, entity, ifMatch, batchId) {
    const doc = writable(this, context, table, account, entity, ifMatch);
    if (doc === undefined) return update.call(this, context, table, account, entity, ifMatch, batchId);
    recordForRollback(this, doc, batchId);
    entity.properties.Timestamp = entity.lastModifiedTime;
    entity.properties[`Timestamp${ODATA_TYPE}`] = 'Edm.DateTime';
    doc.properties = entity.properties;
    doc.lastModifiedTime = entity.lastModifiedTime;
    doc.eTag = entity.eTag;
    inPlaceWrites++;
    return Promise.resolve(entity);
  };

  store.mergeTableEntity = function (context, table, account, entity, ifMatch, batchId) {
    // Azurite's merge encodes the condition even when there is none; writable() reads it the same way.
    const doc = writable(this, context, table, account, entity, ifMatch);
    if (doc === undefined) return merge.call(this, context, table, account, entity, ifMatch, batchId);
    recordForRollback(this, doc, batchId);
    const merged: StoredEntity = { ...doc, ...entity, properties: { ...doc.properties } };
    for (const key of Object.keys(entity.properties)) {
      if (key.endsWith(ODATA_TYPE)) continue;
      merged.properties[key] = entity.properties[key];
      this.filterOdataMetaData(entity, key, merged);
    }
    for (const [field, value] of Object.entries(merged)) if (!LOKI_FIELDS.has(field)) doc[field] = value;
    inPlaceWrites++;
    return Promise.resolve(doc);
  };
}
