// A directory built only through the real SCIM and admin HTTP paths, for the storage checker's tests: Content Manager
// users imported by an admin (one of them renamed), a matchOnly integration A that attaches to one of them, stages a
// record an import later links, keeps another staged and deletes a third; a create-mode integration B that creates
// users, renames one and deletes another; groups of both with users and a nested group as members, one renamed, one
// deleted.
import { expect } from 'vitest';
import type { TableClients } from '../../../shared/storage/table-clients.js';
import { ScimClient, startTestHost, type TestHost } from '../../support/test-host.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export interface Integration {
  id: string;
  scim: ScimClient;
}

export interface DirectoryState {
  host: TestHost;
  tables: TableClients;
  /** matchOnly */
  a: Integration;
  /** create */
  b: Integration;
  /** Imported by the admin; `ada` is attached to A, `bob` had his UPN renamed. */
  ada: string;
  bob: string;
  /** Staged by A, then linked by an import. */
  eve: string;
  /** Staged by A and still staged (so B cannot see it). */
  fay: string;
  /** Created by B; `gus` renamed by B. */
  gil: string;
  gus: string;
  groupA: string;
  nestedA: string;
  groupB: string;
  tag: string;
}

async function expectStatus(response: Promise<{ status: number; body: any }>, status: number): Promise<any> {
  const answer = await response;
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  return answer.body;
}

export async function buildDirectory(tablePrefix?: string): Promise<DirectoryState> {
  const host = await startTestHost(tablePrefix === undefined ? {} : { tablePrefix });
  // Every host has tables of its own, so names need not differ between runs: fixed names give fixed buckets.
  const tag = 'ck';
  const importUsers = async (rows: unknown[]): Promise<any> => {
    const response = await host.admin('/users', { method: 'POST', body: JSON.stringify(rows), headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(200);
    return response.json();
  };
  const integration = async (mode: 'matchOnly' | 'create'): Promise<Integration> => {
    const created = await host.createIntegration(mode, `Checker ${mode}`);
    return { id: created.id, scim: new ScimClient(created.tenantUrl, created.secretToken) };
  };
  const a = await integration('matchOnly');
  const b = await integration('create');
  const upn = (name: string): string => `${name}.${tag}@Contoso.com`;

  const imported = await importUsers(
    ['ada', 'bob', 'cy'].map((name) => ({ username: `CONTOSO\\${name}${tag}`, upn: upn(name), displayName: `${name} imported`, email: upn(name) })),
  );
  const [ada, bob] = (imported.results as { id: string }[]).map((result) => result.id) as [string, string];
  await importUsers([{ username: `CONTOSO\\bob${tag}`, upn: upn('robert'), displayName: 'bob renamed' }]);

  const user = (userName: string, extra: Record<string, unknown> = {}) => ({ userName, active: true, ...extra });
  // A matches Ada by UPN (as Entra does) and writes its own values for her.
  const replace = (value: Record<string, unknown>) => ({ schemas: [PATCH_OP], Operations: [{ op: 'replace', value }] });
  await expectStatus(a.scim.patch(`/Users/${ada}`, replace({ externalId: `aad-ada-${tag}`, displayName: 'Ada from A', emails: [{ value: upn('ada.a'), type: 'work', primary: true }] })), 200);
  const eve = (await expectStatus(a.scim.post('/Users', user(upn('eve'), { externalId: `aad-eve-${tag}`, displayName: 'Eve staged' })), 201)).id as string;
  await importUsers([{ username: `CONTOSO\\eve${tag}`, upn: upn('eve'), displayName: 'Eve linked' }]);
  const fay = (await expectStatus(a.scim.post('/Users', user(upn('fay'), { emails: [{ value: upn('fay'), type: 'work' }] })), 201)).id as string;
  const hal = (await expectStatus(a.scim.post('/Users', user(upn('hal'))), 201)).id as string;
  await expectStatus(a.scim.delete(`/Users/${hal}`), 204);

  const gil = (await expectStatus(b.scim.post('/Users', user(upn('gil'), { externalId: `aad-gil-${tag}`, displayName: 'Gil', emails: [{ value: upn('gil'), type: 'work', primary: true }] })), 201)).id as string;
  const gus = (await expectStatus(b.scim.post('/Users', user(upn('gus'), { externalId: `aad-gus-${tag}` })), 201)).id as string;
  const ida = (await expectStatus(b.scim.post('/Users', user(upn('ida'), { displayName: 'Ida' })), 201)).id as string;
  await expectStatus(b.scim.patch(`/Users/${gus}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'userName', value: upn('gus.renamed') }] }), 200);

  const group = async (scim: ScimClient, displayName: string, members: string[]): Promise<string> => {
    const body = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName, externalId: `aad-${displayName}-${tag}`, members: members.map((value) => ({ value })) };
    return (await expectStatus(scim.post('/Groups', body), 201)).id as string;
  };
  const nestedA = await group(a.scim, `Nested A ${tag}`, [ada]);
  const groupA = await group(a.scim, `Team A ${tag}`, [ada, eve, fay, nestedA]);
  await expectStatus(a.scim.patch(`/Groups/${groupA}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: `Team A renamed ${tag}` }] }), 204);
  const groupB = await group(b.scim, `Team B ${tag}`, [gil, gus, ida, ada]);
  const doomed = await group(b.scim, `Doomed B ${tag}`, [gil, groupB]);
  await expectStatus(b.scim.delete(`/Groups/${doomed}`), 204);
  await expectStatus(b.scim.delete(`/Users/${ida}`), 204);

  return { host, tables: host.services.tables, a, b, ada, bob, eve, fay, gil, gus, groupA, nestedA, groupB, tag };
}
