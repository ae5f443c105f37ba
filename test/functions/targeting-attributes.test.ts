// Targeting attributes over HTTP: created from a source's catalog (labels and sample values), renamed, switched,
// deleted; the value index backfilled for people written before the attribute and kept in step by later writes; the
// values and groups of one person.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScimClient, startTestHost, type TestHost } from '../support/test-host.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const DEPARTMENT = `${ENTERPRISE}:department`;
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let host: TestHost;
let scim: ScimClient;
let integrationId: string;
let n = 0;
const unique = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${++n}`;
const send = (path: string, method: string, body?: unknown): Promise<Response> =>
  host.admin(path, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

async function user(department: string, title = 'Engineer'): Promise<string> {
  const response = await scim.post('/Users', { userName: `${unique('t')}@contoso.com`, active: true, title, [ENTERPRISE]: { department } });
  expect(response.status).toBe(201);
  return String(response.body.id);
}

async function resolveIds(attributeId: string, condition: Record<string, unknown>): Promise<string[]> {
  const response = await send('/audiences/resolve', 'POST', { attributes: { attributeId, ...condition }, pageSize: 200 });
  expect(response.status).toBe(200);
  return ((await response.json()) as { users: { id: string }[] }).users.map((u) => u.id).sort();
}

async function backfillToEnd(id: string): Promise<any> {
  for (let step = 0; step < 100; step++) {
    const response = await send(`/targeting-attributes/${id}/backfill`, 'POST', {});
    expect(response.status).toBe(200);
    const body = (await response.json()) as any;
    if (body.backfill.status === 'done') return body;
  }
  throw new Error('backfill did not finish');
}

/** The value index rows of an attribute still in storage (its partitions v|<id>|<shard>). */
async function indexRowsLeft(attributeId: string): Promise<number> {
  let left = 0;
  for await (const _row of host.services.tables.targeting.listEntities({ queryOptions: { filter: `PartitionKey ge 'v|${attributeId}|' and PartitionKey lt 'v|${attributeId}}'` } })) left++;
  return left;
}

beforeAll(async () => {
  host = await startTestHost();
  const integration = await host.createIntegration('create', 'HR source');
  integrationId = integration.id;
  scim = new ScimClient(integration.tenantUrl, integration.secretToken);
});
afterAll(async () => host.close());

describe('targeting attributes', () => {
  it('lists the source catalog with readable labels and sample values', async () => {
    await user('Sales');
    const body = await host.adminJson(`/data-source-attributes/${integrationId}`);
    const department = body.attributes.find((a: any) => a.path === DEPARTMENT);
    expect(department).toMatchObject({ label: 'Department (enterprise)', type: 'string' });
    expect(department.sampleValues).toContain('sales');
    expect((await host.admin('/data-source-attributes/nope')).status).toBe(404);
  });

  it('creates from a catalogued path, backfills people written before, and follows later writes', async () => {
    const before = [await user('Finance'), await user('Finance')];
    const created = await send('/targeting-attributes', 'POST', { name: unique('Department'), integrationId, path: DEPARTMENT.toUpperCase(), enabled: true });
    expect(created.status).toBe(201);
    const attribute = (await created.json()) as any;
    expect(attribute).toMatchObject({ integrationId, path: DEPARTMENT, label: 'Department (enterprise)', enabled: true, backfill: { status: 'pending' } });
    expect(await resolveIds(attribute.id, { equals: 'finance' })).toEqual([]);

    const done = await backfillToEnd(attribute.id);
    expect(done.backfill.indexedPeople).toBeGreaterThanOrEqual(2);
    expect(await resolveIds(attribute.id, { equals: 'FINANCE' })).toEqual(expect.arrayContaining(before.sort()));

    // A write after the attribute exists moves the person's row; a delete removes it.
    const [moved, deleted] = before as [string, string];
    const patched = await scim.patch(`/Users/${moved}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: DEPARTMENT, value: 'Legal' }] });
    expect(patched.status).toBe(200);
    expect((await scim.request('DELETE', `/Users/${deleted}`)).status).toBe(204);
    const finance = await resolveIds(attribute.id, { equals: 'finance' });
    expect(finance).not.toContain(moved);
    expect(finance).not.toContain(deleted);
    expect(await resolveIds(attribute.id, { equals: 'legal' })).toContain(moved);
    const fresh = await user('Finance');
    expect(await resolveIds(attribute.id, { equals: 'finance' })).toContain(fresh);

    const values = await host.adminJson(`/users/${moved}/targeting`);
    expect(values.attributes).toEqual(expect.arrayContaining([{ id: attribute.id, name: attribute.name, enabled: true, integrationId, values: ['legal'] }]));
  });

  it('renames, switches and deletes; a disabled attribute cannot be targeted', async () => {
    const created = (await (await send('/targeting-attributes', 'POST', { name: unique('Title'), integrationId, path: 'title', enabled: false })).json()) as any;
    const renamed = await send(`/targeting-attributes/${created.id}`, 'PATCH', { name: 'Job title renamed' });
    expect(((await renamed.json()) as any).name).toBe('Job title renamed');
    const refused = await send('/audiences/resolve', 'POST', { attributes: { attributeId: created.id, present: true } });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as any).error.message).toMatch(/not enabled/);
    await send(`/targeting-attributes/${created.id}`, 'PATCH', { enabled: true });
    await backfillToEnd(created.id);
    expect((await resolveIds(created.id, { present: true })).length).toBeGreaterThan(0);

    const listed = await host.adminJson('/targeting-attributes');
    expect(listed.attributes.map((a: any) => a.id)).toContain(created.id);
    expect((await send(`/targeting-attributes/${created.id}`, 'DELETE')).status).toBe(204);
    expect((await host.admin(`/targeting-attributes/${created.id}`)).status).toBe(404);
    expect((await send(`/targeting-attributes/${created.id}`, 'DELETE')).status).toBe(404);
    expect(await indexRowsLeft(created.id)).toBe(0);
  });

  it.each([
    ['no name', { integrationId: 'x', path: 'title' }, 400, /name/],
    ['an unknown integration', { name: 'A', integrationId: 'abc123', path: 'title' }, 400, /Integration abc123 not found/],
    ['a path the source never sent', { name: 'A', integrationIdFromTest: true, path: 'nickName' }, 400, /has not imported/],
    ['an unknown field', { name: 'A', path: 'title', colour: 'red', integrationIdFromTest: true }, 400, /colour/],
  ])('refuses a create with %s', async (_what, input, status, message) => {
    const { integrationIdFromTest, ...body } = input as Record<string, unknown>;
    const response = await send('/targeting-attributes', 'POST', integrationIdFromTest === true ? { ...body, integrationId } : body);
    expect(response.status).toBe(status);
    expect(((await response.json()) as any).error.message).toMatch(message);
  });

  it('refuses a name already taken (case-insensitively) and bad updates', async () => {
    const name = unique('Unique');
    expect((await send('/targeting-attributes', 'POST', { name, integrationId, path: 'title' })).status).toBe(201);
    const taken = await send('/targeting-attributes', 'POST', { name: name.toUpperCase(), integrationId, path: 'title' });
    expect(taken.status).toBe(409);
    const listed = await host.adminJson('/targeting-attributes');
    const id = listed.attributes.find((a: any) => a.name === name).id;
    expect((await send(`/targeting-attributes/${id}`, 'PATCH', {})).status).toBe(400);
    expect((await send(`/targeting-attributes/${id}`, 'PATCH', { enabled: 'yes' })).status).toBe(400);
    expect((await send('/targeting-attributes/unknown1', 'PATCH', { enabled: true })).status).toBe(404);
    expect((await send('/targeting-attributes', 'DELETE')).status).toBe(405);
  });

  it('answers 404 for the targeting data of an unknown user', async () => {
    expect((await host.admin('/users/0123abcd/targeting')).status).toBe(404);
  });
});

describe('a data source going away', () => {
  it('takes its targeting attributes and their index rows with it (deleteForIntegration)', async () => {
    const other = await host.createIntegration('create', 'Leaving source');
    const otherScim = new ScimClient(other.tenantUrl, other.secretToken);
    expect((await otherScim.post('/Users', { userName: `${unique('leaving')}@contoso.com`, title: 'Pilot' })).status).toBe(201);
    const kept = (await (await send('/targeting-attributes', 'POST', { name: unique('Kept'), integrationId, path: 'title' })).json()) as any;
    const leaving = (await (await send('/targeting-attributes', 'POST', { name: unique('Leaving'), integrationId: other.id, path: 'title' })).json()) as any;
    await backfillToEnd(leaving.id);
    expect(await host.services.targetingAttributes.deleteForIntegration(other.id)).toBe(1);
    const ids = (await host.adminJson('/targeting-attributes')).attributes.map((a: any) => a.id);
    expect(ids).toContain(kept.id);
    expect(ids).not.toContain(leaving.id);
    expect(await indexRowsLeft(leaving.id)).toBe(0);
  });
});

describe('the backfill', () => {
  it('restarts from the first person on request, and steps are bounded (resumable across calls)', async () => {
    for (let i = 0; i < 3; i++) await user('Restart');
    const attribute = (await (await send('/targeting-attributes', 'POST', { name: unique('Restartable'), integrationId, path: DEPARTMENT })).json()) as any;
    const stepped = await host.services.targetingAttributes.backfillStep(attribute.id, { pageSize: 2 });
    expect(stepped.backfill).toMatchObject({ status: 'pending', continuationToken: expect.any(String) });
    const done = await backfillToEnd(attribute.id);
    const restarted = await send(`/targeting-attributes/${attribute.id}/backfill`, 'POST', { restart: true });
    expect(((await restarted.json()) as any).backfill.status).toBe('done');
    const again = await host.adminJson(`/targeting-attributes/${attribute.id}`);
    expect(again.backfill.indexedPeople).toBe(done.backfill.indexedPeople);
    expect((await send(`/targeting-attributes/${attribute.id}/backfill`, 'POST', { restart: 'yes' })).status).toBe(400);
  });
});
