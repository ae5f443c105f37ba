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
  /** Entities written (inserted, updated or deleted) since the last reset: one per write request, one per operation of a transaction. */
  rowsWritten: () => number;
  /** The requests since the last reset by kind (the lines of requestLines, counted), kept even without keepLines. */
  requestsByKind: () => Record<string, number>;
  reset: () => void;
  close(): Promise<void>;
}

export interface StorageCounterOptions {
  /** Keep a line per request for requestLines() (default true; a long benchmark leaves it off to stay small). */
  readonly keepLines?: boolean;
}

export async function startStorageCounter(connectionString: string, options: StorageCounterOptions = {}): Promise<StorageCounter> {
  const keepLines = options.keepLines ?? true;
  const endpoint = /TableEndpoint=(http:\/\/[^;]+)/.exec(connectionString)?.[1];
  if (endpoint === undefined) throw new Error('the connection string has no http TableEndpoint');
  const target = new URL(endpoint);
  let count = 0;
  let rows = 0;
  let lines: string[] = [];
  let byKind = new Map<string, number>();
  const tally = (kind: string): void => {
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    if (keepLines) lines.push(kind);
  };
  const server = createServer((req, res) => {
    count++;
    const line = describeRequest(req.method ?? '?', req.url ?? '');
    if (line.endsWith('$batch')) {
      // A transaction's table is in its body: named, so the bench can tell the provisioning log's background batches.
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        rows += batchOperationCount(body);
        tally(`${line}${batchTableOf(body)}`);
      });
    } else {
      if (isEntityWrite(req.method ?? 'GET', line)) rows++;
      tally(line);
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
    rowsWritten: () => rows,
    requestsByKind: () => Object.fromEntries(byKind),
    reset: () => {
      count = 0;
      rows = 0;
      lines = [];
      byKind = new Map();
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

/** Operations in a transaction body: each has a request line of its own. */
export function batchOperationCount(body: string): number {
  return body.match(/^(?:POST|PUT|PATCH|MERGE|DELETE) \S+ HTTP\/1\.1/gm)?.length ?? 0;
}

/** A request that writes one entity (not a read, not a table's creation or deletion, not a transaction). */
export function isEntityWrite(method: string, line: string): boolean {
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return false;
  const table = line.slice(line.indexOf(' ') + 1);
  return table !== 'Tables' && !table.startsWith('Tables(');
}
