// POST /api/admin/integrations/{id}/graph/test-connection through the local host: the stored credentials (the secret
// from the secret store) reach the Graph fake through the real credential and client; the report never holds the
// secret; an unknown integration is a 404, a SCIM integration a 409, in the admin API's error format.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GraphFake, startGraphFake } from '../support/graph-fake/graph-fake.js';
import { sampleTenant } from '../support/graph-fake/sample-tenant.js';
import { startTestHost, type TestHost } from '../support/test-host.js';

let host: TestHost;
let fake: GraphFake;
beforeAll(async () => {
  host = await startTestHost();
  fake = startGraphFake({ tenant: sampleTenant().tenant });
});
afterAll(async () => {
  fake.close();
  await host.close();
});

async function createGraph(clientSecret: string): Promise<string> {
  const graph = { tenantId: fake.tenant.tenantId, clientId: fake.tenant.app.clientId, clientSecret, groupSelection: { mode: 'all' } };
  const response = await host.admin('/integrations', { method: 'POST', body: JSON.stringify({ displayName: 'Graph', method: 'graph', graph }), headers: { 'content-type': 'application/json' } });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

const testConnection = (id: string) => host.admin(`/integrations/${id}/graph/test-connection`, { method: 'POST' });

describe('the Graph connection test route', () => {
  it('reports every check ok with the stored credentials', async () => {
    const id = await createGraph(fake.credentials.clientSecret);
    const response = await testConnection(id);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain(fake.credentials.clientSecret);
    const report = JSON.parse(text) as { integrationId: string; ok: boolean; checks: { check: string; outcome: string }[] };
    expect(report).toMatchObject({ integrationId: id, ok: true });
    expect(report.checks.map((c) => `${c.check}:${c.outcome}`)).toEqual(['token:ok', 'users:ok', 'groups:ok', 'groupMembers:ok', 'usersDelta:ok', 'groupsDelta:ok']);
  });

  it('says the stored secret is wrong, without echoing it', async () => {
    const id = await createGraph('a-wrong-secret-never-shown');
    const text = await (await testConnection(id)).text();
    expect(text).not.toContain('a-wrong-secret-never-shown');
    const report = JSON.parse(text) as { ok: boolean; checks: { check: string; outcome: string; detail: string }[] };
    expect(report.ok).toBe(false);
    expect(report.checks[0]).toMatchObject({ check: 'token', outcome: 'failed', detail: expect.stringContaining('AADSTS7000215') });
  });

  it('answers 404 for an unknown integration and 409 for a SCIM one', async () => {
    const unknown = await testConnection('doesnotexist');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'notFound' } });
    const scim = await host.createIntegration();
    const refused = await testConnection(scim.id);
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ error: { code: 'notGraphIntegration', message: expect.stringContaining('connection-check') } });
  });
});
