// A local stand-in for the HTTP front end of the Functions host: routes requests to the
// httpTrigger registrations, enforces function keys, invokes the handler and writes its response.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { FUNCTIONS_KEY_HEADER, FUNCTIONS_KEY_QUERY, isAuthorized } from './function-keys.js';
import type { Registry } from './functions-core.js';
import {
  createFunctionsHttpRequest,
  DEFAULT_MAX_REQUEST_BODY_IN_BYTES,
  readRequestBody,
  RequestBodyTooLargeError,
  toHeaderRecord,
} from './http-request-adapter.js';
import { type HostHttpResponse, readHandlerResult, writeBufferedResponse, writeEmptyResponse, writeStreamedResponse } from './http-response-writer.js';
import { buildHttpRoutes, findHttpRoute, type HttpRoute, type HttpRouteMatch } from './http-routes.js';
import { createInvocationContext, invokeFunction } from './invocation.js';
import { normalizeRequestPath } from './route-template.js';

export interface HttpHostOptions {
  readonly registry: Registry;
  /** 0 picks a free port. */
  readonly port: number;
  /** Interface to listen on; default 127.0.0.1. */
  readonly host?: string;
  /** host.json `extensions.http.routePrefix` ("api" by default in Azure; may be empty). */
  readonly routePrefix: string;
  /** Accepted for authLevel 'function' and 'admin'. */
  readonly functionsKey: string;
  /** One line per request and per handler log line; never carries headers, query strings or bodies. */
  readonly log?: (line: string) => void;
  readonly maxRequestBodyInBytes?: number;
  /** How long `close()` waits for in-flight requests before cutting connections. */
  readonly shutdownGraceInMs?: number;
}

export interface HttpHost {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:7071`. */
  readonly url: string;
  /** The routes currently served (recomputed when the registry changes). */
  routes(): readonly HttpRoute[];
  close(): Promise<void>;
}

function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
}

export async function startHttpHost(options: HttpHostOptions): Promise<HttpHost> {
  const log = options.log ?? ((line: string) => console.log(line));
  const maxBodyBytes = options.maxRequestBodyInBytes ?? DEFAULT_MAX_REQUEST_BODY_IN_BYTES;
  const listenHost = options.host ?? '127.0.0.1';
  let closing = false;
  let closed: Promise<void> | undefined;
  let cachedRoutes: { revision: number; routes: HttpRoute[] } | undefined;

  const routes = (): HttpRoute[] => {
    if (cachedRoutes?.revision !== options.registry.revision) {
      cachedRoutes = {
        revision: options.registry.revision,
        routes: buildHttpRoutes(options.registry, options.routePrefix),
      };
    }
    return cachedRoutes.routes;
  };

  async function invoke(req: IncomingMessage, res: ServerResponse, url: URL, match: HttpRouteMatch, body: Buffer) {
    const { registration } = match.route;
    const invocationId = randomUUID();
    const context = createInvocationContext(registration, { invocationId, log });
    const request = createFunctionsHttpRequest({
      method: req.method ?? 'GET',
      url,
      headers: toHeaderRecord(req),
      params: match.params,
      body,
    });
    let response: HostHttpResponse;
    try {
      const result = await invokeFunction(options.registry, registration, [request], context);
      response = await readHandlerResult(result);
    } catch (error: unknown) {
      log(`[error] ${registration.name} (${invocationId}) failed: ${describeError(error)}`);
      return { status: 500, written: writeEmptyResponse(res, 500), invocationId };
    }
    if (!('chunks' in response)) return { status: response.status, written: writeBufferedResponse(res, response), invocationId };
    const outcome = await writeStreamedResponse(res, response);
    if (outcome.error !== undefined) log(`[error] ${registration.name} (${invocationId}) response body failed: ${describeError(outcome.error)}`);
    return { status: outcome.status, written: outcome.written, invocationId };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const method = (req.method ?? 'GET').toUpperCase();
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://${req.headers.host ?? `${listenHost}:${options.port}`}`);
    } catch {
      writeEmptyResponse(res, 400);
      log(`${method} (unparseable URL) -> 400`);
      return;
    }
    const finish = (status: number, detail = '') => {
      const duration = Math.round(performance.now() - started);
      log(`${method} ${url.pathname} -> ${status} in ${duration}ms${detail}`);
    };
    if (closing) res.setHeader('connection', 'close');

    const match = findHttpRoute(routes(), normalizeRequestPath(url.pathname), method);
    if (!match) {
      writeEmptyResponse(res, 404);
      return finish(404);
    }
    const presented = {
      header: req.headers[FUNCTIONS_KEY_HEADER] as string | undefined,
      query: url.searchParams.get(FUNCTIONS_KEY_QUERY),
    };
    if (!isAuthorized(match.route.authLevel, presented, options.functionsKey)) {
      writeEmptyResponse(res, 401);
      return finish(401, ` [${match.route.registration.name}: missing or wrong function key]`);
    }

    let body: Buffer;
    try {
      body = await readRequestBody(req, maxBodyBytes);
    } catch (error: unknown) {
      if (error instanceof RequestBodyTooLargeError) {
        // The rest of the body is not read: close the connection after answering.
        res.setHeader('connection', 'close');
        writeEmptyResponse(res, 413);
        return finish(413);
      }
      return finish(499, ' [client aborted while sending the body]');
    }

    const outcome = await invoke(req, res, url, match, body);
    const aborted = outcome.written ? '' : ' (client gone)';
    finish(outcome.status, ` [${match.route.registration.name} ${outcome.invocationId}]${aborted}`);
  }

  const server = createServer((req, res) => {
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    res.on('finish', () => {
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
    handle(req, res).catch((error: unknown) => {
      log(`[error] local host failed on ${req.method ?? '?'} request: ${describeError(error)}`);
      writeEmptyResponse(res, 500);
    });
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, listenHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const wildcard = address.address === '0.0.0.0' || address.address === '::';
  const urlHost = wildcard ? 'localhost' : address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${urlHost}:${address.port}`,
    routes,
    close: () => {
      closed ??= new Promise<void>((resolve, reject) => {
        closing = true;
        const cutOff = setTimeout(() => server.closeAllConnections(), options.shutdownGraceInMs ?? 5_000);
        cutOff.unref();
        server.close((error) => {
          clearTimeout(cutOff);
          if (error) reject(error);
          else resolve();
        });
        server.closeIdleConnections();
      });
      return closed;
    },
  };
}
