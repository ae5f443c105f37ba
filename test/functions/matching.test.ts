// The central rule: in matchOnly mode an integration's /Users is a view of the Content Manager users, matched by UPN
// case-insensitively; Entra's values are kept per data source; unknown UPNs become staged records that a later import
// links in place, keeping the id Entra holds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filterQuery, ScimClient, startTestHost, type TestHost } from '../support/test-host.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

let host: TestHost;
let n = 0;
const upn = (): string => `person${Date.now().toString(36)}${++n}@Contoso.com`;

beforeAll(async () => {
  host = await startTestHost();
});
afterAll(async () => host.close());

async function importUsers(rows: unknown, contentType = 'application/json'): Promise<any> {
  const response = await host.admin('/users', { method: 'POST', body: typeof rows === 'string' ? rows : JSON.stringify(rows), headers: { 'content-type': contentType } });
  expect(response.status).toBe(200);
  return (await response.json()) as any;
}

async function integration(mode: 'matchOnly' | 'create' = 'matchOnly'): Promise<ScimClient> {
  const created = await host.createIntegration(mode, `Integration ${++n}`);
  return new ScimClient(created.tenantUrl, created.secretToken);
}

async function match(scim: ScimClient, userName: string): Promise<any[]> {
  const response = await scim.get(`/Users?${filterQuery(`userName eq "${userName}"`)}`);
  expect(response.status).toBe(200);
  return response.body.Resources as any[];
}

describe('matchOnly', () => {
  it('finds an imported Content Manager user by UPN in any case, and PATCH writes only this source', async () => {
    const name = upn();
    const report = await importUsers([{ username: `CONTOSO\\${name.split('@')[0]}`, upn: name, displayName: 'Ada Lovelace', email: name }]);
    expect(report.created).toBe(1);
    const a = await integration();
    const b = await integration();
    const [found] = await match(a, name.toUpperCase());
    expect(found).toMatchObject({ id: report.results[0].id, userName: name, displayName: 'Ada Lovelace', active: true });
    const patched = await a.patch(`/Users/${found.id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'Replace', path: 'displayName', value: 'Ada (from A)' },
        { op: 'Add', path: `${ENTERPRISE}:department`, value: 'Analytics' },
      ],
    });
    expect(patched.status).toBe(200);
    expect((await match(a, name))[0]).toMatchObject({ displayName: 'Ada (from A)', [ENTERPRISE]: { department: 'Analytics' } });
    expect((await match(b, name))[0].displayName).toBe('Ada Lovelace');
    const detail = await host.adminJson(`/users/${found.id}`);
    expect(detail.displayName).toBe('Ada Lovelace');
    expect(detail.sources).toHaveLength(1);
    expect(detail.sources[0].attributes[ENTERPRISE]).toEqual({ department: 'Analytics' });
    const attributes = await host.adminJson(`/integrations/${detail.sources[0].integrationId}/attributes`);
    expect(attributes.attributes.map((x: any) => x.path)).toEqual(expect.arrayContaining(['displayName', `${ENTERPRISE}:department`]));
  });

  it('answers 409 uniqueness to a POST for a UPN that already matches (the filter said 1 result)', async () => {
    const name = upn();
    await importUsers([{ username: name, upn: name }]);
    const a = await integration();
    const response = await a.post('/Users', { userName: name.toLowerCase(), active: true });
    expect(response.status).toBe(409);
    expect(response.body.scimType).toBe('uniqueness');
  });

  it('stages an unknown UPN: a real SCIM resource that is not a Content Manager user, linked in place by a later import', async () => {
    const name = upn();
    const a = await integration();
    const staged = await a.post('/Users', { userName: name, externalId: 'aad-1', active: true, displayName: 'Staged' });
    expect(staged.status).toBe(201);
    expect((await match(a, name))[0].id).toBe(staged.body.id);
    expect((await a.patch(`/Users/${staged.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Engineer' }] })).status).toBe(200);
    expect((await host.admin(`/users/${staged.body.id}`)).status).toBe(404);
    const listed = await host.adminJson(`/users?search=${encodeURIComponent(name.toLowerCase())}&pageSize=1000`);
    expect(listed.users.some((u: any) => u.id === staged.body.id)).toBe(false);
    const report = await importUsers(`username,upn,displayName,email\r\n"${name}",${name.toUpperCase()},"Linked, Later",${name}\r\n`, 'text/csv');
    expect(report.linked).toBe(1);
    expect(report.results[0].id).toBe(staged.body.id);
    const detail = await host.adminJson(`/users/${staged.body.id}`);
    expect(detail).toMatchObject({ id: staged.body.id, displayName: 'Linked, Later' });
    const after = await a.get(`/Users/${staged.body.id}`);
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ title: 'Engineer', externalId: 'aad-1' });
  });

  it('DELETE removes this source\'s data and hides the user from this view only; the Content Manager user stays', async () => {
    const name = upn();
    const report = await importUsers([{ username: name, upn: name, displayName: 'Kept' }]);
    const id = report.results[0].id as string;
    const a = await integration();
    const b = await integration();
    await a.patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'externalId', value: 'gone' }] });
    expect((await a.delete(`/Users/${id}`)).status).toBe(204);
    expect((await a.get(`/Users/${id}`)).status).toBe(404);
    expect(await match(a, name)).toEqual([]);
    expect((await a.get(`/Users?${filterQuery('externalId eq "gone"')}`)).body.totalResults).toBe(0);
    expect((await match(b, name))[0].id).toBe(id);
    expect((await host.admin(`/users/${id}`)).status).toBe(200);
    const back = await a.post('/Users', { userName: name, active: true });
    expect(back.status).toBe(201);
    expect(back.body.id).toBe(id);
  });

  it('active=false keeps the user and its memberships; re-enable restores it', async () => {
    const name = upn();
    const report = await importUsers([{ username: name, upn: name }]);
    const id = report.results[0].id as string;
    const a = await integration();
    const group = await a.post('/Groups', { displayName: `g-${n}` });
    await a.patch(`/Groups/${group.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: id }] }] });
    await a.patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    const members = (await a.get(`/Groups/${group.body.id}`)).body.members as { value: string }[];
    expect(members.map((m) => m.value)).toEqual([id]);
    await a.patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'True' }] });
    expect((await a.get(`/Users/${id}`)).body.active).toBe(true);
  });

  it('concurrent POSTs of one userName: exactly one 201, the rest 409', async () => {
    const a = await integration();
    const name = upn();
    const responses = await Promise.all(Array.from({ length: 12 }, () => a.post('/Users', { userName: name, active: true })));
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    expect(responses.filter((r) => r.status === 409)).toHaveLength(11);
  });

  it('concurrent PATCHes of one user lose no update', async () => {
    const a = await integration();
    const created = await a.post('/Users', { userName: upn(), active: true });
    const paths = Array.from({ length: 10 }, (_, i) => `urn:ietf:params:scim:schemas:extension:Acme:2.0:User:field${i}`);
    const responses = await Promise.all(paths.map((path, i) => a.patch(`/Users/${created.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path, value: `v${i}` }] })));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    const stored = (await a.get(`/Users/${created.body.id}`)).body;
    expect(Object.keys(stored['urn:ietf:params:scim:schemas:extension:Acme:2.0:User']).sort()).toEqual(paths.map((p) => p.split(':').pop()).sort());
    const schemas = (await a.get('/Schemas')).body.Resources.map((s: any) => s.id);
    expect(schemas).toContain('urn:ietf:params:scim:schemas:extension:Acme:2.0:User');
  });
});

describe('create mode', () => {
  it('a POST creates a Content Manager user; DELETE by the creating integration deletes it', async () => {
    const a = await integration('create');
    const name = upn();
    const created = await a.post('/Users', { userName: name, displayName: 'Made by Entra', emails: [{ value: name, type: 'work', primary: true }] });
    expect(created.status).toBe(201);
    const detail = await host.adminJson(`/users/${created.body.id}`);
    expect(detail).toMatchObject({ username: name, upn: name, displayName: 'Made by Entra', email: name });
    expect((await a.delete(`/Users/${created.body.id}`)).status).toBe(204);
    expect((await host.admin(`/users/${created.body.id}`)).status).toBe(404);
  });
});

describe('admin import', () => {
  it('reports created, updated, unchanged and rejected rows with reasons', async () => {
    const name = upn();
    const first = await importUsers([{ username: name, upn: name }, { upn: 'no-username@x.com' }, { username: name }]);
    expect(first.created).toBe(1);
    expect(first.rejected.map((r: any) => r.row)).toEqual([2, 3]);
    expect(first.rejected[0].reason).toContain('username');
    const second = await importUsers([{ username: name, upn: name, displayName: 'New name' }, { username: name.replace('person', 'other'), upn: name.toUpperCase() }]);
    expect(second.updated).toBe(1);
    expect(second.rejected[0].reason).toContain('already belongs');
    const third = await importUsers([{ username: name, upn: name, displayName: 'New name' }]);
    expect(third.unchanged).toBe(1);
  });

  it('rejects a malformed body with a clear 400', async () => {
    const response = await host.admin('/users', { method: 'POST', body: '{"not":"an array"}', headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).error.code).toBe('invalidImport');
  });
});

describe('admin user list', () => {
  it('pages through every user exactly once, and a search fills its pages without skipping a match', async () => {
    const tag = `lst${Date.now().toString(36)}`;
    const rows = Array.from({ length: 23 }, (_, i) => ({ username: `${tag}-${i}@contoso.com`, upn: `${tag}-${i}@contoso.com`, displayName: i % 3 === 0 ? `Needle ${tag}` : `Hay ${i}` }));
    await importUsers(rows);
    const walk = async (query: string): Promise<string[]> => {
      const seen: string[] = [];
      let token: string | undefined;
      do {
        const page = await host.adminJson(`/users?pageSize=4&${query}${token === undefined ? '' : `&continuationToken=${encodeURIComponent(token)}`}`);
        expect(page.users.length).toBeLessThanOrEqual(4);
        seen.push(...page.users.map((u: any) => u.username));
        token = page.continuationToken;
      } while (token !== undefined);
      return seen;
    };
    const all = await walk('');
    expect(new Set(all).size).toBe(all.length);
    expect(all.filter((u) => u.startsWith(tag))).toHaveLength(23);
    const found = await walk(`search=${encodeURIComponent(`needle ${tag}`)}`);
    expect(found.sort()).toEqual(rows.filter((_, i) => i % 3 === 0).map((r) => r.username).sort());
  });
});
