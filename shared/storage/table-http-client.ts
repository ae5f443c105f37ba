// The HTTP end of the lean storage call path (lean-table-client.ts): a request object the SDK's pipeline policies
// accept, and an HTTP client over Node's http/https with one keep-alive agent per protocol. It fails the way the SDK's
// own Node client fails (a RestError carrying the socket error's code, an AbortError when the request's signal fires,
// a refusal of plain http unless allowed), because the SDK's retry policy decides what to retry by those shapes and
// the tests' fault proxy checks them. What it leaves out is what a Table Storage call never needs: response
// decompression (we send no Accept-Encoding), progress callbacks, streamed bodies, a URL parse per request.
import { randomUUID } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { RestError, type TableClient } from '@azure/data-tables';

// The pipeline types, taken from the client so that this module needs no dependency of its own on the SDK's core.
export type Pipeline = TableClient['pipeline'];
export type PipelinePolicy = ReturnType<Pipeline['getOrderedPolicies']>[number];
export type PipelineRequest = Parameters<PipelinePolicy['sendRequest']>[0];
export type PipelineResponse = Awaited<ReturnType<PipelinePolicy['sendRequest']>>;
export type HttpHeaders = PipelineRequest['headers'];
export type SendRequest = (request: PipelineRequest) => Promise<PipelineResponse>;

/** What sends a request at the end of the lean chain: TableHttpClient, or a test's stand-in. */
export interface TableHttpSender {
  sendRequest: SendRequest;
}

/** Thrown when the request's abort signal fires: the SDK's name for it, which its retry policy never retries. */
export class AbortError extends Error {
  constructor(message = 'The operation was aborted.') {
    super(message);
    this.name = 'AbortError';
  }
}

/** Request headers as the SDK keeps them: looked up case-insensitively, sent with the case they were set in. */
class RequestHeaders implements HttpHeaders {
  private readonly map = new Map<string, { name: string; value: string }>();

  constructor(raw: Record<string, string>) {
    for (const name of Object.keys(raw)) this.set(name, raw[name] as string);
  }
  set(name: string, value: string | number | boolean): void {
    this.map.set(name.toLowerCase(), { name, value: String(value).trim().replace(/[\r\n]/g, '') });
  }
  get(name: string): string | undefined {
    return this.map.get(name.toLowerCase())?.value;
  }
  has(name: string): boolean {
    return this.map.has(name.toLowerCase());
  }
  delete(name: string): void {
    this.map.delete(name.toLowerCase());
  }
  toJSON(options: { preserveCase?: boolean } = {}): Record<string, string> {
    const result: Record<string, string> = {};
    for (const [normalized, entry] of this.map) result[options.preserveCase === true ? entry.name : normalized] = entry.value;
    return result;
  }
  *[Symbol.iterator](): IterableIterator<[string, string]> {
    for (const entry of this.map.values()) yield [entry.name, entry.value];
  }
}

/** Response headers read straight from Node's (already lower-case) header object, without copying them. */
class ResponseHeaders implements HttpHeaders {
  constructor(private readonly raw: IncomingHttpHeaders) {}
  get(name: string): string | undefined {
    const value = this.raw[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  }
  has(name: string): boolean {
    return this.get(name) !== undefined;
  }
  set(name: string, value: string | number | boolean): void {
    this.raw[name.toLowerCase()] = String(value);
  }
  delete(name: string): void {
    delete this.raw[name.toLowerCase()];
  }
  toJSON(): Record<string, string> {
    const result: Record<string, string> = {};
    for (const name of Object.keys(this.raw)) {
      const value = this.get(name);
      if (value !== undefined && value !== '') result[name] = value;
    }
    return result;
  }
  *[Symbol.iterator](): IterableIterator<[string, string]> {
    yield* Object.entries(this.toJSON());
  }
}

/** A request as createPipelineRequest would build it, for the fields a Table Storage call uses. */
export function createTableRequest(url: string, method: PipelineRequest['method'], headers: Record<string, string>, body?: string, allowInsecureConnection = false): PipelineRequest {
  const requestHeaders = new RequestHeaders(headers);
  if (body !== undefined) requestHeaders.set('Content-Length', Buffer.byteLength(body));
  return { url, method, headers: requestHeaders, body, timeout: 0, withCredentials: false, requestId: randomUUID(), allowInsecureConnection };
}

/** Sends requests over one keep-alive agent per protocol; answers every status (the caller judges it). */
export class TableHttpClient implements TableHttpSender {
  private readonly httpAgent = new HttpAgent({ keepAlive: true });
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true });

  sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
    const signal = request.abortSignal as AbortSignal | undefined;
    if (signal?.aborted === true) return Promise.reject(new AbortError('The operation was aborted. Request has already been canceled.'));
    const url = splitUrl(request.url);
    if (!url.secure && request.allowInsecureConnection !== true) return Promise.reject(new Error(`Cannot connect to ${request.url} while allowInsecureConnection is false.`));
    const options: RequestOptions = {
      // A proxy policy puts its agent on the request (HTTPS_PROXY); otherwise our keep-alive agent.
      agent: (request.agent as HttpAgent | undefined) ?? (url.secure ? this.httpsAgent : this.httpAgent),
      hostname: url.hostname,
      port: url.port,
      path: url.path,
      method: request.method,
      headers: request.headers.toJSON({ preserveCase: true }),
    };
    return new Promise<PipelineResponse>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const outgoing = (url.secure ? httpsRequest : httpRequest)(options, (incoming) => {
        readBody(incoming).then(
          (bodyAsText) => {
            settle();
            resolve({ request, status: incoming.statusCode ?? 0, headers: new ResponseHeaders(incoming.headers), bodyAsText });
          },
          (error: Error) => {
            settle();
            reject(new RestError(`Error reading response as text: ${error.message}`, { code: RestError.PARSE_ERROR }));
          },
        );
      });
      const abort = (): void => {
        const error = new AbortError('The operation was aborted. Rejecting from abort signal callback while making request.');
        outgoing.destroy(error);
        settle();
        reject(error);
      };
      const settle = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', abort);
      };
      outgoing.once('error', (error: NodeJS.ErrnoException) => {
        settle();
        reject(new RestError(error.message, { code: error.code ?? RestError.REQUEST_SEND_ERROR, request }));
      });
      signal?.addEventListener('abort', abort);
      if (request.timeout > 0) timer = setTimeout(abort, request.timeout);
      outgoing.end(typeof request.body === 'string' ? request.body : undefined);
    });
  }

  /** Closes the idle keep-alive sockets (tests and benchmarks that start and stop storage). */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

function readBody(incoming: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    incoming.once('error', reject);
  });
}

interface SplitUrl {
  secure: boolean;
  hostname: string;
  port: string;
  path: string;
}

const originCache = new Map<string, Omit<SplitUrl, 'path'>>();

/** The parts of a URL Node's request needs; the origin's parse is kept, since every call of a client shares one. */
function splitUrl(url: string): SplitUrl {
  const pathStart = url.indexOf('/', url.indexOf('//') + 2);
  const origin = pathStart === -1 ? url : url.slice(0, pathStart);
  let parts = originCache.get(origin);
  if (parts === undefined) {
    const parsed = new URL(origin);
    parts = { secure: parsed.protocol === 'https:', hostname: parsed.hostname, port: parsed.port };
    if (originCache.size < 64) originCache.set(origin, parts);
  }
  return { ...parts, path: pathStart === -1 ? '/' : url.slice(pathStart) };
}
