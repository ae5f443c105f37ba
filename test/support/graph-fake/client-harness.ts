// A GraphClient wired to a running Graph fake through the real credential path (GraphCredentialCache →
// ClientSecretCredential → the fake's token endpoint), with a recording sleep so Retry-After and backoff waits are
// asserted without waiting, and a fixed "random" so jitter is deterministic.
import { GraphClient, type GraphClientOptions } from '../../../shared/graph/graph-client.js';
import { type GraphAppCredentials, GraphCredentialCache } from '../../../shared/graph/graph-credentials.js';
import type { GraphFakeHandlers } from './graph-fake.js';

export interface ClientHarness {
  readonly client: GraphClient;
  /** Every wait the client asked for, in milliseconds. */
  readonly sleeps: number[];
  readonly credentials: GraphCredentialCache;
}

export function graphClientFor(fake: Pick<GraphFakeHandlers, 'cloud' | 'credentials'>, options: Partial<GraphClientOptions> & { appCredentials?: Partial<GraphAppCredentials> } = {}): ClientHarness {
  const sleeps: number[] = [];
  const credentials = new GraphCredentialCache();
  const { appCredentials, ...clientOptions } = options;
  const client = new GraphClient({
    cloud: fake.cloud,
    tokens: credentials.tokenSourceFor('integration-under-test', { ...fake.credentials, ...appCredentials }),
    sleep: (milliseconds) => {
      sleeps.push(milliseconds);
      return Promise.resolve();
    },
    random: () => 0.5,
    now: () => Date.parse('2026-12-01T00:00:00Z'),
    ...clientOptions,
  });
  return { client, sleeps, credentials };
}

/** Every object of every page, for assertions. */
export async function collect<T>(pages: AsyncIterable<{ value: readonly T[] }>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...page.value);
  return all;
}
