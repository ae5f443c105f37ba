// The Graph client against the fake at the HTTP boundary: paging to the end, $select strictness, ConsistencyLevel
// on every page of an advanced query, throttling and 5xx retries (waits recorded, not slept), typed errors.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GRAPH_MAX_PAGE_SIZE } from '../../../shared/graph/graph-client.js';
import { deltaStartUrl, fetchDeltaPage } from '../../../shared/graph/graph-delta.js';
import { listDirectMembers, listGroups, listTransitiveUserMembers, listUsers } from '../../../shared/graph/graph-directory-reader.js';
import { GraphPermissionError, GraphRequestError, GraphThrottledError } from '../../../shared/graph/graph-errors.js';
import { collect, graphClientFor } from '../../support/graph-fake/client-harness.js';
import { type GraphFake, startGraphFake } from '../../support/graph-fake/graph-fake.js';
import { SAMPLE_COST_CENTER, sampleTenant, type SampleTenant } from '../../support/graph-fake/sample-tenant.js';

describe('GraphClient against the Graph fake', () => {
  let sample: SampleTenant;
  let fake: GraphFake;

  beforeEach(() => {
    sample = sampleTenant();
    fake = startGraphFake({ tenant: sample.tenant, fake: { pageSize: 2 } });
  });
  afterEach(() => fake.close());

  it('follows nextLink to the last page and counts every request', async () => {
    const { client } = graphClientFor(fake);
    const users = await collect(listUsers(client, ['id', 'userPrincipalName']));
    expect(users.map((u) => u.userPrincipalName)).toEqual(['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace'].map((n) => `${n}@contoso.example`));
    const userRequests = fake.routes.requests.filter((r) => r.path === '/users');
    expect(userRequests).toHaveLength(4);
    expect(userRequests.every((r) => r.status === 200)).toBe(true);
    expect(client.counters).toMatchObject({ requests: 4, pages: 4, retries: 0, throttledWaitInMs: 0 });
  });

  it('does not stop at an empty page that carries a nextLink', async () => {
    fake.routes.options.emptyFirstPage = true;
    const { client } = graphClientFor(fake);
    const users = await collect(listUsers(client, ['id']));
    expect(users).toHaveLength(7);
    const objects = [];
    for await (const user of client.objects(client.url('/users', { select: ['id'] }))) objects.push(user);
    expect(objects).toEqual(users);
  });

  it('always sends $select, and gets only the selected properties back (extensions only when selected and set)', async () => {
    const { client } = graphClientFor(fake);
    const users = await collect(listUsers(client, ['id', 'employeeId', 'onPremisesExtensionAttributes', SAMPLE_COST_CENTER]));
    expect(Object.keys(users[1] ?? {}).sort()).toEqual(['employeeId', 'id', 'onPremisesExtensionAttributes']);
    expect(users[0]).toMatchObject({ employeeId: 'E1000', [SAMPLE_COST_CENTER]: 'CC-0' });
    expect(users[0]?.onPremisesExtensionAttributes).toMatchObject({ extensionAttribute1: 'cm-alice', extensionAttribute2: null, extensionAttribute15: 'last' });
    expect(Object.keys(users[0]?.onPremisesExtensionAttributes as object)).toHaveLength(15);
    expect(users[0]).not.toHaveProperty('userPrincipalName');
    expect(fake.routes.requests.every((r) => r.query.has('$select') || r.query.has('$skiptoken'))).toBe(true);
  });

  it('leaves out even id when it is not selected, as Graph does', async () => {
    const { client } = graphClientFor(fake);
    const groups = await collect(listGroups(client, ['displayName']));
    expect(groups[0]).toEqual({ displayName: 'COMMS-Top' });
  });

  it('refuses an empty $select and a $top beyond 999 before sending anything', () => {
    const { client } = graphClientFor(fake);
    expect(() => client.url('/users', { select: [''] })).toThrow(RangeError);
    expect(() => client.url('/users', { select: ['id'], top: GRAPH_MAX_PAGE_SIZE + 1 })).toThrow(RangeError);
    expect(fake.routes.requests).toHaveLength(0);
  });

  it('filters groups by displayName prefix with startswith, quotes escaped', async () => {
    const { client } = graphClientFor(fake);
    sample.tenant.addGroup({ displayName: "COMMS-O'Brien" });
    const comms = await collect(listGroups(client, ['id', 'displayName'], { displayNamePrefix: 'comms-' }));
    expect(comms.map((g) => g.displayName)).toContain('COMMS-Top');
    expect(comms.map((g) => g.displayName)).not.toContain('SALES-Team');
    expect(comms).toHaveLength(10);
    const quoted = await collect(listGroups(client, ['displayName'], { displayNamePrefix: "COMMS-O'" }));
    expect(quoted).toEqual([{ displayName: "COMMS-O'Brien" }]);
  });

  it('re-sends ConsistencyLevel: eventual on every page of a transitive-members cast', async () => {
    const { client } = graphClientFor(fake);
    const members = await collect(listTransitiveUserMembers(client, sample.groups['COMMS-Top'], ['id', 'userPrincipalName']));
    expect(members.map((m) => m.userPrincipalName).sort()).toEqual(['alice', 'bob', 'carol', 'dave'].map((n) => `${n}@contoso.example`));
    const pages = fake.routes.requests.filter((r) => r.path.includes('transitiveMembers'));
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.every((r) => r.consistencyLevel === 'eventual' && r.status === 200)).toBe(true);
  });

  it('the fake refuses a later page of an advanced query sent without ConsistencyLevel', async () => {
    const { client } = graphClientFor(fake);
    const first = await client.getPage(client.url(`/groups/${sample.groups['COMMS-Top']}/transitiveMembers/microsoft.graph.user`, { select: ['id'], count: true }), { advancedQuery: true });
    expect(first.count).toBe(4);
    await expect(client.getPage(first.nextLink as string)).rejects.toMatchObject({ status: 400, code: 'Request_UnsupportedQuery' });
  });

  it('lists direct members with their @odata.type, never following nesting; a cycle ends', async () => {
    const { client } = graphClientFor(fake);
    const direct = await collect(listDirectMembers(client, sample.groups['COMMS-CycleA']));
    expect(direct).toEqual([
      { '@odata.type': '#microsoft.graph.user', id: sample.users.erin },
      { '@odata.type': '#microsoft.graph.group', id: sample.groups['COMMS-CycleB'] },
    ]);
    const transitive = await collect(listTransitiveUserMembers(client, sample.groups['COMMS-CycleA']));
    expect(transitive.map((m) => m.id).sort()).toEqual([sample.users.erin, sample.users.frank].sort());
  });

  it('honours Retry-After on 429 and reports the wait', async () => {
    fake.routes.faults.add({ path: /\/users/, status: 429, retryAfter: 7, times: 2 });
    const { client, sleeps } = graphClientFor(fake);
    const users = await collect(listUsers(client, ['id']));
    expect(users).toHaveLength(7);
    expect(sleeps).toEqual([7000, 7000]);
    expect(client.counters).toMatchObject({ throttledResponses: 2, retries: 2, throttledWaitInMs: 14_000, requests: 6, pages: 4 });
  });

  it('reads Retry-After given as an HTTP date', async () => {
    fake.routes.faults.add({ status: 429, retryAfter: 'Tue, 01 Dec 2026 00:00:30 GMT' });
    const { client, sleeps } = graphClientFor(fake);
    await collect(listUsers(client, ['id']));
    expect(sleeps).toEqual([30_000]);
  });

  it('backs off exponentially with jitter through a burst of 503 and 504 without Retry-After', async () => {
    fake.routes.faults.add({ status: 503, times: 3 }).add({ status: 504 });
    const { client, sleeps } = graphClientFor(fake, { random: () => 0.5, retry: { baseDelayInMs: 1000, maxBackoffInMs: 5000 } });
    expect(await collect(listUsers(client, ['id']))).toHaveLength(7);
    expect(sleeps).toEqual([500, 1000, 2000, 2500]);
    expect(client.counters.throttledWaitInMs).toBe(6000);
  });

  it('caps a very long Retry-After, and retries a network failure with backoff', async () => {
    fake.routes.faults.add({ status: 429, retryAfter: 3600 });
    let failures = 1;
    const flakyFetch: typeof fetch = (input, init) => {
      if (failures-- > 0) return Promise.reject(new TypeError('fetch failed'));
      return fetch(input, init);
    };
    const { client, sleeps } = graphClientFor(fake, { fetch: flakyFetch, retry: { maxRetryAfterInMs: 120_000, baseDelayInMs: 1000 } });
    expect(await collect(listUsers(client, ['id']))).toHaveLength(7);
    expect(sleeps).toEqual([500, 120_000]);
    expect(client.counters).toMatchObject({ retries: 2, throttledResponses: 1 });
  });

  it('gives up after the bounded tries with a typed error that carries Graph\'s request id', async () => {
    fake.routes.faults.add({ status: 429, retryAfter: 1, times: 10 });
    const { client, sleeps } = graphClientFor(fake, { retry: { maxAttempts: 3 } });
    const error = await collect(listUsers(client, ['id'])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphThrottledError);
    expect((error as GraphThrottledError).requestId).toMatch(/^fake-request-/);
    expect(sleeps).toEqual([1000, 1000]);
    expect(client.counters.requests).toBe(3);
  });

  it('turns 403 Authorization_RequestDenied into a GraphPermissionError naming nothing secret', async () => {
    sample.tenant.app.permissions.delete('GroupMember.Read.All');
    sample.tenant.app.permissions.delete('Group.Read.All');
    const { client } = graphClientFor(fake);
    const error = await collect(listGroups(client, ['id'])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphPermissionError);
    expect(error).toMatchObject({ status: 403, code: 'Authorization_RequestDenied', path: '/v1.0/groups' });
    expect((error as GraphPermissionError).requestId).toMatch(/^fake-request-/);
    expect(String((error as Error).message)).not.toContain(fake.credentials.clientSecret);
    expect(String((error as Error).message)).not.toMatch(/Bearer|eyJ|^t[A-Za-z0-9_-]{10,}/);
  });

  it('shows user members as stubs without User.Read.All, as Graph does', async () => {
    sample.tenant.app.permissions.delete('User.Read.All');
    const { client } = graphClientFor(fake);
    const members = await collect(listDirectMembers(client, sample.groups['COMMS-M365'], ['id', 'userPrincipalName']));
    expect(members).toEqual([
      { '@odata.type': '#microsoft.graph.user', id: sample.users.grace },
      { '@odata.type': '#microsoft.graph.user', id: sample.users.alice },
    ]);
  });

  it('the fake answers 400 for a property that does not exist and 501 for one a list cannot return', async () => {
    const { client } = graphClientFor(fake);
    await expect(collect(listUsers(client, ['id', 'favouriteColour']))).rejects.toMatchObject({ status: 400, code: 'Request_BadRequest' });
    await expect(collect(listUsers(client, ['id', 'skills']))).rejects.toMatchObject({ status: 501 });
  });

  it('never sends the token outside the cloud\'s Graph, whatever a link says', async () => {
    const { client } = graphClientFor(fake);
    await expect(client.getPage('https://graph.example.net/v1.0/users?$skiptoken=x')).rejects.toThrow(/refusing to send a Graph token/);
    await expect(client.getPage('https://graph.microsoft.com.evil.example/v1.0/users')).rejects.toThrow(RangeError);
  });

  it('refuses answers that are not what Graph documents: no value array, a delta page without either link', async () => {
    const answers = [{ items: [] }, { value: [{ id: 'x' }] }];
    const oddFetch: typeof fetch = () => Promise.resolve(Response.json(answers.shift(), { headers: { 'request-id': 'odd-1' } }));
    const { client } = graphClientFor(fake, { fetch: oddFetch });
    await expect(client.getPage(client.url('/users', { select: ['id'] }))).rejects.toMatchObject({ code: 'MalformedResponse', path: '/v1.0/users' });
    await expect(fetchDeltaPage(client, deltaStartUrl(client, 'users', ['id']))).rejects.toMatchObject({ code: 'MalformedResponse', graphMessage: expect.stringContaining('neither nextLink nor deltaLink') });
  });

  it('reports a non-Graph error body with the status and the response\'s request-id header', async () => {
    const { client } = graphClientFor(fake);
    const error = await client.getJson(client.url('/groups/00000000-0000-4000-8000-00000000dead', { select: ['id'] })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphRequestError);
    expect(error).toMatchObject({ status: 404, code: 'Request_ResourceNotFound' });
  });
});
