// Group GETs with members stream them page by page (HTTP streams) and answer exactly what the buffered rendering
// answered: the same JSON for every projection, the same ETag, every member exactly once; lists stream group after
// group; answers without members and errors stay whole.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateScimRequest } from '../../shared/scim-api/authenticate.js';
import type { GroupCall } from '../../shared/scim-api/group-service.js';
import { type ProjectionOptions, projectResource } from '../../shared/scim/projection.js';
import { type MemberRow, MembershipRepository } from '../../shared/storage/membership-repository.js';
import { filterQuery, ScimClient, startTestHost, type TestHost } from '../support/test-host.js';

const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const LARGE = 5_000;

let host: TestHost;
let scim: ScimClient;
let call: GroupCall;
let large: { id: string; displayName: string };
let small: { id: string; displayName: string };
let empty: { id: string; displayName: string };

async function createGroup(displayName: string): Promise<{ id: string; displayName: string }> {
  const response = await scim.post('/Groups', { schemas: [GROUP], displayName, externalId: `ext-${displayName}` });
  expect(response.status).toBe(201);
  return { id: String(response.body.id), displayName };
}

/** Members written straight through the repository (the write path is tested elsewhere): 5,000 in a second. */
const seeded = (count: number, prefix: string): MemberRow[] =>
  Array.from({ length: count }, (_, i) => ({ value: `${prefix}${String(i).padStart(5, '0')}`, type: i % 10 === 0 ? 'Group' : 'User', ...(i % 3 === 0 ? { display: `Member ${i}` } : {}) }));

/** What the buffered rendering answered: the whole resource, members included, then projected. */
async function buffered(id: string, options: ProjectionOptions): Promise<Record<string, unknown>> {
  const group = await host.services.scimGroups.get(call, id, true);
  const members: Record<string, unknown>[] = [];
  for await (const page of group.pages ?? []) members.push(...page);
  return projectResource({ ...group.resource, members }, options);
}

beforeAll(async () => {
  host = await startTestHost();
  const integration = await host.createIntegration('create');
  scim = new ScimClient(integration.tenantUrl, integration.secretToken);
  const record = await authenticateScimRequest(host.services.integrations, integration.id, `Bearer ${integration.secretToken}`);
  call = { integration: record, locationOf: (id) => `${integration.tenantUrl}/Groups/${id}`, userLocationOf: (id) => `${integration.tenantUrl}/Users/${id}` };
  large = await createGroup('Streamed large');
  small = await createGroup('Streamed small');
  empty = await createGroup('Streamed empty');
  const memberships = new MembershipRepository(host.services.tables.members);
  await memberships.add(integration.id, large.id, seeded(LARGE, 'm'));
  await memberships.add(integration.id, small.id, seeded(7, 's'));
}, 120_000);
afterAll(async () => host.close());

describe('streamed group GET', () => {
  it(`answers a ${LARGE}-member group streamed, every member exactly once, as the buffered rendering did`, async () => {
    const response = await scim.get(`/Groups/${large.id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    expect(response.headers.get('content-type')).toBe('application/scim+json');
    expect(response.headers.get('etag')).toBe(response.body.meta.version);
    const values = (response.body.members as { value: string }[]).map((member) => member.value);
    expect(values).toHaveLength(LARGE);
    expect(new Set(values)).toEqual(new Set(seeded(LARGE, 'm').map((member) => member.value)));
    expect(response.body).toEqual(await buffered(large.id, {}));
  });

  const projections: [string, ProjectionOptions][] = [
    ['attributes=members.value', { attributes: ['members.value'] }],
    ['attributes=displayName,members', { attributes: ['displayName', 'members'] }],
    ['attributes=members[type eq "Group"].display', { attributes: ['members[type eq "Group"].display'] }],
    ['excludedAttributes=meta,externalId', { excludedAttributes: ['meta', 'externalId'] }],
  ];
  for (const [query, options] of projections) {
    it(`applies ${query} as before, to every group size`, async () => {
      const parameters = new URLSearchParams(Object.entries(options).map(([name, list]): [string, string] => [name, (list as string[]).join(',')])).toString();
      for (const group of [large, small, empty]) {
        const response = await scim.get(`/Groups/${group.id}?${parameters}`);
        expect(response.status).toBe(200);
        expect(response.body).toEqual(await buffered(group.id, options));
      }
    });
  }

  it('an empty group streams members: [] as before', async () => {
    const response = await scim.get(`/Groups/${empty.id}`);
    expect(response.body.members).toEqual([]);
    expect(response.body).toEqual(await buffered(empty.id, {}));
  });

  it('without members the answer is whole, with Content-Length and the same ETag', async () => {
    const response = await scim.get(`/Groups/${large.id}?excludedAttributes=members`);
    expect(response.headers.get('content-length')).not.toBeNull();
    expect(response.body).not.toHaveProperty('members');
    expect(response.headers.get('etag')).toBe(response.body.meta.version);
  });

  it('an unknown group is still a SCIM 404 envelope', async () => {
    const response = await scim.get('/Groups/0123456789abcdef0123456789abcdef');
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ status: '404', detail: expect.stringContaining('not found') });
  });
});

describe('streamed group lists', () => {
  it('streams group after group, each with all its members, in the ListResponse as before', async () => {
    const response = await scim.get('/Groups?count=200');
    expect(response.status).toBe(200);
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    expect(response.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 3, startIndex: 1, itemsPerPage: 3 });
    const byId = new Map((response.body.Resources as { id: string }[]).map((resource) => [resource.id, resource]));
    for (const group of [large, small, empty]) expect(byId.get(group.id)).toEqual(await buffered(group.id, {}));
  });

  it('applies projection to each listed group, and a filtered list streams too', async () => {
    const response = await scim.get(`/Groups?attributes=members.value&${filterQuery(`displayName eq "${small.displayName}"`)}`);
    expect(response.body.totalResults).toBe(1);
    expect(response.body.Resources).toEqual([await buffered(small.id, { attributes: ['members.value'] })]);
  });

  it('pages by startIndex and count', async () => {
    const all = (await scim.get('/Groups?excludedAttributes=members')).body.Resources as { id: string }[];
    const second = await scim.get('/Groups?startIndex=2&count=1');
    expect(second.body).toMatchObject({ totalResults: 3, startIndex: 2, itemsPerPage: 1 });
    expect(second.body.Resources[0].id).toBe(all[1]?.id);
    expect(second.body.Resources[0]).toEqual(await buffered(String(all[1]?.id), {}));
  });
});
