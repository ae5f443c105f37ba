// Azure Table Storage's size limits, checked before anything is sent: Azure refuses an oversized write with a 400 (a
// 413 for a transaction body), and Azurite, which the tests run on, enforces only some of them. The limits and the
// size formula are Azure's documented ones:
//   - "Understanding the Table service data model" (learn.microsoft.com/rest/api/storageservices/understanding-the-
//     table-service-data-model): at most 255 properties including PartitionKey, RowKey and Timestamp (252 of our own);
//     all data of an entity at most 1 MiB; a String property at most 64 KiB of UTF-16 (32 K code units), a Binary one
//     at most 64 KiB; PartitionKey and RowKey strings of at most 1 KiB; property names of at most 255 characters.
//   - The entity size (learn.microsoft.com/archive/blogs/avkashchauhan/how-the-size-of-an-entity-is-caclulated-in-
//     windows-azure-table-storage): 4 bytes + 2 × (length of PartitionKey + RowKey) + for each property 8 bytes +
//     2 × (length of its name) + its value (String 2 × length + 4, Binary length + 4, Int32 4, Int64 / Double /
//     DateTime 8, Guid 16, Boolean 1).
//   - "Scalability and performance targets for Table storage": an entity-group transaction holds at most 100 entities
//     and a payload under 4 MiB.
import type { TransactionAction } from '@azure/data-tables';

/** A String property holds 64 KiB of UTF-16: 32,768 code units (JavaScript string length). */
export const MAX_STRING_PROPERTY_CHARS = 32_768;
export const MAX_BINARY_PROPERTY_BYTES = 64 * 1024;
/** 255 properties, less PartitionKey, RowKey and Timestamp. */
export const MAX_CUSTOM_PROPERTIES = 252;
export const MAX_PROPERTY_NAME_CHARS = 255;
/** PartitionKey and RowKey are at most 1 KiB: 512 UTF-16 code units (Azurite refuses longer ones too). */
export const MAX_KEY_CHARS = 512;
export const MAX_ENTITY_BYTES = 1024 * 1024;
/**
 * What this app lets one entity weigh by the formula: 1 MiB less a margin, since the service counts some metadata of
 * its own (measured limits sit a few dozen bytes under the formula's).
 */
export const ENTITY_BYTES_BUDGET = MAX_ENTITY_BYTES - 4 * 1024;
export const MAX_TRANSACTION_BODY_BYTES = 4 * 1024 * 1024;
/** What this app lets one transaction body weigh: 4 MiB less a margin for the multipart framing we estimate. */
export const TRANSACTION_BODY_BUDGET = MAX_TRANSACTION_BODY_BYTES - 64 * 1024;
/** Per operation of a transaction: its multipart headers and request line, not counting the encoded keys. */
const OPERATION_FRAMING_BYTES = 1024;

/** Azure's error codes for these limits (RequestBodyTooLarge is a 413, the others 400). */
export type EntityLimitCode =
  | 'PropertyValueTooLarge'
  | 'PropertyNameTooLong'
  | 'TooManyProperties'
  | 'KeyValueTooLarge'
  | 'EntityTooLarge'
  | 'RequestBodyTooLarge';

/**
 * A write refused before it was sent because Azure would refuse it. The message names the table and the property but
 * never a value (keys may hold user names).
 */
export class EntityLimitError extends Error {
  constructor(
    readonly code: EntityLimitCode,
    readonly subject: string,
    readonly size: number,
    readonly limit: number,
  ) {
    super(`${subject}: ${size} exceeds Azure Table Storage's limit of ${limit} (${code})`);
    this.name = 'EntityLimitError';
  }
}

type Entity = Record<string, unknown>;

/** A key as sent: keys are strings (anything else is the SDK's to refuse). */
const keyOf = (entity: Entity, name: 'partitionKey' | 'rowKey'): string => {
  const key = entity[name];
  return typeof key === 'string' ? key : '';
};

/** Properties the SDK maps to PartitionKey, RowKey, the ETag and Timestamp: not custom properties. */
const SYSTEM_NAMES: ReadonlySet<string> = new Set(['partitionKey', 'rowKey', 'etag', 'timestamp']);
const EDM_FIXED_BYTES: Readonly<Record<string, number>> = { Boolean: 1, Int32: 4, Int64: 8, Double: 8, DateTime: 8, Guid: 16 };

interface ValueSize {
  /** Bytes the value adds by the formula. */
  bytes: number;
  /** Its length as the per-property limit counts it (UTF-16 units or bytes), when that limit applies. */
  length?: number;
  limit?: number;
}

function isEdmObject(value: unknown): value is { value: unknown; type: string } {
  return typeof value === 'object' && value !== null && 'value' in value && typeof (value as { type?: unknown }).type === 'string';
}

function stringSize(value: string): ValueSize {
  return { bytes: 2 * value.length + 4, length: value.length, limit: MAX_STRING_PROPERTY_CHARS };
}

function binarySize(byteLength: number): ValueSize {
  return { bytes: byteLength + 4, length: byteLength, limit: MAX_BINARY_PROPERTY_BYTES };
}

/** The formula's size of one value as the SDK sends it (numbers: Int32 when they fit, else Double). */
export function valueSize(value: unknown): ValueSize {
  if (typeof value === 'string') return stringSize(value);
  if (typeof value === 'boolean') return { bytes: 1 };
  if (typeof value === 'number') return { bytes: Number.isInteger(value) && Math.abs(value) <= 0x7fffffff ? 4 : 8 };
  if (typeof value === 'bigint' || value instanceof Date) return { bytes: 8 };
  if (value instanceof Uint8Array) return binarySize(value.byteLength);
  if (isEdmObject(value)) {
    if (value.type === 'String') return stringSize(String(value.value));
    if (value.type === 'Binary') return binarySize(Buffer.from(String(value.value), 'base64').byteLength);
    return { bytes: EDM_FIXED_BYTES[value.type] ?? 8 };
  }
  return { bytes: 0 }; // null and undefined are not stored
}

/** The entity's size by Azure's formula. */
export function entitySizeInBytes(entity: Entity): number {
  let bytes = 4 + 2 * (keyOf(entity, 'partitionKey').length + keyOf(entity, 'rowKey').length);
  for (const [name, value] of Object.entries(entity)) {
    if (SYSTEM_NAMES.has(name) || value === undefined || value === null) continue;
    bytes += 8 + 2 * name.length + valueSize(value).bytes;
  }
  return bytes;
}

/**
 * Throws EntityLimitError for the first limit the entity breaks: key length, property names, property values,
 * property count, then the whole entity against ENTITY_BYTES_BUDGET.
 */
export function assertEntityWithinLimits(entity: Entity, table: string): void {
  for (const key of ['partitionKey', 'rowKey'] as const) {
    const length = keyOf(entity, key).length;
    if (length > MAX_KEY_CHARS) throw new EntityLimitError('KeyValueTooLarge', `${table}: the ${key}`, length, MAX_KEY_CHARS);
  }
  let count = 0;
  for (const [name, value] of Object.entries(entity)) {
    if (SYSTEM_NAMES.has(name) || value === undefined || value === null) continue;
    count++;
    if (name.length > MAX_PROPERTY_NAME_CHARS) throw new EntityLimitError('PropertyNameTooLong', `${table}: a property name`, name.length, MAX_PROPERTY_NAME_CHARS);
    const size = valueSize(value);
    if (size.length !== undefined && size.limit !== undefined && size.length > size.limit) {
      throw new EntityLimitError('PropertyValueTooLarge', `${table}: property ${name}`, size.length, size.limit);
    }
  }
  if (count > MAX_CUSTOM_PROPERTIES) throw new EntityLimitError('TooManyProperties', `${table}: the entity's properties`, count, MAX_CUSTOM_PROPERTIES);
  const bytes = entitySizeInBytes(entity);
  if (bytes > ENTITY_BYTES_BUDGET) throw new EntityLimitError('EntityTooLarge', `${table}: the entity`, bytes, ENTITY_BYTES_BUDGET);
}

/** Bytes one value takes in the JSON body (UTF-8), with its type annotation when the SDK adds one. */
function jsonValueBytes(name: string, value: unknown): number {
  const nameBytes = Buffer.byteLength(JSON.stringify(name)) + 2;
  if (typeof value === 'string') return nameBytes + Buffer.byteLength(JSON.stringify(value));
  if (isEdmObject(value)) return 2 * nameBytes + 24 + Buffer.byteLength(JSON.stringify(String(value.value)));
  if (value instanceof Uint8Array) return 2 * nameBytes + 24 + Math.ceil(value.byteLength / 3) * 4 + 2;
  return 2 * nameBytes + 64; // numbers, booleans, dates, bigints (and their annotation)
}

/** An upper estimate of the bytes one operation adds to a transaction's multipart body. */
export function transactionActionBytes(action: TransactionAction): number {
  const entity = action[1] as Entity;
  // Keys appear percent-encoded in the operation's URL (at most 3 bytes per UTF-8 byte) and again in its body.
  const keyBytes = Buffer.byteLength(keyOf(entity, 'partitionKey')) + Buffer.byteLength(keyOf(entity, 'rowKey'));
  let bytes = OPERATION_FRAMING_BYTES + 3 * keyBytes;
  if (action[0] === 'delete') return bytes;
  for (const [name, value] of Object.entries(entity)) {
    if (name === 'etag' || value === undefined || value === null) continue;
    bytes += jsonValueBytes(name, value);
  }
  return bytes;
}

/** Checks every entity a transaction writes, and the estimated size of its body against TRANSACTION_BODY_BUDGET. */
export function assertTransactionWithinLimits(actions: readonly TransactionAction[], table: string): void {
  let bytes = 0;
  for (const action of actions) {
    if (action[0] !== 'delete') assertEntityWithinLimits(action[1], table);
    bytes += transactionActionBytes(action);
  }
  if (bytes > TRANSACTION_BODY_BUDGET) throw new EntityLimitError('RequestBodyTooLarge', `${table}: a transaction body`, bytes, TRANSACTION_BODY_BUDGET);
}
