// Defect 3 of the integrity review: an integration's own userNames are its own. Only the Content Manager UPN (or the
// name a staged record was staged under) is shared organisation-wide; one integration's renames never block, and a
// 409 never reveals, another integration's users. In every case an integration's filter and its POST agree.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filterQuery, ScimClient, startTestHost, type TestHost } from '../support/test-host.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let host: TestHost;
let n = 0;
const upn = (label: string): string => `${label}${Date.now().toString(36)}${++n}@Contoso.com`;

beforeAll(async () => {
  host = await startTestHost();
});
afterAll(async () => host.close());

async function integration(): Promise<ScimClient> {
  const created = await host.createIntegration('matchOnly', `Names ${++n}`);
  return new ScimClient(created.tenantUrl, created.secretToken);
}

async function importUser(username: string): Promise<any> {
  const response = await host.admin('/users', { method: 'POST', body: JSON.stringify([{ username, upn: username }]), headers: { 'content-type': 'application/json' } });
  expect(response.status).toBe(200);
  return ((await response.json()) as any).results[0] ?? (await Promise.reject(new Error('the import rejected the row')));
}

async function ids(scim: ScimClient, userName: string): Promise<string[]> {
  const response = await scim.get(`/Users?${filterQuery(`userName eq "${userName}"`)}`);
  expect(response.status).toBe(200);
  return response.body.Resources.map((r: any) => r.id);
}

const rename = (userName: string) => ({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'userName', value: userName }] });

describe('an integration\'s own userNames are its own', () => {
  it('a name one integration gave its user is free for another: its filter finds nothing and its POST creates', async () => {
    const [a, b] = [await integration(), await integration()];
    const alice = await importUser(upn('alice'));
    const ceo = upn('ceo');
    expect((await a.patch(`/Users/${alice.id}`, rename(ceo))).status).toBe(200);
    expect(await ids(a, ceo)).toEqual([alice.id]);
    expect(await ids(b, ceo)).toEqual([]);
    const posted = await b.post('/Users', { userName: ceo, active: true });
    expect(posted.status).toBe(201);
    expect(posted.body.id).not.toBe(alice.id);
    expect(await ids(b, ceo)).toEqual([posted.body.id]);
    // And the UPN is still importable: the import links B's staged record in place.
    const imported = await importUser(ceo);
    expect(imported).toMatchObject({ outcome: 'linked', id: posted.body.id });
  });

  it('a rename into a name another integration staged is not a 409 (which would reveal that record)', async () => {
    const [a, b] = [await integration(), await integration()];
    const name = upn('staged');
    const staged = await b.post('/Users', { userName: name, active: true });
    expect(staged.status).toBe(201);
    const own = await a.post('/Users', { userName: upn('mine'), active: true });
    expect((await a.patch(`/Users/${own.body.id}`, rename(name))).status).toBe(200);
    expect(await ids(a, name)).toEqual([own.body.id]);
    expect(await ids(b, name)).toEqual([staged.body.id]);
  });

  it('names stay unique within one integration\'s view, and a user another integration renamed keeps its UPN there', async () => {
    const [a, b] = [await integration(), await integration()];
    const first = await a.post('/Users', { userName: upn('first'), active: true });
    const second = await a.post('/Users', { userName: upn('second'), active: true });
    const rename409 = await a.patch(`/Users/${second.body.id}`, rename(first.body.userName.toUpperCase()));
    expect(rename409.status).toBe(409);
    const bobUpn = upn('bob');
    const bob = await importUser(bobUpn);
    expect((await a.patch(`/Users/${bob.id}`, rename(upn('robert')))).status).toBe(200);
    expect(await ids(b, bobUpn)).toEqual([bob.id]);
    // A's view no longer shows bob under his UPN, so its POST of that UPN is not a duplicate of bob: it creates.
    expect(await ids(a, bobUpn)).toEqual([]);
    expect((await a.post('/Users', { userName: bobUpn, active: true })).status).toBe(201);
  });

  it('a Content Manager user with the UPN comes first in a view that has its own user by that name; filter and POST agree', async () => {
    const a = await integration();
    const own = await a.post('/Users', { userName: upn('own'), active: true });
    const later = upn('later');
    expect((await a.patch(`/Users/${own.body.id}`, rename(later))).status).toBe(200);
    const imported = await importUser(later);
    const found = await ids(a, later);
    expect(found).toEqual([imported.id]);
    expect((await a.post('/Users', { userName: later, active: true })).status).toBe(409);
  });
});
