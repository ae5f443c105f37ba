// The Graph fake across processes: one process serves the fake's handlers on a local HTTP port (the tenant and its
// memory live there), and the process under test intercepts the cloud's Graph and login hosts with msw and forwards
// each request there, the original URL in a header. So a benchmark can measure the sync's own memory, while the
// real credential and client still run unchanged. A network failure on the serving side reaches the caller as one.
// The forwarding side intercepts only what reaches the cloud's hosts: fetch (the Graph client) and https (the
// credential's login requests); plain http (the storage clients reaching Azurite) is left as Node has it. msw's
// ClientRequest interception gives every request it sees an agent of its own, so each storage request would open a
// new connection (no keep-alive) and run through msw's matching and body buffering: at 500 users that was most of
// the bench process's allocations and ~300 MB of its peak resident set (docs/graph-bench.md, "Memory").
import http, { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphCloud } from '../../../shared/graph/graph-cloud.js';
import { type GraphFakeHandlers, interceptGraphHosts } from './graph-fake.js';

const ORIGINAL_URL_HEADER = 'x-graph-fake-original-url';

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Serves `handlers` on 127.0.0.1 (a free port unless given). */
export async function serveGraphFakeOverHttp(handlers: GraphFakeHandlers, port = 0): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    void (async () => {
      const url = incoming.headers[ORIGINAL_URL_HEADER];
      if (typeof url !== 'string') {
        outgoing.writeHead(400).end('missing original URL');
        return;
      }
      const body = await readBody(incoming);
      const headers = new Headers();
      for (const [name, value] of Object.entries(incoming.headers)) if (typeof value === 'string' && name !== ORIGINAL_URL_HEADER && name !== 'host') headers.set(name, value);
      const method = incoming.method ?? 'GET';
      const answer = await handlers.handle(new Request(url, { method, headers, ...(body.length > 0 ? { body } : {}) }));
      if (answer.type === 'error') {
        outgoing.destroy();
        return;
      }
      const answerHeaders: Record<string, string> = {};
      answer.headers.forEach((value, name) => {
        if (name !== 'content-length' && name !== 'transfer-encoding') answerHeaders[name] = value;
      });
      outgoing.writeHead(answer.status, answerHeaders).end(Buffer.from(await answer.arrayBuffer()));
    })().catch(() => outgoing.destroy());
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * In the process under test: send the cloud's Graph and login traffic to a fake served on `port`. Plain http requests
 * are not intercepted (see the header); every cloud host is https. Answers are streamed through, not buffered.
 */
export function forwardGraphToHttpFake(cloud: GraphCloud, port: number): { close(): void } {
  const plainHttp = { ClientRequest: http.ClientRequest, get: http.get, request: http.request };
  const interception = interceptGraphHosts(cloud, async (request) => {
    const headers = new Headers(request.headers);
    headers.set(ORIGINAL_URL_HEADER, request.url);
    const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.arrayBuffer();
    try {
      const answer = await fetch(`http://127.0.0.1:${port}/`, { method: request.method, headers, ...(body === undefined ? {} : { body }) });
      return new Response(answer.body, { status: answer.status, headers: answer.headers });
    } catch {
      return Response.error();
    }
  });
  // msw patched node:http's request, get and ClientRequest as well as https's; put the plain-http ones back (msw's
  // close() restores the same originals).
  Object.assign(http, plainHttp);
  return interception;
}
