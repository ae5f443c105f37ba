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
    const line = describeRequest(req.method ?? '?', req.url ?? '');
    if (line.endsWith('$batch')) {
      // A transaction's table is in its body: named, so the bench can tell the provisioning log's background batches.
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => lines.push(`${line}${batchTableOf(Buffer.concat(chunks).toString('utf8'))}`));
    } else {
      lines.push(line);
    }
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

/** ` <table>` of a transaction's first operation (its request line names the table), or '' when none is found. */
export function batchTableOf(body: string): string {
  const table = /^(?:POST|PUT|PATCH|MERGE|DELETE) \S*?\/([A-Za-z0-9]+)(?:\(|\?| )/m.exec(body)?.[1];
  return table === undefined ? '' : ` ${table.replace(/^bench/, '')}`;
}
