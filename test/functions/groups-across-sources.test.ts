// The groups of every data source over HTTP: filters, pages, possible duplicates across sources, the switch for many
// groups, a group's members paged, a person's groups of every source; bad input as 4xx naming the problem.
import { HttpRequest } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminError } from '../../shared/admin-api/admin-http.js';
import { groupMembers } from '../../shared/admin-api/groups-api.js';
import type { Services } from '../../shared/services.js';
import { ScimClient, startTestHost, type TestHost } from '../support/test-host.js';

const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

let host: TestHost;
let entra: { id: string; scim: ScimClient };
let onPremises: { id: string; scim: ScimClient };
let userId: string;
const send = (path: string, method: string, body?: unknown): Promise<Response> =>
  host.admin(path, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

async function group(source: { scim: ScimClient }, displayName: string, members: string[] = []): Promise<string> {
  const response = await source.scim.post('/Groups', { schemas: [GROUP], displayName, members: members.map((value) => ({ value })) });
  expect(response.status).toBe(201);
  return String(response.body.id);
}

async function walk(query: string, pageSize: number): Promise<any[]> {
  const all: any[] = [];
  let token: string | undefined;
  do {
    const body = await host.adminJson(`/groups?pageSize=${pageSize}${query}${token === undefined ? '' : `&continuationToken=${token}`}`);
    expect(body.groups.length).toBeLessThanOrEqual(pageSize);
    all.push(...body.groups);
    token = body.continuationToken;
  } while (token !== undefined);
  return all;
}

const groupIds: Record<string, string> = {};

beforeAll(async () => {
  host = await startTestHost();
  const a = await host.createIntegration('create', 'Entra');
  const b = await host.createIntegration('create', 'On-premises AD');
  entra = { id: a.id, scim: new ScimClient(a.tenantUrl, a.secretToken) };
  onPremises = { id: b.id, scim: new ScimClient(b.tenantUrl, b.secretToken) };
  const created = await entra.scim.post('/Users', { userName: 'grace@contoso.com', active: true });
  userId = String(created.body.id);
  await onPremises.scim.post('/Users', { userName: 'grace@contoso.com', active: true });
  groupIds.entraSales = await group(entra, 'Sales', [userId]);
  groupIds.adSales = await group(onPremises, 'SALES', [userId]);
  for (let i = 0; i < 7; i++) groupIds[`team${i}`] = await group(entra, `Team ${i}`);
  groupIds.adOnly = await group(onPremises, 'Facilities');
});
afterAll(async () => host.close());

describe('groups across all sources', () => {
  it('pages through every group of every source once, each with its source', async () => {
    const all = await walk('', 3);
    expect(all).toHaveLength(10);
    expect(new Set(all.map((g) => g.id)).size).toBe(10);
    expect(all.find((g) => g.id === groupIds.adOnly)).toMatchObject({ integrationId: onPremises.id, integrationName: 'On-premises AD', displayName: 'Facilities', enabled: false, kind: 'unclassified' });
  });

  it('shows groups of the same display name in two sources as possible duplicates of each other', async () => {
    const all = await walk('&search=sales', 50);
    expect(all.map((g) => g.id).sort()).toEqual([groupIds.entraSales, groupIds.adSales].sort());
    const entraSales = all.find((g) => g.id === groupIds.entraSales);
    expect(entraSales.possibleDuplicates).toEqual([{ integrationId: onPremises.id, groupId: groupIds.adSales, displayName: 'SALES', reason: 'displayName' }]);
    const team = (await walk('&search=team%200', 50))[0];
    expect(team.possibleDuplicates).toEqual([]);
  });

  it('switches many groups at once and filters by status, source and kind', async () => {
    const switched = await send('/groups', 'PATCH', {
      enabled: true,
      groups: [
        { integrationId: entra.id, groupId: groupIds.team1 },
        { integrationId: onPremises.id, groupId: groupIds.adOnly },
        { integrationId: entra.id, groupId: 'missing1' },
      ],
    });
    expect(switched.status).toBe(200);
    const outcome = (await switched.json()) as any;
    expect(outcome.updated).toHaveLength(2);
    expect(outcome.notFound).toEqual([{ integrationId: entra.id, groupId: 'missing1' }]);
    expect((await walk('&status=enabled', 50)).map((g) => g.id).sort()).toEqual([groupIds.team1, groupIds.adOnly].sort());
    expect(await walk('&status=disabled', 50)).toHaveLength(8);
    expect((await walk(`&status=enabled&integrationId=${onPremises.id}`, 50)).map((g) => g.id)).toEqual([groupIds.adOnly]);
    expect(await walk('&kind=microsoft365', 50)).toEqual([]);
  });

  it('pages a group’s members and lists a person’s groups of every source', async () => {
    const members = await host.adminJson(`/groups/${entra.id}/${groupIds.entraSales}/members?pageSize=10`);
    expect(members).toMatchObject({ displayName: 'Sales', members: [{ value: userId, type: 'User' }] });
    const targeting = await host.adminJson(`/users/${userId}/targeting`);
    expect(targeting.groups.map((g: any) => g.id).sort()).toEqual([groupIds.entraSales, groupIds.adSales].sort());
  });

  it.each([
    ['/groups?status=maybe', 400, /status/],
    ['/groups?pageSize=0', 400, /pageSize/],
    ['/groups?continuationToken=abc%25', 400, /continuationToken/],
    [`/groups?continuationToken=${Buffer.from('{"i":"a"}').toString('base64url')}`, 400, /continuationToken/],
    ['/groups/abc/def/members', 404, /Group def/],
    ['/groups/abc/def/members?continuationToken=zzz', 400, /continuationToken/],
  ])('GET %s answers %i', async (path, status, message) => {
    const response = await host.admin(path);
    expect(response.status).toBe(status);
    expect(((await response.json()) as any).error.message).toMatch(message);
  });

  it.each([
    ['no groups', { enabled: true, groups: [] }, /at least one group/],
    ['no switch', { groups: [{ integrationId: 'a', groupId: 'b' }] }, /enabled/],
    ['a bad id', { enabled: true, groups: [{ integrationId: 'a/b', groupId: 'b' }] }, /integrationId/],
  ])('PATCH with %s answers 400', async (_what, body, message) => {
    const response = await send('/groups', 'PATCH', body);
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).error.message).toMatch(message);
  });
});

describe('a member page token the storage service refuses', () => {
  it('is the caller’s 400, not a 500', async () => {
    const token = Buffer.from(JSON.stringify({ nextPartitionKey: 'm|a|b', nextRowKey: 'x' })).toString('base64');
    const refusing = {
      groups: { get: () => Promise.resolve({ id: 'b', displayName: 'B' }) },
      allGroups: { members: () => Promise.reject(Object.assign(new Error('One of the request inputs is not valid.'), { statusCode: 400 })) },
    };
    const request = new HttpRequest({ method: 'GET', url: `https://fn.example.net/api/admin/groups/a/b/members?continuationToken=${encodeURIComponent(token)}`, params: { integrationId: 'a', groupId: 'b' } });
    const error = await groupMembers(request, refusing as unknown as Services).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AdminError);
    expect(error).toMatchObject({ status: 400, code: 'invalidContinuationToken' });
  });
});
