// The fake's links name fixed positions, as Graph's do: a nextLink (list or delta) fetched again answers the same
// page, so a sync step delivered twice reads what its first delivery read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deltaStartUrl } from '../../../shared/graph/graph-delta.js';
import { graphClientFor } from '../../support/graph-fake/client-harness.js';
import { type GraphFake, startGraphFake } from '../../support/graph-fake/graph-fake.js';
import { sampleTenant } from '../../support/graph-fake/sample-tenant.js';

let fake: GraphFake;
beforeAll(() => {
  fake = startGraphFake({ tenant: sampleTenant().tenant, fake: { pageSize: 2, deltaPageSize: 2 } });
});
afterAll(() => {
  fake.close();
});

describe('Graph fake links', () => {
  it.each([
    ['a list', (client: ReturnType<typeof graphClientFor>['client']) => client.url('/users', { select: ['id'], top: 999 })],
    ['a delta round', (client: ReturnType<typeof graphClientFor>['client']) => deltaStartUrl(client, 'users', ['id'])],
  ])('answer the same page when %s’s nextLink is fetched again', async (_what, firstUrl) => {
    const { client } = graphClientFor(fake);
    const first = await client.getPage(firstUrl(client));
    const link = first.nextLink ?? '';
    const once = await client.getPage(link);
    const twice = await client.getPage(link);
    expect(twice.value).toEqual(once.value);
    expect(once.value.map((user) => user.id)).not.toEqual(first.value.map((user) => user.id));
    const after = await client.getPage(once.nextLink ?? '');
    expect(after.value.map((user) => user.id)).not.toEqual(once.value.map((user) => user.id));
  });
});
