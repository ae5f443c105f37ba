// Tokens through the real ClientSecretCredential (MSAL) against the fake login service: the national cloud's
// authority and scope, one credential per integration reused across clients, a new one when the secret changes,
// and each credential mistake as a GraphAuthenticationError an admin can act on, never carrying the secret.
import { afterEach, describe, expect, it } from 'vitest';
import { GRAPH_CLOUD_NAMES, graphApiRoot, graphCloud, graphScope } from '../../../shared/graph/graph-cloud.js';
import { GraphClient } from '../../../shared/graph/graph-client.js';
import { GraphCredentialCache } from '../../../shared/graph/graph-credentials.js';
import { listUsers } from '../../../shared/graph/graph-directory-reader.js';
import { GraphAuthenticationError } from '../../../shared/graph/graph-errors.js';
import { graphClientForIntegration } from '../../../shared/graph/graph-integration-client.js';
import { parseGraphIntegrationInput } from '../../../shared/graph/graph-integration-settings.js';
import { collect, graphClientFor } from '../../support/graph-fake/client-harness.js';
import { type GraphFake, startGraphFake } from '../../support/graph-fake/graph-fake.js';
import { sampleTenant } from '../../support/graph-fake/sample-tenant.js';

describe('Graph clouds', () => {
  it('names each cloud\'s Graph endpoint, login authority and scope in one place', () => {
    expect(GRAPH_CLOUD_NAMES.map((name) => [graphApiRoot(graphCloud(name)), graphCloud(name).authorityHost, graphScope(graphCloud(name))])).toEqual([
      ['https://graph.microsoft.com/v1.0', 'https://login.microsoftonline.com', 'https://graph.microsoft.com/.default'],
      ['https://graph.microsoft.us/v1.0', 'https://login.microsoftonline.us', 'https://graph.microsoft.us/.default'],
      ['https://microsoftgraph.chinacloudapi.cn/v1.0', 'https://login.chinacloudapi.cn', 'https://microsoftgraph.chinacloudapi.cn/.default'],
    ]);
  });
});

describe('Graph credentials against the fake login service', () => {
  let fake: GraphFake | undefined;
  afterEach(() => fake?.close());

  for (const name of ['usGovernment', 'china'] as const) {
    it(`signs in and reads Graph in the ${name} cloud`, async () => {
      fake = startGraphFake({ tenant: sampleTenant().tenant, cloud: graphCloud(name) });
      const { client } = graphClientFor(fake);
      expect(await collect(listUsers(client, ['id']))).toHaveLength(7);
      expect(fake.login.tokenRequests).toEqual([{ tenant: fake.tenant.tenantId, clientId: fake.tenant.app.clientId, scope: graphScope(graphCloud(name)), status: 200 }]);
      expect(fake.routes.requests[0]?.url.startsWith(graphApiRoot(graphCloud(name)))).toBe(true);
    });
  }

  it('builds an integration\'s client from its settings: cloud, tenant, client and the secret from the store', async () => {
    fake = startGraphFake({ tenant: sampleTenant().tenant, cloud: graphCloud('china') });
    const { settings } = parseGraphIntegrationInput({ tenantId: fake.tenant.tenantId, clientId: fake.tenant.app.clientId, cloud: 'china', groupSelection: { mode: 'all' } }, 'update');
    const client = graphClientForIntegration('integration-1', settings, fake.credentials.clientSecret, new GraphCredentialCache());
    expect(client.cloud.name).toBe('china');
    expect(await collect(listUsers(client, ['id']))).toHaveLength(7);
  });

  it('reuses one credential (and its token) per integration, and builds a new one when the secret changes', async () => {
    fake = startGraphFake({ tenant: sampleTenant().tenant });
    const cache = new GraphCredentialCache();
    const first = cache.tokenSourceFor('integration-1', fake.credentials);
    expect(cache.tokenSourceFor('integration-1', { ...fake.credentials })).toBe(first);
    for (const tokens of [first, cache.tokenSourceFor('integration-1', fake.credentials)]) {
      const client = new GraphClient({ cloud: fake.cloud, tokens });
      await client.getPage(client.url('/users', { select: ['id'] }));
    }
    expect(fake.login.tokenRequests).toHaveLength(1);

    fake.tenant.app.clientSecret = 'rotated-secret';
    const rotated = cache.tokenSourceFor('integration-1', { ...fake.credentials, clientSecret: 'rotated-secret' });
    expect(rotated).not.toBe(first);
    await rotated.getAccessToken();
    expect(fake.login.tokenRequests).toHaveLength(2);
    expect(cache.tokenSourceFor('integration-2', fake.credentials)).not.toBe(first);
  });

  const mistakes = [
    { what: 'a wrong secret', change: { clientSecret: 'not-the-secret' }, reason: 'invalidSecret', code: '7000215' },
    { what: 'an unknown client id', change: { clientId: '00000000-0000-4000-8000-0000000000cc' }, reason: 'unknownApplication', code: '700016' },
    { what: 'an unknown tenant', change: { tenantId: '00000000-0000-4000-8000-0000000000dd' }, reason: 'unknownTenant', code: '90002' },
  ] as const;
  for (const { what, change, reason, code } of mistakes) {
    it(`reports ${what} as ${reason}, without the secret`, async () => {
      fake = startGraphFake({ tenant: sampleTenant().tenant });
      const { client } = graphClientFor(fake, { appCredentials: change });
      const error = await collect(listUsers(client, ['id'])).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GraphAuthenticationError);
      expect(error).toMatchObject({ reason, aadstsCode: code });
      expect((error as Error).message).not.toContain('not-the-secret');
      expect((error as Error).message).not.toContain(fake.credentials.clientSecret);
      expect(fake.routes.requests).toHaveLength(0);
    });
  }

  it('reports a login service that cannot be reached as loginUnreachable', async () => {
    fake = startGraphFake({ tenant: sampleTenant().tenant });
    fake.login.unreachable = true;
    const { client } = graphClientFor(fake);
    const error = await collect(listUsers(client, ['id'])).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'GraphAuthenticationError', reason: 'loginUnreachable' });
    expect(fake.routes.requests).toHaveLength(0);
  });

  it('reports an expired secret so the admin knows to create a new one', async () => {
    fake = startGraphFake({ tenant: sampleTenant().tenant });
    fake.tenant.app.secretExpired = true;
    const { client } = graphClientFor(fake);
    const error = await collect(listUsers(client, ['id'])).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'GraphAuthenticationError', reason: 'expiredSecret' });
    expect((error as Error).message).toMatch(/expired: create a new one/);
  });
});
