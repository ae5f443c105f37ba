// A TableClient whose point calls and entity-group transactions skip the SDK's per-call machinery: the operation-spec
// serialiser and deserialiser of @azure/core-client, a tracing span per method, a second client and pipeline per
// transaction that signs and captures every operation. Measured in docs/performance.md ("A lean storage call path").
//
// What stays the SDK's: the pipeline policies that give a call its meaning (retry with the SDK's strategies and
// counts, the bearer-token policy of a TokenCredential with its token cache, client request id, user agent, proxy,
// logging) run on every lean request, taken from this client's own `pipeline`, so a policy added to it later (tests do:
// test/support/fault-proxy.ts) applies to lean calls as it does to the SDK's; Shared Key Lite is signed by
// shared-key-lite.ts in the SDK policy's place. Requests, bodies, answers and errors are the SDK's: the same URLs and
// headers, entity JSON with the same type annotations (table-entity-serialization.ts), the same multipart
// transaction (table-transaction-body.ts), the same return shapes ({ etag, ... }; subResponses) and RestErrors with the
// same statusCode, `details.errorCode` and transaction messages (storage-errors.ts classifies them unchanged).
// Everything else (listEntities, createTable, deleteTable, access policies) is the SDK's, and so is any call whose
// options ask for more than an ETag or an abort signal (select, type conversion off, onResponse).
import { randomUUID } from 'node:crypto';
import {
  AzureNamedKeyCredential,
  type CreateTableEntityResponse,
  type DeleteTableEntityOptions,
  type DeleteTableEntityResponse,
  type GetTableEntityOptions,
  type GetTableEntityResponse,
  RestError,
  TableClient,
  type TableEntity,
  type TableEntityResult,
  type TableServiceClientOptions,
  type TableTransactionResponse,
  type TransactionAction,
  type UpdateEntityResponse,
  type UpdateMode,
  type UpdateTableEntityOptions,
  type UpsertEntityResponse,
} from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import { type AccountKey, sharedKeyLitePolicy } from './shared-key-lite.js';
import { deserializeEntity, entityPath, serializeEntity } from './table-entity-serialization.js';
import { createTableRequest, type PipelinePolicy, type PipelineRequest, type PipelineResponse, type SendRequest, TableHttpClient, type TableHttpSender } from './table-http-client.js';
import { parseTransactionResponse, transactionBody, transactionHeaders } from './table-transaction-body.js';

/** How the client authenticates: an account key (Shared Key Lite) or a token credential (bearer token). */
export type LeanTableAuthentication = AccountKey | TokenCredential;

export interface LeanTableClientOptions extends TableServiceClientOptions {
  /** The HTTP client of the lean calls (default: one shared by every lean client of the process). */
  httpClient?: TableHttpSender;
}

/**
 * Policies of the client's pipeline that lean calls leave out: the operation-spec (de)serialisation of core-client
 * (lean calls serialise and parse themselves), response decompression (lean calls ask for none), and those that have
 * nothing to do for a Table Storage request (redirects, form data, multipart bodies).
 */
export const LEAN_CALL_SKIPS: ReadonlySet<string> = new Set([
  'serializationPolicy',
  'deserializationPolicy',
  'decompressResponsePolicy',
  'redirectPolicy',
  'formDataPolicy',
  'multipartPolicy',
]);
/** The SDK's Shared Key policy, whose place the lean signer takes (shared-key-lite.ts). */
const SDK_SHARED_KEY_POLICY = 'tablesNamedKeyCredentialPolicy';

const POINT_HEADERS = { accept: 'application/json;odata=minimalmetadata', 'x-ms-version': '2019-02-02', dataserviceversion: '3.0' };
const WRITE_HEADERS = { 'content-type': 'application/json', 'x-ms-version': '2019-02-02', dataserviceversion: '3.0', accept: 'application/json' };
const CREATE_HEADERS = { 'content-type': 'application/json;odata=nometadata', ...POINT_HEADERS, prefer: 'return-no-content' };

let sharedHttpClient: TableHttpClient | undefined;

const isAccountKey = (auth: LeanTableAuthentication): auth is AccountKey => 'accountKey' in auth;

/** Options a lean call understands; anything else sends the call through the SDK. */
function onlyLeanOptions(options: object | undefined, ...understood: string[]): boolean {
  if (options === undefined) return true;
  for (const key of Object.keys(options)) {
    if (key !== 'abortSignal' && !understood.includes(key) && (options as Record<string, unknown>)[key] !== undefined) return false;
  }
  return true;
}

function checkKeys(partitionKey: unknown, rowKey: unknown): void {
  if (partitionKey === undefined || partitionKey === null) throw new Error("The entity's partitionKey cannot be undefined or null.");
  if (rowKey === undefined || rowKey === null) throw new Error("The entity's rowKey cannot be undefined or null.");
}

/** The error core-client throws for a failed point call: the body as message, the error code and headers in details. */
function pointCallError(response: PipelineResponse): RestError {
  const error = new RestError(response.bodyAsText ?? '', { statusCode: response.status, request: response.request, response });
  const headers = response.headers.toJSON();
  const { 'x-ms-error-code': errorCode, ...otherHeaders } = headers;
  let odataError: unknown;
  try {
    odataError = (JSON.parse(response.bodyAsText ?? '') as { 'odata.error'?: unknown } | null)?.['odata.error'];
  } catch {
    odataError = undefined;
  }
  error.details = { ...(errorCode === undefined ? {} : { errorCode }), ...otherHeaders, ...(odataError === undefined ? {} : { odataError }) };
  return error;
}

/** The response headers the SDK returns from a write ({ etag, date, ... }). */
function writeResult(response: PipelineResponse): UpdateEntityResponse & CreateTableEntityResponse & DeleteTableEntityResponse {
  const date = response.headers.get('date');
  return {
    clientRequestId: response.headers.get('x-ms-client-request-id'),
    requestId: response.headers.get('x-ms-request-id'),
    version: response.headers.get('x-ms-version'),
    date: date === undefined ? undefined : new Date(date),
    etag: response.headers.get('etag'),
  };
}

export class LeanTableClient extends TableClient {
  /** The table service URL without a trailing slash; undefined when lean calls cannot be made (a SAS in the URL). */
  private readonly serviceUrl: string | undefined;
  private readonly signer: PipelinePolicy | undefined;
  private readonly http: TableHttpSender;
  private readonly insecureAllowed: boolean;
  private chain: { policies: readonly PipelinePolicy[]; send: SendRequest } | undefined;

  constructor(url: string, tableName: string, auth: LeanTableAuthentication, options: LeanTableClientOptions = {}) {
    const { httpClient, ...clientOptions } = options;
    if (isAccountKey(auth)) super(url, tableName, new AzureNamedKeyCredential(auth.accountName, auth.accountKey), clientOptions);
    else super(url, tableName, auth, clientOptions);
    this.serviceUrl = url.includes('?') ? undefined : url.replace(/\/+$/, '');
    this.signer = isAccountKey(auth) ? sharedKeyLitePolicy(auth) : undefined;
    this.http = httpClient ?? (sharedHttpClient ??= new TableHttpClient());
    this.insecureAllowed = clientOptions.allowInsecureConnection === true;
  }

  override async getEntity<T extends object = Record<string, unknown>>(partitionKey: string, rowKey: string, options?: GetTableEntityOptions): Promise<GetTableEntityResponse<TableEntityResult<T>>> {
    if (this.serviceUrl === undefined || !onlyLeanOptions(options)) return super.getEntity<T>(partitionKey, rowKey, options);
    checkKeys(partitionKey, rowKey);
    const response = await this.call('GET', entityPath(this.tableName, partitionKey, rowKey), POINT_HEADERS, undefined, options?.abortSignal);
    return deserializeEntity<GetTableEntityResponse<TableEntityResult<T>>>(JSON.parse(response.bodyAsText ?? '') as Record<string, unknown>);
  }

  override async createEntity<T extends object>(entity: TableEntity<T>, options?: Parameters<TableClient['createEntity']>[1]): Promise<CreateTableEntityResponse> {
    if (this.serviceUrl === undefined || !onlyLeanOptions(options)) return super.createEntity(entity, options);
    return writeResult(await this.call('POST', encodeURIComponent(this.tableName), CREATE_HEADERS, serializeEntity(entity), options?.abortSignal));
  }

  override async updateEntity<T extends object>(entity: TableEntity<T>, mode: UpdateMode = 'Merge', options?: UpdateTableEntityOptions): Promise<UpdateEntityResponse> {
    if (this.serviceUrl === undefined || !onlyLeanOptions(options, 'etag')) return super.updateEntity(entity, mode, options);
    checkKeys(entity.partitionKey, entity.rowKey);
    return writeResult(await this.write(entity, mode, options?.etag ?? '*', options?.abortSignal));
  }

  override async upsertEntity<T extends object>(entity: TableEntity<T>, mode: UpdateMode = 'Merge', options?: Parameters<TableClient['upsertEntity']>[2]): Promise<UpsertEntityResponse> {
    if (this.serviceUrl === undefined || !onlyLeanOptions(options)) return super.upsertEntity(entity, mode, options);
    checkKeys(entity.partitionKey, entity.rowKey);
    return writeResult(await this.write(entity, mode, undefined, options?.abortSignal));
  }

  override async deleteEntity(partitionKey: string, rowKey: string, options?: DeleteTableEntityOptions): Promise<DeleteTableEntityResponse> {
    if (this.serviceUrl === undefined || !onlyLeanOptions(options, 'etag')) return super.deleteEntity(partitionKey, rowKey, options);
    checkKeys(partitionKey, rowKey);
    const headers = { ...POINT_HEADERS, 'if-match': options?.etag ?? '*' };
    const { etag: _none, ...result } = writeResult(await this.call('DELETE', entityPath(this.tableName, partitionKey, rowKey), headers, undefined, options?.abortSignal));
    return result;
  }

  override async submitTransaction(actions: TransactionAction[], options?: Parameters<TableClient['submitTransaction']>[1]): Promise<TableTransactionResponse> {
    if (this.serviceUrl === undefined || actions.length === 0 || !onlyLeanOptions(options)) return super.submitTransaction(actions, options);
    const batchId = randomUUID();
    const body = transactionBody(this.serviceUrl, this.tableName, actions, batchId, randomUUID());
    const request = createTableRequest(`${this.serviceUrl}/$batch`, 'POST', transactionHeaders(batchId), body, this.insecureAllowed);
    if (options?.abortSignal !== undefined) request.abortSignal = options.abortSignal;
    return parseTransactionResponse(await this.send(request));
  }

  /** An update or upsert: PATCH for Merge, PUT for Replace; If-Match only for an update. */
  private write(entity: TableEntity<object>, mode: UpdateMode, ifMatch: string | undefined, abortSignal: PipelineRequest['abortSignal']): Promise<PipelineResponse> {
    if (mode !== 'Merge' && mode !== 'Replace') throw new Error(`Unexpected value for update mode: ${String(mode)}`);
    const headers = ifMatch === undefined ? WRITE_HEADERS : { ...WRITE_HEADERS, 'if-match': ifMatch };
    return this.call(mode === 'Merge' ? 'PATCH' : 'PUT', entityPath(this.tableName, String(entity.partitionKey), String(entity.rowKey)), headers, serializeEntity(entity), abortSignal);
  }

  /** One point call: the request through the lean chain; a status outside 2xx is thrown as core-client throws it. */
  private async call(method: PipelineRequest['method'], path: string, headers: Record<string, string>, body: string | undefined, abortSignal: PipelineRequest['abortSignal']): Promise<PipelineResponse> {
    const request = createTableRequest(`${this.serviceUrl as string}/${path}`, method, headers, body, this.insecureAllowed);
    if (abortSignal !== undefined) request.abortSignal = abortSignal;
    const response = await this.send(request);
    if (response.status < 200 || response.status >= 300) throw pointCallError(response);
    return response;
  }

  /**
   * Sends through this client's pipeline policies less LEAN_CALL_SKIPS, the lean signer in the SDK signer's place,
   * and the lean HTTP client at the end. The composed chain is kept until the pipeline changes (the pipeline keeps
   * its ordered list until a policy is added or removed, so a new list means a changed pipeline).
   */
  private send(request: PipelineRequest): Promise<PipelineResponse> {
    const policies = this.pipeline.getOrderedPolicies();
    if (this.chain?.policies !== policies) {
      const kept = policies.flatMap((policy) => {
        if (LEAN_CALL_SKIPS.has(policy.name)) return [];
        if (policy.name === SDK_SHARED_KEY_POLICY && this.signer !== undefined) return [this.signer];
        return [policy];
      });
      const send = kept.reduceRight<SendRequest>((next, policy) => (each) => policy.sendRequest(each, next), (each) => this.http.sendRequest(each));
      this.chain = { policies, send };
    }
    return this.chain.send(request);
  }
}
