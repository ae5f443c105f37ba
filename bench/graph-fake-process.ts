// The Graph fake of `npm run bench:graph` in a process of its own: a seeded synthetic tenant (its objects, change log
// and paging cursors live there, so the sync process's memory is the sync's own) served over local HTTP
// (test/support/graph-fake/http-bridge.ts); the bench process forwards the cloud's Graph and login hosts to it, so the
// real credential and Graph client run unchanged. Over IPC the parent asks for the tenant's change (the delta run's
// 1% of users and memberships) and for the number of Graph requests served.
import { fileURLToPath } from 'node:url';
import type { GraphAppCredentials } from '../shared/graph/graph-credentials.js';
import { forkBenchChild } from './child-process.js';
import { createGraphFakeHandlers } from '../test/support/graph-fake/graph-fake.js';
import type { GraphFakeOptions } from '../test/support/graph-fake/graph-routes.js';
import { serveGraphFakeOverHttp } from '../test/support/graph-fake/http-bridge.js';
import { changeSyntheticTenant, syntheticTenant, type SyntheticTenantShape } from '../test/support/graph-fake/synthetic-tenant.js';

/** Graph's own page sizes: 999 objects a list page (`$top` maximum), 200 objects a delta page, 500 member links an entry. */
export const BENCH_GRAPH_PAGES: Partial<GraphFakeOptions> = { pageSize: 999, deltaPageSize: 200, memberLinksPerEntry: 500 };

type Ask = { kind: 'change'; fraction: number } | { kind: 'requests' };
type Question = Ask & { id: number };
type Ready = { kind: 'ready'; port: number; credentials: Omit<GraphAppCredentials, 'cloud'>; buildSeconds: number };
type Reply = { kind: 'reply'; id: number; value: unknown };

export interface GraphFakeProcess {
  readonly port: number;
  readonly credentials: Omit<GraphAppCredentials, 'cloud'>;
  readonly buildSeconds: number;
  /** Changes `fraction` of the users and of the direct memberships (changeSyntheticTenant). */
  change(fraction: number): Promise<{ usersChanged: number; membershipsChanged: number }>;
  /** Graph requests answered so far (login requests not included). */
  requests(): Promise<number>;
  stop(): Promise<void>;
}

export async function startGraphFakeProcess(shape: SyntheticTenantShape): Promise<GraphFakeProcess> {
  const { child, ready, stop } = await forkBenchChild<Ready>(fileURLToPath(import.meta.url), ['--child', JSON.stringify(shape)], ['ignore', 'inherit', 'inherit', 'ipc'], 'Graph fake');
  let nextId = 0;
  const ask = <T>(question: Ask): Promise<T> =>
    new Promise<T>((resolve) => {
      const id = ++nextId;
      const listen = (message: Reply) => {
        if (message.kind !== 'reply' || message.id !== id) return;
        child.off('message', listen);
        resolve(message.value as T);
      };
      child.on('message', listen);
      child.send({ ...question, id });
    });
  return {
    port: ready.port,
    credentials: ready.credentials,
    buildSeconds: ready.buildSeconds,
    change: (fraction) => ask({ kind: 'change', fraction }),
    requests: () => ask({ kind: 'requests' }),
    stop,
  };
}

if (process.argv.includes('--child') && process.send !== undefined) {
  const shape = JSON.parse(process.argv[process.argv.indexOf('--child') + 1] ?? '{}') as SyntheticTenantShape;
  const started = performance.now();
  const synthetic = syntheticTenant(shape);
  const handlers = createGraphFakeHandlers({ tenant: synthetic.tenant, fake: BENCH_GRAPH_PAGES });
  const served = await serveGraphFakeOverHttp(handlers);
  const { cloud: _cloud, ...credentials } = handlers.credentials;
  process.send({ kind: 'ready', port: served.port, credentials, buildSeconds: (performance.now() - started) / 1000 } satisfies Ready);
  process.on('message', (question: Question) => {
    const value = question.kind === 'change' ? changeSyntheticTenant(synthetic, question.fraction) : handlers.routes.requests.length;
    process.send?.({ kind: 'reply', id: question.id, value } satisfies Reply);
  });
  const stop = () => void served.close().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
}
