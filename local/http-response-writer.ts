// Turns what an HTTP handler returned into bytes on a node:http response, the way the worker does
// it (`toRpcHttp`): wrap an HttpResponseInit in an HttpResponse, then read status, headers, cookies
// and the body. A body that is a stream (ReadableStream, Readable, AsyncIterable, or any HttpResponse
// instance) is sent as the worker's HTTP proxy sends it with `app.setup({ enableHttpStream: true })`
// (`sendProxyResponse`): status and headers first, then chunk by chunk as the handler's stream yields
// them (here with backpressure), so a body failing half-way cuts the response short. A body that is
// already whole (a string, the common case) is written in one piece with its Content-Length.
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import azureFunctions from '@azure/functions';
import type { Cookie } from '@azure/functions';

// `@azure/functions` is a webpack bundle: Node's ESM loader cannot see its classes as named exports.
const { HttpResponse } = azureFunctions;
type HttpResponse = InstanceType<typeof HttpResponse>;

export interface BufferedHttpResponse {
  readonly status: number;
  readonly headers: ReadonlyMap<string, string | string[]>;
  readonly body: Buffer;
}

export interface StreamedHttpResponse {
  readonly status: number;
  readonly headers: ReadonlyMap<string, string | string[]>;
  /** Pulled one chunk at a time while the response is written. */
  readonly chunks: AsyncIterable<Uint8Array>;
}

export type HostHttpResponse = BufferedHttpResponse | StreamedHttpResponse;

/** Headers we compute ourselves from the buffered body. */
const MANAGED_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive']);

export function serializeCookie(cookie: Cookie): string {
  const parts = [`${cookie.name}=${cookie.value}`];
  if (cookie.domain) parts.push(`Domain=${cookie.domain}`);
  if (cookie.path) parts.push(`Path=${cookie.path}`);
  if (cookie.expires !== undefined) parts.push(`Expires=${new Date(cookie.expires).toUTCString()}`);
  if (cookie.maxAge !== undefined) parts.push(`Max-Age=${cookie.maxAge}`);
  if (cookie.secure) parts.push('Secure');
  if (cookie.httpOnly) parts.push('HttpOnly');
  if (cookie.sameSite) parts.push(`SameSite=${cookie.sameSite}`);
  return parts.join('; ');
}

/**
 * Reads a handler result completely. `undefined`/`null` is an empty 204 (the host turns a null
 * result into a no-content response); anything that is not an object is an error, as in the worker.
 */
export async function bufferHandlerResult(result: unknown): Promise<BufferedHttpResponse> {
  const response = await readHandlerResult(result);
  if (!('chunks' in response)) return response;
  const chunks: Uint8Array[] = [];
  for await (const chunk of response.chunks) chunks.push(chunk);
  return { status: response.status, headers: response.headers, body: Buffer.concat(chunks) };
}

/** Reads a handler result: whole when its body is whole, as a stream of chunks when its body is a stream. */
export async function readHandlerResult(result: unknown): Promise<HostHttpResponse> {
  if (result === undefined || result === null) {
    return { status: 204, headers: new Map(), body: Buffer.alloc(0) };
  }
  if (typeof result !== 'object') {
    throw new TypeError(
      'The HTTP response must be an object with optional properties "body", "status", "headers", and "cookies".',
    );
  }
  const plain = plainTextResponse(result);
  if (plain !== undefined) return plain;
  const streamed = result instanceof HttpResponse || isStreamBody((result as { body?: unknown }).body);
  const response: HttpResponse = result instanceof HttpResponse ? result : new HttpResponse(result);
  const headers = new Map<string, string | string[]>();
  for (const [name, value] of response.headers) {
    if (name !== 'set-cookie' && !MANAGED_HEADERS.has(name)) headers.set(name, value);
  }
  const setCookies = [...response.headers.getSetCookie(), ...response.cookies.map(serializeCookie)];
  if (setCookies.length > 0) headers.set('set-cookie', setCookies);
  if (streamed) return { status: response.status, headers, chunks: response.body ?? emptyChunks() };
  const body = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers, body };
}

/** ReadableStream, Readable and every other AsyncIterable (strings, bytes, Blob, FormData and URLSearchParams are whole). */
function isStreamBody(body: unknown): boolean {
  return typeof body === 'object' && body !== null && Symbol.asyncIterator in body;
}

async function* emptyChunks(): AsyncGenerator<Uint8Array> {}

/**
 * The common case without the cost of an HttpResponse (a fetch Response underneath, ~40 µs): a plain init object
 * whose body is absent or a string and whose headers are a plain record, with no cookies. Gives exactly what
 * HttpResponse would: lower-cased header names and, for a string body without a content type, text/plain.
 */
function plainTextResponse(result: object): BufferedHttpResponse | undefined {
  if (result instanceof HttpResponse) return undefined;
  const init = result as { status?: unknown; headers?: unknown; body?: unknown; jsonBody?: unknown; cookies?: unknown; enableContentNegotiation?: unknown };
  const onlyKnownKeys = Object.keys(init).every((key) => key === 'status' || key === 'headers' || key === 'body');
  const headersArePlain = init.headers === undefined || (typeof init.headers === 'object' && init.headers !== null && Object.getPrototypeOf(init.headers) === Object.prototype);
  if (!onlyKnownKeys || !headersArePlain || (init.body !== undefined && typeof init.body !== 'string')) return undefined;
  if (init.status !== undefined && typeof init.status !== 'number') return undefined;
  const headers = new Map<string, string | string[]>();
  for (const [name, value] of Object.entries((init.headers ?? {}) as Record<string, unknown>)) {
    const lower = name.toLowerCase();
    if (typeof value !== 'string' || lower === 'set-cookie') return undefined;
    if (!MANAGED_HEADERS.has(lower)) headers.set(lower, value);
  }
  if (typeof init.body === 'string' && !headers.has('content-type')) headers.set('content-type', 'text/plain;charset=UTF-8');
  return { status: init.status ?? 200, headers, body: Buffer.from(typeof init.body === 'string' ? init.body : '', 'utf8') };
}

function statusHasBody(status: number): boolean {
  return status !== 204 && status !== 304 && !(status >= 100 && status < 200);
}

/** Writes a buffered response unless the client has gone. Returns false when nothing could be written. */
export function writeBufferedResponse(res: ServerResponse, response: BufferedHttpResponse): boolean {
  if (res.headersSent || res.destroyed || res.writableEnded) return false;
  res.statusCode = response.status;
  for (const [name, value] of response.headers) res.setHeader(name, value);
  if (statusHasBody(response.status)) {
    res.setHeader('content-length', response.body.length);
    res.end(response.body);
  } else {
    res.end();
  }
  return true;
}

/** An empty response such as Azure's 401, 404, 413 and 500. */
export function writeEmptyResponse(res: ServerResponse, status: number): boolean {
  return writeBufferedResponse(res, { status, headers: new Map(), body: Buffer.alloc(0) });
}

export interface StreamedWriteOutcome {
  /** What the client got: the handler's status, or 500 when the body failed before its first byte. */
  readonly status: number;
  /** False when the client left before the end, or the body failed. */
  readonly written: boolean;
  /** The body's failure, when it failed. */
  readonly error?: unknown;
}

/**
 * Writes status and headers, then each chunk as the body yields it, waiting for the socket to drain between chunks.
 * A client that leaves cancels the body. A body that fails before its first chunk becomes an empty 500 (nothing was
 * sent yet); one that fails later leaves the response cut short (the connection closes without the last chunk, as
 * with a broken proxy response).
 */
export async function writeStreamedResponse(res: ServerResponse, response: StreamedHttpResponse): Promise<StreamedWriteOutcome> {
  const iterator = response.chunks[Symbol.asyncIterator]();
  const cancel = async () => {
    await iterator.return?.();
  };
  if (res.headersSent || res.destroyed || res.writableEnded) {
    await cancel();
    return { status: response.status, written: false };
  }
  res.statusCode = response.status;
  for (const [name, value] of response.headers) res.setHeader(name, value);
  if (!statusHasBody(response.status)) {
    await cancel();
    res.end();
    return { status: response.status, written: true };
  }
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) break;
      if (res.destroyed) {
        await cancel();
        return { status: response.status, written: false };
      }
      if (!res.write(next.value)) await drainedOrClosed(res);
    }
  } catch (error) {
    if (res.headersSent) {
      // What was written is flushed, then the connection closes without the last chunk: the client sees a truncated
      // body, never a complete one.
      if (res.socket === null) res.destroy();
      else res.socket.end();
      return { status: response.status, written: false, error };
    }
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    return { status: 500, written: writeEmptyResponse(res, 500), error };
  }
  if (res.destroyed) return { status: response.status, written: false };
  res.end();
  return { status: response.status, written: true };
}

async function drainedOrClosed(res: ServerResponse): Promise<void> {
  const gone = new AbortController();
  await Promise.race([once(res, 'drain', { signal: gone.signal }), once(res, 'close', { signal: gone.signal })]).finally(() => gone.abort());
}
