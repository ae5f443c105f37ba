// The multipart body of an entity-group transaction and the reading of its answer, byte for byte what
// @azure/data-tables sends and reads (its TableTransaction.ts and TablePolicies.ts): one changeset inside one batch,
// each operation an HTTP request of its own with the headers the SDK's point call would carry (x-ms-version left
// out). The SDK builds each of those by running a whole client pipeline per operation and capturing the request; here
// each is a few string concatenations. Semantics kept from the SDK: a transaction's delete is unconditional
// (If-Match: *, whatever the action carries); an update takes the etag of its options, "*" without one; the answer
// is read by the same patterns, and a failed operation is thrown as the SDK throws it (RestError with the
// operation's status, the service's error code, and its message, which starts with the operation's index).
import { RestError, type TableTransactionResponse, type TransactionAction } from '@azure/data-tables';
import { entityPath, serializeEntity } from './table-entity-serialization.js';
import type { PipelineResponse } from './table-http-client.js';

const CRLF = '\r\n';

/** The headers of the transaction request itself, for a batch boundary id. */
export function transactionHeaders(batchId: string): Record<string, string> {
  return {
    accept: 'application/json',
    'x-ms-version': '2019-02-02',
    DataServiceVersion: '3.0;',
    MaxDataServiceVersion: '3.0;NetFx',
    'Content-Type': `multipart/mixed; boundary=batch_${batchId}`,
    'Accept-Charset': 'UTF-8',
  };
}

/** The request line, headers and body of one operation, as the SDK's point call of the same action would send them. */
function operationLines(tableUrl: string, table: string, action: TransactionAction): string[] {
  const [kind, entity] = action;
  const entityUrl = `${tableUrl}/${entityPath(table, String(entity.partitionKey), String(entity.rowKey))}`;
  switch (kind) {
    case 'create':
      return [
        `POST ${tableUrl}/${encodeURIComponent(table)} HTTP/1.1`,
        'Content-Type: application/json;odata=nometadata',
        'Accept: application/json;odata=minimalmetadata',
        'DataServiceVersion: 3.0',
        'Prefer: return-no-content',
        CRLF,
        serializeEntity(entity),
      ];
    case 'delete':
      return [`DELETE ${entityUrl} HTTP/1.1`, 'Accept: application/json;odata=minimalmetadata', 'DataServiceVersion: 3.0', 'If-Match: *', CRLF];
    case 'update':
    case 'upsert': {
      const mode = action[2] ?? 'Merge';
      if (mode !== 'Merge' && mode !== 'Replace') throw new Error(`Unexpected value for update mode: ${String(mode)}`);
      const method = mode === 'Merge' ? 'PATCH' : 'PUT';
      const ifMatch = kind === 'update' ? [`If-Match: ${action[3]?.etag ?? '*'}`] : [];
      return [`${method} ${entityUrl} HTTP/1.1`, 'Content-Type: application/json', 'DataServiceVersion: 3.0', 'Accept: application/json', ...ifMatch, CRLF, serializeEntity(entity)];
    }
    default:
      throw new Error(`Unknown transaction action ${String(kind)}`);
  }
}

/**
 * The transaction's body. `tableUrl` is the table service's URL without a trailing slash (each operation names its
 * entity by absolute URL, as the SDK does).
 */
export function transactionBody(tableUrl: string, table: string, actions: readonly TransactionAction[], batchId: string, changesetId: string): string {
  const partitionKey = actions[0]?.[1].partitionKey;
  const parts = [`--batch_${batchId}${CRLF}content-type: multipart/mixed; boundary=changeset_${changesetId}${CRLF}${CRLF}`];
  const prefix = `--changeset_${changesetId}${CRLF}content-type: application/http${CRLF}content-transfer-encoding: binary`;
  for (const action of actions) {
    if (action[1].partitionKey !== partitionKey) throw new Error('All operations in a transaction must target the same partitionKey');
    parts.push([prefix, '', ...operationLines(tableUrl, table, action)].join(CRLF));
  }
  return `${parts.join(CRLF)}${CRLF}--changeset_${changesetId}--${CRLF}--batch_${batchId}--${CRLF}`;
}

/** Reads the transaction's answer: the per-operation statuses and ETags, or the SDK's RestError for a failure. */
export function parseTransactionResponse(response: PipelineResponse): TableTransactionResponse {
  const rawBody = response.bodyAsText ?? '';
  if (response.status < 200 || response.status >= 300) throw bodyError(rawBody, response.status, response);
  const parts = rawBody.split('--changesetresponse_');
  const subResponses = parts.slice(1, parts.length - 1).map((part) => {
    const status = /HTTP\/1.1 ([0-9]*)/.exec(part)?.[1];
    if (status === undefined) throw new Error(`Couldn't extract status from sub-response:\n ${part}`);
    const statusCode = Number.parseInt(status);
    if (!Number.isInteger(statusCode)) throw new Error(`Expected sub-response status to be an integer ${statusCode}`);
    const errorBody = /\{(.*)\}/.exec(part)?.[0];
    if (errorBody !== undefined) throw bodyError(errorBody, statusCode, response);
    const etag = /ETag: (.*)/.exec(part)?.[1];
    const rowKey = /RowKey='(.*)'/.exec(part)?.[1];
    return { status: statusCode, ...(rowKey !== undefined && { rowKey }), ...(etag !== undefined && { etag }) };
  });
  return { status: response.status, subResponses, getResponseForEntity: (rowKey: string) => subResponses.find((each) => each.rowKey === rowKey) };
}

function bodyError(body: string, statusCode: number, response: PipelineResponse): RestError {
  let parsed: { 'odata.error'?: { code?: string; message?: { value?: string } } } = {};
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    parsed = {};
  }
  const error = parsed?.['odata.error'];
  return new RestError(error?.message?.value ?? 'Transaction Failed', { code: error?.code, statusCode, request: response.request, response });
}
