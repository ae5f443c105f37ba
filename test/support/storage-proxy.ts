// A counting HTTP proxy in front of Azurite's Table endpoint: the service under test talks to storage through it, so
// a test can assert how many storage round trips an operation costs. Shared Key signatures cover the path, not the
// host, so requests pass through unchanged.
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StorageProxy {
  /** The connection string with its TableEndpoint pointing at the proxy. */
  connectionString: string;
  /** Requests seen since the last reset, as "METHOD path" (query strings left out). */
  requests: string[];
  reset(): void;
  close(): Promise<void>;
}

export async function startStorageProxy(connectionString: string): Promise<StorageProxy> {
  const match = /TableEndpoint=(http:\/\/[^;]+)/.exec(connectionString);
  if (match?.[1] === undefined) throw new Error('the connection string has no TableEndpoint');
  const target = new URL(match[1]);
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method ?? '?'} ${(req.url ?? '').split('?')[0] ?? ''}`);
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (response) => {
        res.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const proxied = connectionString.replace(match[1], `http://127.0.0.1:${port}${target.pathname}`);
  return {
    connectionString: proxied,
    requests,
    reset: () => void requests.splice(0),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
