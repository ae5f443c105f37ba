// Row-level storage access for the storage checker: a table walked one page at a time, point reads that tolerate an
// absent row, and repairs guarded so they never overwrite or delete a row that changed since it was read.
import type { TableClient, TransactionAction } from '@azure/data-tables';
import { isConflict, isNotFound, isPreconditionFailed } from '../storage/storage-errors.js';

/** A stored row as listed or read: its keys, its ETag and its properties. */
export type Row = Record<string, unknown> & { partitionKey: string; rowKey: string; etag: string };

function asRow(entity: Record<string, unknown>): Row {
  return { ...entity, partitionKey: String(entity.partitionKey), rowKey: String(entity.rowKey), etag: String(entity.etag) };
}

/** Every row of the table in key order, one storage page at a time; a table that does not exist has none. */
export async function* pagesOf(table: TableClient, pageSize: number): AsyncGenerator<Row[]> {
  const pages = table.listEntities<Record<string, unknown>>().byPage({ maxPageSize: pageSize });
  try {
    for await (const page of pages) yield page.map(asRow);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

export async function readRow(table: TableClient, partitionKey: string, rowKey: string): Promise<Row | undefined> {
  try {
    return asRow(await table.getEntity<Record<string, unknown>>(partitionKey, rowKey));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** A storage answer that means "the row is not as it was read": the guard did its job. */
const lostRace = (error: unknown): boolean => isNotFound(error) || isPreconditionFailed(error) || isConflict(error);

async function guarded(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (lostRace(error)) return false;
    throw error;
  }
}

/** Deletes the row unless it changed (or went) since it was read. */
export function deleteIfUnchanged(table: TableClient, row: Row): Promise<boolean> {
  return guarded(() => table.deleteEntity(row.partitionKey, row.rowKey, { etag: row.etag }));
}

/** Inserts the row unless one already exists under its keys. */
export function createIfAbsent(table: TableClient, entity: { partitionKey: string; rowKey: string } & Record<string, unknown>): Promise<boolean> {
  return guarded(() => table.createEntity(entity));
}

/**
 * Writes `entity` over `existing` (guarded by its ETag), or inserts it when there was none; with `fence`, the same
 * entity-group transaction touches that row guarded by its ETag, so the write commits only if the row it derives from
 * is still as read (both must share the partition).
 */
export function putIfUnchanged(
  table: TableClient,
  entity: { partitionKey: string; rowKey: string } & Record<string, unknown>,
  existing: Row | undefined,
  fence?: Row,
): Promise<boolean> {
  const write: TransactionAction = existing === undefined ? ['create', entity] : ['update', entity, 'Replace', { etag: existing.etag }];
  if (fence === undefined) return guarded(() => table.submitTransaction([write]));
  const touch: TransactionAction = ['update', { partitionKey: fence.partitionKey, rowKey: fence.rowKey }, 'Merge', { etag: fence.etag }];
  return guarded(() => table.submitTransaction([touch, write]));
}
