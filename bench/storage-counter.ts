// A counting pass-through proxy for the Table endpoint of a connection string: the host behind it talks to storage as
// before, and the bench reads how many storage requests (round trips) a SCIM request cost. Shared Key signatures
// cover the path, not the host, so requests pass through unchanged.
import { createServer, request as forward } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StorageCounter {
  /** The connection string with its TableEndpoint pointing at the proxy. */
  connectionString: string;
  requests: () => number;
  /** The requests since the last reset, each as `METHOD table-or-path` (keys and query strings left out). */
  requestLines: () => string[];
  reset: () => void;
  close(): Promise<void>;
}

export async function startStorageCounter(connectionString: string): Promise<StorageCounter> {
  const endpoint = /TableEndpoint=(http:\/\/[^;]+)/.exec(connectionString)?.[1];
  if (endpoint === undefined) throw new Error('the connection string has no http TableEndpoint');
  const target = new URL(endpoint);
  let count = 0;
  let lines: string[] = [];
  const server = createServer((req, res) => {
    count++;
    lines.push(describeRequest(req.method ?? '?', req.url ?? ''));
    const upstream = forward({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    connectionString: connectionString.replace(endpoint, `http://127.0.0.1:${port}${target.pathname}`),
    requests: () => count,
    requestLines: () => [...lines],
    reset: () => {
      count = 0;
      lines = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `GET /devstoreaccount1/benchpeople(PartitionKey='…',RowKey='…')` → `GET people(key)`; `POST …/$batch` → `POST $batch`. */
export function describeRequest(method: string, url: string): string {
  const path = url.replace(/\?.*$/, '').replace(/^\/[^/]+\//, '');
  const table = path.replace(/\(.*$/, '').replace(/^bench/, '');
  const keyed = /\(PartitionKey=/.test(path) ? '(key)' : '';
  return `${method} ${table}${keyed}`;
}
