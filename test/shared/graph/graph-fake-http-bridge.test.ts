// The fake served over local HTTP and reached through the forwarding interceptor: the real credential and client
// work through it exactly as in-process, faults and delta included.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deltaRound, deltaStartUrl } from '../../../shared/graph/graph-delta.js';
import { listUsers } from '../../../shared/graph/graph-directory-reader.js';
import { collect, graphClientFor } from '../../support/graph-fake/client-harness.js';
import { createGraphFakeHandlers, type GraphFakeHandlers } from '../../support/graph-fake/graph-fake.js';
import { forwardGraphToHttpFake, serveGraphFakeOverHttp } from '../../support/graph-fake/http-bridge.js';
import { sampleTenant } from '../../support/graph-fake/sample-tenant.js';

describe('Graph fake over HTTP', () => {
  let handlers: GraphFakeHandlers;
  let served: { port: number; close(): Promise<void> };
  let forwarding: { close(): void };

  beforeEach(async () => {
    handlers = createGraphFakeHandlers({ tenant: sampleTenant().tenant, fake: { pageSize: 3, deltaPageSize: 2 } });
    served = await serveGraphFakeOverHttp(handlers);
    forwarding = forwardGraphToHttpFake(handlers.cloud, served.port);
  });
  afterEach(async () => {
    forwarding.close();
    await served.close();
  });

  it('signs in, pages, retries after a 429 and runs a delta round through the bridge', async () => {
    handlers.routes.faults.add({ status: 429, retryAfter: 2 });
    const { client, sleeps } = graphClientFor(handlers);
    expect(await collect(listUsers(client, ['id', 'userPrincipalName']))).toHaveLength(7);
    expect(sleeps).toEqual([2000]);
    expect(handlers.login.tokenRequests).toHaveLength(1);
    const changes: string[] = [];
    let deltaLink: string | undefined;
    for await (const page of deltaRound(client, deltaStartUrl(client, 'groups', ['displayName', 'members']))) {
      changes.push(...page.changes.map((c) => c.id));
      deltaLink = page.deltaLink ?? deltaLink;
    }
    expect(new Set(changes).size).toBe(11);
    expect(deltaLink?.startsWith('https://graph.microsoft.com/v1.0/groups/delta?')).toBe(true);
  });

  it('a login service that cannot be reached is a network failure on the far side too', async () => {
    handlers.login.unreachable = true;
    const { client } = graphClientFor(handlers);
    await expect(collect(listUsers(client, ['id']))).rejects.toMatchObject({ name: 'GraphAuthenticationError', reason: 'loginUnreachable' });
  });

  // The storage clients reach Azurite over plain http. Intercepted by msw, each request got an agent of its own: a new
  // connection per request and msw's matching and buffering, most of bench:graph's memory (docs/graph-bench.md).
  it('leaves plain http alone: a keep-alive agent keeps using one connection', async () => {
    let connections = 0;
    const storage = http.createServer((_request, response) => response.end('ok')).on('connection', () => connections++);
    await new Promise<void>((resolve) => storage.listen(0, '127.0.0.1', resolve));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<string>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port: (storage.address() as AddressInfo).port, path: '/', agent }, (response) => {
            let text = '';
            response.on('data', (chunk: Buffer) => (text += chunk.toString())).on('end', () => resolve(text));
          })
          .on('error', reject);
      });
    try {
      expect([await get(), await get(), await get()]).toEqual(['ok', 'ok', 'ok']);
      expect(connections).toBe(1);
    } finally {
      agent.destroy();
      await new Promise((resolve) => storage.close(resolve));
    }
  });
});
