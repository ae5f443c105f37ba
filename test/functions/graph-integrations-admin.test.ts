// Graph integrations through the admin API: created with "method": "graph" and the settings schema, the client secret
// kept in the secret store only (never answered), settings shown and replaced, every bad field a 400 naming it, and a
// SCIM integration unchanged (its method shown as scim).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from '../support/test-host.js';

let host: TestHost;
beforeAll(async () => {
  host = await startTestHost();
});
afterAll(async () => {
  await host.close();
});

const TENANT = '11111111-2222-4333-8444-555555555555';
const CLIENT = 'AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE';
const SECRET = 'a-client-secret-never-shown';

const graphBody = (graph: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  displayName: 'Contoso Graph',
  method: 'graph',
  graph: { tenantId: TENANT, clientId: CLIENT, clientSecret: SECRET, groupSelection: { mode: 'displayNamePrefixes', prefixes: ['COMMS-'] }, ...graph },
  ...extra,
});

const post = (body: unknown) => host.admin('/integrations', { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
const put = (id: string, body: unknown) => host.admin(`/integrations/${id}/graph`, { method: 'PUT', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

describe('Graph integrations in the admin API', () => {
  it('creates one with defaults, keeps the secret in the secret store and never answers it', async () => {
    const response = await post(graphBody());
    expect(response.status).toBe(201);
    const text = await response.text();
    expect(text).not.toContain(SECRET);
    const created = JSON.parse(text) as { id: string; method: string; enabled: boolean; graph: Record<string, unknown> };
    expect(created).toMatchObject({
      method: 'graph',
      enabled: true,
      graph: { tenantId: TENANT, clientId: CLIENT.toLowerCase(), cloud: 'global', membershipDepth: 'transitive', matchingKey: { kind: 'upn' }, groupKinds: ['security', 'mailEnabledSecurity', 'microsoft365', 'dynamic'] },
    });
    expect(await host.services.secrets.get(`graph-client-secret-${created.id}`)).toBe(SECRET);
    for (const path of [`/integrations/${created.id}`, `/integrations/${created.id}/graph`, '/integrations']) {
      const shown = await (await host.admin(path)).text();
      expect(shown).toContain(created.id);
      expect(shown).not.toContain(SECRET);
    }
    expect(await host.adminJson(`/integrations/${created.id}/graph`)).toMatchObject({ id: created.id, graph: { groupSelection: { mode: 'displayNamePrefixes', prefixes: ['COMMS-'] } } });
    // The sync rows see it as a Graph integration.
    const row = await host.services.tables.integrations.getEntity('integration', created.id);
    expect(row).toMatchObject({ method: 'graph', enabled: true });
    // No SCIM token to reveal, and none authenticates.
    expect((await host.admin(`/integrations/${created.id}/secret-token/reveal`, { method: 'POST' })).status).toBe(400);
  });

  it('replaces the settings, keeping the secret unless a new one is given', async () => {
    const { id } = (await (await post(graphBody())).json()) as { id: string };
    const response = await put(id, { tenantId: TENANT, clientId: CLIENT, groupSelection: { mode: 'all' }, matchingKey: { kind: 'employeeId' }, enabled: false });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id, enabled: false, graph: { groupSelection: { mode: 'all' }, matchingKey: { kind: 'employeeId' } } });
    expect(await host.services.secrets.get(`graph-client-secret-${id}`)).toBe(SECRET);
    expect(await host.services.tables.integrations.getEntity('integration', id)).toMatchObject({ enabled: false });
    await put(id, { tenantId: TENANT, clientId: CLIENT, groupSelection: { mode: 'all' }, clientSecret: 'rotated' });
    expect(await host.services.secrets.get(`graph-client-secret-${id}`)).toBe('rotated');
    expect(await host.adminJson(`/integrations/${id}/graph`)).toMatchObject({ enabled: true });
  });

  it.each([
    ['a bad tenant id', graphBody({ tenantId: 'not-a-guid' }), 'graph.tenantId'],
    ['a bad group id', graphBody({ groupSelection: { mode: 'groupIds', groupIds: ['nope'] } }), 'graph.groupSelection.groupIds.0'],
    ['an empty selection', graphBody({ groupSelection: { mode: 'displayNamePrefixes', prefixes: [] } }), 'graph.groupSelection.prefixes'],
    ['an unknown setting', graphBody({ groupFilter: 'x' }), 'graph.groupFilter'],
    ['an unknown property', graphBody({}, { colour: 'red' }), 'colour'],
    ['no secret', graphBody({ clientSecret: undefined }), 'graph.clientSecret'],
    ['no display name', graphBody({}, { displayName: ' ' }), 'displayName'],
  ])('refuses %s with a 400 naming the field', async (_what, body, field) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('invalidRequest');
    expect(error.message).toContain(`${field}:`);
    expect(error.message).not.toContain(SECRET);
  });

  it('refuses bad settings on PUT naming the field, and answers 404 for a SCIM integration', async () => {
    const { id } = (await (await post(graphBody())).json()) as { id: string };
    const bad = await put(id, { tenantId: TENANT, clientId: CLIENT, groupSelection: { mode: 'all' }, userAttributes: ['birthday'] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/^userAttributes\.0: /);
    const scim = await host.createIntegration();
    expect((await host.admin(`/integrations/${scim.id}/graph`)).status).toBe(404);
    expect(await host.adminJson(`/integrations/${scim.id}`)).toMatchObject({ method: 'scim' });
  });
});
