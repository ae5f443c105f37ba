// Turns what an HTTP handler returned into bytes on a node:http response, the way the worker
// does it without HTTP streaming (`toRpcHttp`): wrap an HttpResponseInit in an HttpResponse, then
// read status, headers, cookies and the whole body. Nothing is written until the body is complete,
// so a failing body stream still becomes a clean 500.
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
  const response: HttpResponse = result instanceof HttpResponse ? result : new HttpResponse(result);
  const headers = new Map<string, string | string[]>();
  for (const [name, value] of response.headers) {
    if (name !== 'set-cookie' && !MANAGED_HEADERS.has(name)) headers.set(name, value);
  }
  const setCookies = [...response.headers.getSetCookie(), ...response.cookies.map(serializeCookie)];
  if (setCookies.length > 0) headers.set('set-cookie', setCookies);
  const body = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers, body };
}

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

/** Writes a buffered response unless the client has gone. Returns false when nothing could be written. */
export function writeBufferedResponse(res: ServerResponse, response: BufferedHttpResponse): boolean {
  if (res.headersSent || res.destroyed || res.writableEnded) return false;
  res.statusCode = response.status;
  for (const [name, value] of response.headers) res.setHeader(name, value);
  const hasBody = response.status !== 204 && response.status !== 304 && !(response.status >= 100 && response.status < 200);
  if (hasBody) {
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
