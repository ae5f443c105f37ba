// Turns a node:http request into the `HttpRequest` of `@azure/functions`, as the Functions host
// hands it to the worker: full URL, headers, query (form-decoded, so `+` is a space), route
// params, and the body as bytes (bounded like Azure's 100 MB request limit).
import type { IncomingMessage } from 'node:http';
import azureFunctions from '@azure/functions';

// `@azure/functions` is a webpack bundle: Node's ESM loader cannot see its classes as named exports.
const { HttpRequest } = azureFunctions;
type HttpRequest = InstanceType<typeof HttpRequest>;

/** Azure's default `FUNCTIONS_REQUEST_BODY_SIZE_LIMIT` (100 MB). */
export const DEFAULT_MAX_REQUEST_BODY_IN_BYTES = 104_857_600;

export class RequestBodyTooLargeError extends Error {
  constructor(readonly limitInBytes: number) {
    super(`The request body exceeds ${limitInBytes} bytes.`);
    this.name = 'RequestBodyTooLargeError';
  }
}

/** Reads the whole body; rejects with RequestBodyTooLargeError past the limit, or the stream error on a client abort. */
export async function readRequestBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw new RequestBodyTooLargeError(maxBytes);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) throw new RequestBodyTooLargeError(maxBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

/** Header values joined as Node and ASP.NET present them (`cookie` with `; `, others with `, `). */
export function toHeaderRecord(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(request.headersDistinct)) {
    if (values === undefined) continue;
    headers[name] = values.join(name === 'cookie' ? '; ' : ', ');
  }
  return headers;
}

/** The query as the host passes it: one value per key (repeated keys joined with `,`), form-decoded. */
export function toQueryRecord(searchParams: URLSearchParams): Record<string, string> {
  const query: Record<string, string> = {};
  for (const key of new Set(searchParams.keys())) {
    query[key] = searchParams.getAll(key).join(',');
  }
  return query;
}

export interface FunctionsHttpRequestInit {
  readonly method: string;
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly params: Record<string, string>;
  readonly body: Buffer;
}

export function createFunctionsHttpRequest(init: FunctionsHttpRequestInit): HttpRequest {
  const method = init.method.toUpperCase();
  const canHaveBody = method !== 'GET' && method !== 'HEAD' && init.body.length > 0;
  return new HttpRequest({
    method,
    url: init.url.href,
    headers: init.headers,
    query: toQueryRecord(init.url.searchParams),
    params: init.params,
    body: canHaveBody ? { bytes: init.body } : undefined,
  });
}
