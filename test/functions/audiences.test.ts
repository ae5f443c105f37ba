// POST /api/admin/audiences/resolve over HTTP: group conditions (anyOf, allOf) and attribute conditions (equals,
// oneOf, startsWith, present; and/or), combined; exact totals, pages walked with the continuation token, and the
// caller's mistakes as 400s naming the problem.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScimClient, startTestHost, type TestHost } from '../support/test-host.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

let host: TestHost;
let scim: ScimClient;
let integrationId: string;
let department: string;
let title: string;
const people: { id: string; department: string; title: string }[] = [];
const groups: Record<string, string> = {};
let n = 0;
const unique = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${++n}`;
const send = (path: string, method: string, body?: unknown): Promise<Response> =>
  host.admin(path, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });

async function resolve(body: Record<string, unknown>): Promise<{ total: number; ids: string[] }> {
  const ids: string[] = [];
  let total = -1;
  let continuationToken: string | undefined;
  do {
    const response = await send('/audiences/resolve', 'POST', { ...body, pageSize: 7, ...(continuationToken === undefined ? {} : { continuationToken }) });
    expect(response.status).toBe(200);
    const page = (await response.json()) as { total: number; users: { id: string }[]; continuationToken?: string };
    if (total !== -1) expect(page.total).toBe(total);
    total = page.total;
    ids.push(...page.users.map((user) => user.id));
    continuationToken = page.continuationToken;
  } while (continuationToken !== undefined);
  expect(ids).toEqual([...ids].sort());
  return { total, ids: ids.sort() };
}

const ids = (filter: (person: (typeof people)[number]) => boolean): string[] => people.filter(filter).map((person) => person.id).sort();

beforeAll(async () => {
  host = await startTestHost();
  const integration = await host.createIntegration('create', 'Audience source');
  integrationId = integration.id;
  scim = new ScimClient(integration.tenantUrl, integration.secretToken);
  const departments = ['Sales', 'Sales EMEA', 'Finance', 'Legal'];
  for (let i = 0; i < 40; i++) {
    const person = { department: departments[i % 4] as string, title: i % 3 === 0 ? 'Manager' : 'Engineer' };
    const doc: Record<string, unknown> = { userName: `${unique('aud')}@contoso.com`, active: true, title: person.title };
    if (i % 10 !== 9) doc[ENTERPRISE] = { department: person.department };
    const response = await scim.post('/Users', doc);
    expect(response.status).toBe(201);
    people.push({ id: String(response.body.id), department: i % 10 === 9 ? '' : person.department, title: person.title });
  }
  for (const [name, members] of [
    ['even', people.filter((_, i) => i % 2 === 0)],
    ['third', people.filter((_, i) => i % 3 === 0)],
    ['disabled', people.slice(0, 5)],
  ] as const) {
    const created = await scim.post('/Groups', { schemas: [GROUP], displayName: unique(name), members: members.map((p) => ({ value: p.id })) });
    expect(created.status).toBe(201);
    groups[name] = String(created.body.id);
    if (name !== 'disabled') await send('/groups', 'PATCH', { enabled: true, groups: [{ integrationId, groupId: created.body.id }] });
  }
  const attribute = async (path: string): Promise<string> => {
    const created = await send('/targeting-attributes', 'POST', { name: unique(path), integrationId, path, enabled: true });
    expect(created.status).toBe(201);
    return String(((await created.json()) as { id: string }).id);
  };
  department = await attribute(`${ENTERPRISE}:department`);
  title = await attribute('title');
  for (const id of [department, title]) {
    for (let done = false; !done; ) done = ((await (await send(`/targeting-attributes/${id}/backfill`, 'POST', {})).json()) as any).backfill.status === 'done';
  }
});
afterAll(async () => host.close());

const group = (name: string) => ({ integrationId, groupId: groups[name] });
const index = (id: string): number => people.findIndex((p) => p.id === id);

describe('audience resolution', () => {
  it('groups: anyOf is the union, allOf the intersection', async () => {
    expect(await resolve({ groups: { anyOf: [group('even'), group('third')] } })).toEqual({
      total: ids((p) => index(p.id) % 2 === 0 || index(p.id) % 3 === 0).length,
      ids: ids((p) => index(p.id) % 2 === 0 || index(p.id) % 3 === 0),
    });
    expect((await resolve({ groups: { allOf: [group('even'), group('third')] } })).ids).toEqual(ids((p) => index(p.id) % 6 === 0));
  });

  it('attributes: equals (case-insensitive), oneOf, startsWith, present', async () => {
    expect((await resolve({ attributes: { attributeId: department, equals: 'sALES' } })).ids).toEqual(ids((p) => p.department === 'Sales'));
    expect((await resolve({ attributes: { attributeId: department, oneOf: ['finance', 'Legal', 'Nowhere'] } })).ids).toEqual(ids((p) => p.department === 'Finance' || p.department === 'Legal'));
    expect((await resolve({ attributes: { attributeId: department, startsWith: 'sal' } })).ids).toEqual(ids((p) => p.department.startsWith('Sales')));
    const present = await resolve({ attributes: { attributeId: department, present: true } });
    expect(present).toEqual({ total: 36, ids: ids((p) => p.department !== '') });
  });

  it('attributes combined with and/or, and with groups', async () => {
    const managersInSalesOrLegal = await resolve({
      attributes: { and: [{ attributeId: title, equals: 'manager' }, { or: [{ attributeId: department, startsWith: 'sales' }, { attributeId: department, equals: 'legal' }] }] },
    });
    expect(managersInSalesOrLegal.ids).toEqual(ids((p) => p.title === 'Manager' && (p.department.startsWith('Sales') || p.department === 'Legal')));
    const evenFinance = await resolve({ groups: { anyOf: [group('even')] }, attributes: { attributeId: department, equals: 'Finance' } });
    expect(evenFinance.ids).toEqual(ids((p) => index(p.id) % 2 === 0 && p.department === 'Finance'));
  });

  it('an empty audience answers total 0 and no token', async () => {
    const response = await send('/audiences/resolve', 'POST', { attributes: { attributeId: department, equals: 'nobody' } });
    expect(await response.json()).toEqual({ total: 0, users: [] });
  });

  it('answers each user with its UPN and whether it is a Content Manager user', async () => {
    const response = await send('/audiences/resolve', 'POST', { groups: { allOf: [group('even')] }, pageSize: 1 });
    const body = (await response.json()) as any;
    expect(body.users[0]).toMatchObject({ id: expect.any(String), upn: expect.stringMatching(/@contoso\.com$/), contentManagerUser: true });
    expect(body.continuationToken).toEqual(expect.any(String));
  });

  it.each([
    ['no condition', {}, /groups and\/or attributes/],
    ['an empty groups condition', { groups: {} }, /at least one group/],
    ['two operators in one attribute condition', { attributes: { attributeId: 'abc', equals: 'a', present: true } }, /attributes/],
    ['a value too long', { attributes: { attributeId: 'abc', equals: 'x'.repeat(300) } }, /256/],
    ['an unknown attribute', { attributes: { attributeId: 'abc123', equals: 'a' } }, /Targeting attribute abc123 not found/],
    ['an unknown group', { groups: { anyOf: [{ integrationId: 'abc', groupId: 'def' }] } }, /Group def of integration abc not found/],
    ['a page too large', { groups: { anyOf: [{ integrationId: 'abc', groupId: 'def' }] }, pageSize: 5000 }, /pageSize/],
    ['a garbled continuation token', { attributes: { attributeId: 'abc', present: true }, continuationToken: '%%%' }, /continuationToken/],
    ['a forged continuation token', { attributes: { attributeId: 'abc', present: true }, continuationToken: Buffer.from('{"after":"../x"}').toString('base64url') }, /continuationToken/],
    ['nesting too deep', { attributes: { and: [{ and: [{ and: [{ and: [{ and: [{ attributeId: 'abc', present: true }] }] }] }] }] } }, /nest/],
  ])('answers 400 for %s', async (_what, body, message) => {
    const response = await send('/audiences/resolve', 'POST', body);
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).error.message).toMatch(message);
  });

  it('refuses a group that is not enabled for targeting, and JSON that is not JSON', async () => {
    const refused = await send('/audiences/resolve', 'POST', { groups: { anyOf: [group('disabled')] } });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as any).error.message).toMatch(/not enabled for targeting/);
    expect((await send('/audiences/resolve', 'POST', '{nope')).status).toBe(400);
  });
});
