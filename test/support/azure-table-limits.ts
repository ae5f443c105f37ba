// Azure Table Storage's size limits as the service applies them to requests on the wire, for the strict storage proxy:
// Azurite (which the tests run on) enforces the 32,768-character string limit and 512-character keys, but not the
// 252-property limit, and the 1 MiB entity limit only on single updates and merges, measured in UTF-8 rather than by
// Azure's formula (see docs/operations.md). Written from Azure's documentation, independently of the product's own
// guard (shared/storage/entity-limits.ts), so a write the guard lets through that Azure would refuse fails a test:
//   - "Understanding the Table service data model": 255 properties with PartitionKey, RowKey and Timestamp; 1 MiB per
//     entity; String up to 64 KiB of UTF-16, Binary up to 64 KiB; keys up to 1 KiB; property names up to 255.
//   - entity size = 4 + 2 × len(PartitionKey + RowKey) + Σ (8 + 2 × len(name) + value), where a value is 2 × len + 4
//     (String), len + 4 (Binary), 4 (Int32), 8 (Int64, Double, DateTime), 16 (Guid), 1 (Boolean).
//   - "Querying tables and entities": a $filter may hold at most 15 discrete comparisons (the documentation gives no
//     error code for it; InvalidInput, Azure's code for a malformed query, stands in).
//   - "Performing entity group transactions": a failed operation fails the change set with its status and an error
//     whose message starts with the operation's 0-based index; a body over 4 MiB is refused as a whole (413).
import { randomUUID } from 'node:crypto';

export interface AzureRefusal {
  status: number;
  code: string;
  message: string;
}

const LIMITS = {
  stringChars: 32_768,
  binaryBytes: 65_536,
  customProperties: 252,
  propertyNameChars: 255,
  keyChars: 512,
  entityBytes: 1_048_576,
  batchBodyBytes: 4 * 1_048_576,
  filterComparisons: 15,
};

const FIXED_SIZES: Readonly<Record<string, number>> = {
  'Edm.Boolean': 1,
  'Edm.Int32': 4,
  'Edm.Int64': 8,
  'Edm.Double': 8,
  'Edm.DateTime': 8,
  'Edm.Guid': 16,
};

const refusal = (code: string, message: string, status = 400): AzureRefusal => ({ status, code, message });

/** The keys an entity URL names: `table(PartitionKey='a',RowKey='b')`, quotes doubled, percent-encoded. */
function keysInUrl(url: string): { PartitionKey?: string; RowKey?: string } {
  let path = url.split('?')[0] ?? '';
  try {
    path = decodeURIComponent(path);
  } catch {
    // left encoded: Azure would refuse the URL for its own reasons
  }
  const match = /\(PartitionKey='((?:[^']|'')*)',RowKey='((?:[^']|'')*)'\)/.exec(path);
  if (match === null) return {};
  return { PartitionKey: (match[1] ?? '').replace(/''/g, "'"), RowKey: (match[2] ?? '').replace(/''/g, "'") };
}

function typeOf(entity: Record<string, unknown>, name: string): string {
  const annotated = entity[`${name}@odata.type`];
  if (typeof annotated === 'string') return annotated;
  const value = entity[name];
  if (typeof value === 'boolean') return 'Edm.Boolean';
  if (typeof value === 'number') return Number.isInteger(value) && Math.abs(value) <= 0x7fffffff ? 'Edm.Int32' : 'Edm.Double';
  return 'Edm.String';
}

/** What Azure answers to writing this entity (JSON as sent, keys from the URL when the body lacks them). */
export function entityRefusal(entity: Record<string, unknown>, url: string): AzureRefusal | undefined {
  const keys = { ...keysInUrl(url), ...entity } as { PartitionKey?: unknown; RowKey?: unknown };
  const partitionKey = typeof keys.PartitionKey === 'string' ? keys.PartitionKey : '';
  const rowKey = typeof keys.RowKey === 'string' ? keys.RowKey : '';
  if (partitionKey.length > LIMITS.keyChars || rowKey.length > LIMITS.keyChars) {
    return refusal('KeyValueTooLarge', 'The key value is larger than the maximum size permitted.');
  }
  const names = Object.keys(entity).filter((name) => !['PartitionKey', 'RowKey', 'Timestamp'].includes(name) && !name.startsWith('odata.') && !name.includes('@odata.'));
  if (names.length > LIMITS.customProperties) return refusal('TooManyProperties', 'The entity contains more properties than allowed.');
  let size = 4 + 2 * (partitionKey.length + rowKey.length);
  for (const name of names) {
    if (name.length > LIMITS.propertyNameChars) return refusal('PropertyNameTooLong', 'The property name exceeds the maximum allowed length.');
    const type = typeOf(entity, name);
    const value = entity[name];
    let valueSize: number;
    if (type === 'Edm.String') {
      const text = String(value);
      if (text.length > LIMITS.stringChars) return refusal('PropertyValueTooLarge', 'The property value is larger than the maximum size permitted.');
      valueSize = 2 * text.length + 4;
    } else if (type === 'Edm.Binary') {
      const bytes = Buffer.from(String(value), 'base64').length;
      if (bytes > LIMITS.binaryBytes) return refusal('PropertyValueTooLarge', 'The property value is larger than the maximum size permitted.');
      valueSize = bytes + 4;
    } else {
      valueSize = FIXED_SIZES[type] ?? 8;
    }
    size += 8 + 2 * name.length + valueSize;
  }
  if (size > LIMITS.entityBytes) return refusal('EntityTooLarge', 'The entity is larger than the maximum size permitted.');
  return undefined;
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  if (text.trim() === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The operations of an entity-group transaction body: each one's request line URL and JSON body. */
export function batchOperations(body: string): { method: string; url: string; entity?: Record<string, unknown> }[] {
  const boundary = /boundary=(changeset_[^\s;]+)/.exec(body)?.[1];
  if (boundary === undefined) return [];
  return body
    .split(`--${boundary}`)
    .slice(1)
    .flatMap((part) => {
      const requestLine = /^(GET|POST|PUT|PATCH|MERGE|DELETE) (\S+) HTTP\/1\.1\r?$/m.exec(part);
      if (requestLine === null) return [];
      const afterLine = part.slice(requestLine.index + requestLine[0].length);
      const headerEnd = afterLine.search(/\r?\n\r?\n/);
      const entity = headerEnd < 0 ? undefined : parseJsonObject(afterLine.slice(headerEnd));
      return [{ method: requestLine[1] ?? '', url: requestLine[2] ?? '', ...(entity === undefined ? {} : { entity }) }];
    });
}

export interface LimitViolation {
  refusal: AzureRefusal;
  /** For a transaction, the 0-based index of the refused operation; undefined when the whole request is refused. */
  operationIndex?: number;
}

/** What Azure would refuse in this request for its size, or undefined. */
export function limitViolation(method: string, url: string, body: Buffer): LimitViolation | undefined {
  const path = url.split('?')[0] ?? '';
  if (path.endsWith('/$batch')) {
    if (body.length > LIMITS.batchBodyBytes) {
      return { refusal: refusal('RequestBodyTooLarge', 'The request body is too large and exceeds the maximum permissible limit.', 413) };
    }
    const operations = batchOperations(body.toString('utf8'));
    for (const [index, operation] of operations.entries()) {
      const refused = operation.entity === undefined ? undefined : entityRefusal(operation.entity, operation.url);
      if (refused !== undefined) return { refusal: refused, operationIndex: index };
    }
    return undefined;
  }
  if (method === 'GET') return queryViolation(url);
  if (!['POST', 'PUT', 'PATCH', 'MERGE'].includes(method) || /\/Tables(\(|$)/.test(path)) return undefined;
  const entity = parseJsonObject(body.toString('utf8'));
  if (entity === undefined) return undefined;
  const refused = entityRefusal(entity, url);
  return refused === undefined ? undefined : { refusal: refused };
}

/** A query whose $filter holds more comparisons than Azure allows. */
function queryViolation(url: string): LimitViolation | undefined {
  const filter = new URL(url, 'http://storage').searchParams.get('$filter');
  if (filter === null) return undefined;
  // Comparison operators outside string literals ('' is a quote inside a literal).
  const comparisons = filter.replace(/'(?:[^']|'')*'/g, "''").match(/\s(eq|ne|gt|ge|lt|le)\s/g)?.length ?? 0;
  if (comparisons <= LIMITS.filterComparisons) return undefined;
  return { refusal: refusal('InvalidInput', `The filter holds ${comparisons} comparisons; at most ${LIMITS.filterComparisons} are allowed.`) };
}

function odataError(code: string, message: string): string {
  const value = `${message}\nRequestId:${randomUUID()}\nTime:${new Date().toISOString()}`;
  return JSON.stringify({ 'odata.error': { code, message: { lang: 'en-US', value } } });
}

export interface ProxyAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The response Azure sends for the violation: an OData JSON error, or for a transaction a failed change set. */
export function refusalResponse(violation: LimitViolation): ProxyAnswer {
  const { refusal: refused, operationIndex } = violation;
  const common = { 'x-ms-request-id': randomUUID(), 'x-ms-version': '2019-02-02', 'cache-control': 'no-cache' };
  if (operationIndex === undefined) {
    return {
      status: refused.status,
      headers: { ...common, 'content-type': 'application/json;odata=minimalmetadata;streaming=true;charset=utf-8', 'x-ms-error-code': refused.code },
      body: odataError(refused.code, refused.message),
    };
  }
  const batch = `batchresponse_${randomUUID()}`;
  const changeset = `changesetresponse_${randomUUID()}`;
  const body = [
    `--${batch}`,
    `Content-Type: multipart/mixed; boundary=${changeset}`,
    '',
    `--${changeset}`,
    'Content-Type: application/http',
    'Content-Transfer-Encoding: binary',
    '',
    `HTTP/1.1 ${refused.status} Bad Request`,
    `Content-ID: ${operationIndex + 1}`,
    'X-Content-Type-Options: nosniff',
    'Cache-Control: no-cache',
    'DataServiceVersion: 3.0;',
    'Content-Type: application/json;odata=minimalmetadata;streaming=true;charset=utf-8',
    '',
    odataError(refused.code, `${operationIndex}:${refused.message}`),
    `--${changeset}--`,
    `--${batch}--`,
    '',
  ].join('\r\n');
  return { status: 202, headers: { ...common, 'content-type': `multipart/mixed; boundary=${batch}` }, body };
}
