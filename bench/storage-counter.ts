// A counting pass-through proxy for the Table endpoint of a connection string: the host behind it talks to storage as
// before, and the bench reads how many storage requests (round trips) a SCIM request cost. Shared Key signatures
// cover the path, not the host, so requests pass through unchanged.
import { createServer, request as forward } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StorageCounter {
  /** The connection string with its TableEndpoint pointing at the proxy. */
  connectionString: string;
  requests: () => number;
  reset: () => void;
  close(): Promise<void>;
}

export async function startStorageCounter(connectionString: string): Promise<StorageCounter> {
  const endpoint = /TableEndpoint=(http:\/\/[^;]+)/.exec(connectionString)?.[1];
  if (endpoint === undefined) throw new Error('the connection string has no http TableEndpoint');
  const target = new URL(endpoint);
  let count = 0;
  const server = createServer((req, res) => {
    count++;
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
    reset: () => {
      count = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
