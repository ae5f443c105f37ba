// An HTTP proxy in front of Azurite's Table endpoint: the service under test talks to storage through it, so a test
// can assert how many storage round trips an operation costs, and (strict) every write meets Azure's size limits,
// which Azurite does not fully enforce (azure-table-limits.ts). Shared Key signatures cover the path, not the host, so
// requests pass through unchanged.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { limitViolation, refusalResponse } from './azure-table-limits.js';

export interface StorageProxy {
  /** The connection string with its TableEndpoint pointing at the proxy. */
  connectionString: string;
  /** Requests seen since the last reset, as "METHOD path" (query strings left out). */
  requests: string[];
  /** Requests refused for breaking Azure's size limits (strict mode), as "METHOD path CODE". */
  refused: string[];
  reset(): void;
  close(): Promise<void>;
}

export interface StorageProxyOptions {
  /** Answers a write that breaks Azure Table Storage's size limits as Azure would, instead of forwarding it. */
  strict?: boolean;
  /** Records requests in `requests` (default true); a proxy serving a whole test run leaves it off. */
  record?: boolean;
}

export async function startStorageProxy(connectionString: string, options: StorageProxyOptions = {}): Promise<StorageProxy> {
  const match = /TableEndpoint=(http:\/\/[^;]+)/.exec(connectionString);
  if (match?.[1] === undefined) throw new Error('the connection string has no TableEndpoint');
  const target = new URL(match[1]);
  const requests: string[] = [];
  const refused: string[] = [];

  const forward = (req: IncomingMessage, res: ServerResponse, body?: Buffer): void => {
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (response) => {
        res.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    if (body === undefined) req.pipe(upstream);
    else upstream.end(body);
  };

  const server = createServer((req, res) => {
    const line = `${req.method ?? '?'} ${(req.url ?? '').split('?')[0] ?? ''}`;
    if (options.record !== false) requests.push(line);
    if (options.strict !== true) return forward(req, res);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const violation = limitViolation(req.method ?? '', req.url ?? '', body);
      if (violation === undefined) return forward(req, res, body);
      refused.push(`${line} ${violation.refusal.code}`);
      const answer = refusalResponse(violation);
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const proxied = connectionString.replace(match[1], `http://127.0.0.1:${port}${target.pathname}`);
  return {
    connectionString: proxied,
    requests,
    refused,
    reset: () => {
      requests.splice(0);
      refused.splice(0);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
