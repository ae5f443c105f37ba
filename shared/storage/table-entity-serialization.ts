// Entities to and from Table Storage's JSON, as @azure/data-tables does it (its serialization.ts), so a row written or
// read by the lean client (lean-table-client.ts) is the row the SDK would write or return:
// - partitionKey, rowKey, etag, timestamp are PartitionKey, RowKey, odata.etag, Timestamp on the wire;
// - a bigint is an Int64, a Date a DateTime, a Uint8Array a Binary (base64), each with its "@odata.type" annotation;
//   `{ type, value }` objects carry their own Edm type (Guid, Int64, Double, ...); strings, numbers and booleans go
//   bare (the service takes an integer as Int32, any other number as Double);
// - on the way back an annotated Int64 is a bigint, a DateTime a Date, a Binary a Buffer, a Guid a `{ type, value }`
//   object; Timestamp stays the string the service sent; odata.metadata is kept as the SDK keeps it.
import type { TableEntity } from '@azure/data-tables';

const EDM_TYPES = new Set(['Binary', 'Boolean', 'DateTime', 'Double', 'Guid', 'Int32', 'Int64', 'String']);
const TO_WIRE: Record<string, string> = { partitionKey: 'PartitionKey', rowKey: 'RowKey', etag: 'odata.etag', timestamp: 'Timestamp' };
const FROM_WIRE = new Map([
  ['PartitionKey', 'partitionKey'],
  ['RowKey', 'rowKey'],
  ['odata.etag', 'etag'],
  ['Timestamp', 'timestamp'],
]);
const TYPE_SUFFIX = '@odata.type';

/** The entity's JSON body (what the SDK sends for a create, an update, an upsert or a transaction operation). */
export function serializeEntity(entity: TableEntity<object>): string {
  const wire: Record<string, unknown> = {};
  for (const name of Object.keys(entity)) {
    const value = (entity as Record<string, unknown>)[name];
    const key = Object.hasOwn(TO_WIRE, name) ? (TO_WIRE[name] as string) : name;
    if (value === undefined || value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      wire[key] = value;
    } else if (typeof value === 'bigint') {
      wire[key] = value.toString();
      wire[key + TYPE_SUFFIX] = 'Edm.Int64';
    } else if (value instanceof Date) {
      wire[key] = value;
      wire[key + TYPE_SUFFIX] = 'Edm.DateTime';
    } else if (value instanceof Uint8Array) {
      wire[key] = (value instanceof Buffer ? value : Buffer.from(value.buffer)).toString('base64');
      wire[key + TYPE_SUFFIX] = 'Edm.Binary';
    } else {
      const typed = value as { type?: unknown; value?: unknown };
      if (typeof value !== 'object' || typed.value === undefined || typeof typed.type !== 'string' || !EDM_TYPES.has(typed.type)) {
        throw new Error(`Unknown EDM type ${typeof (typed.value ?? value)}`);
      }
      wire[key] = typed.value;
      wire[key + TYPE_SUFFIX] = `Edm.${typed.type}`;
    }
  }
  return JSON.stringify(wire);
}

/** An entity as the service returned it (parsed JSON), in the shape TableClient.getEntity returns. */
export function deserializeEntity<T extends object>(wire: Record<string, unknown>): T {
  const entity: Record<string, unknown> = {};
  for (const key of Object.keys(wire)) {
    if (key.includes(TYPE_SUFFIX)) continue;
    const value = wire[key];
    const type = wire[key + TYPE_SUFFIX];
    entity[FROM_WIRE.get(key) ?? key] = type === undefined ? value : typedValue(value, type);
  }
  return entity as T;
}

function typedValue(value: unknown, type: unknown): unknown {
  switch (type) {
    case 'Edm.Boolean':
    case 'Edm.Double':
    case 'Edm.Int32':
    case 'Edm.String':
      return value;
    case 'Edm.DateTime':
      return new Date(value as string);
    case 'Edm.Int64':
      return BigInt(value as string);
    case 'Edm.Guid':
      return { value, type: 'Guid' };
    case 'Edm.Binary':
      return Buffer.from(value as string, 'base64');
    default:
      throw new Error(`Unknown EDM type ${String(type)}`);
  }
}

/** The URL path segment of one entity: `<table>(PartitionKey='<pk>',RowKey='<rk>')`, quotes doubled, then encoded. */
export function entityPath(table: string, partitionKey: string, rowKey: string): string {
  return `${encodeURIComponent(table)}(PartitionKey='${encodeURIComponent(partitionKey.replace(/'/g, "''"))}',RowKey='${encodeURIComponent(rowKey.replace(/'/g, "''"))}')`;
}
