// The Graph connection test through the real credential (MSAL against the fake login service) and the real client
// (against the Graph fake): every check ok on a healthy app; a wrong, expired or unknown credential stops at the token
// with the AADSTS advice; a missing permission fails exactly the calls that need it, naming the permission; a network
// that does not answer is said so. The secret never appears in a report.
import { afterEach, describe, expect, it } from 'vitest';
import { type GraphConnectionReport, testGraphConnection } from '../../../shared/graph/graph-connection-test.js';
import { type GraphIntegrationSettings, parseGraphIntegrationInput } from '../../../shared/graph/graph-integration-settings.js';
import type { GraphPermission } from '../../support/graph-fake/fake-tenant.js';
import { type GraphFake, startGraphFake } from '../../support/graph-fake/graph-fake.js';
import { sampleTenant } from '../../support/graph-fake/sample-tenant.js';

let fake: GraphFake | undefined;
afterEach(() => fake?.close());

function start(permissions?: readonly GraphPermission[]): GraphFake {
  fake = startGraphFake({ tenant: sampleTenant(permissions === undefined ? {} : { permissions }).tenant, fake: { pageSize: 2 } });
  return fake;
}

function settingsOf(graph: GraphFake, extra: Record<string, unknown> = {}): GraphIntegrationSettings {
  const body = { tenantId: graph.tenant.tenantId, clientId: graph.tenant.app.clientId, groupSelection: { mode: 'displayNamePrefixes', prefixes: ['COMMS-'] }, ...extra };
  return parseGraphIntegrationInput(body, 'update').settings;
}

const noWait = { sleep: () => Promise.resolve(), random: () => 0.5 };

async function check(graph: GraphFake, options: { settings?: Record<string, unknown>; secret?: string } = {}): Promise<GraphConnectionReport> {
  return testGraphConnection({ integrationId: 'i1', settings: settingsOf(graph, options.settings), clientSecret: options.secret ?? graph.credentials.clientSecret, client: noWait });
}

const outcomes = (report: GraphConnectionReport) => Object.fromEntries(report.checks.map((c) => [c.check, c.outcome]));
const checkOf = (report: GraphConnectionReport, name: string) => report.checks.find((c) => c.check === name);

describe('Graph connection test', () => {
  it('signs in and makes one cheap call of each kind the sync makes', async () => {
    const graph = start();
    const report = await check(graph);
    expect(report.ok).toBe(true);
    expect(outcomes(report)).toEqual({ token: 'ok', users: 'ok', groups: 'ok', groupMembers: 'ok', usersDelta: 'ok', groupsDelta: 'ok' });
    const paths = graph.routes.requests.map((r) => `${r.path} top=${r.query.get('$top')} delta=${r.query.get('$deltatoken')} cl=${r.consistencyLevel}`);
    expect(paths).toEqual([
      '/users top=1 delta=null cl=null',
      '/groups top=1 delta=null cl=null',
      `/groups/${graph.tenant.groups.values().next().value?.id as string}/transitiveMembers/microsoft.graph.user top=1 delta=null cl=eventual`,
      '/users/delta top=null delta=latest cl=null',
      '/groups/delta top=null delta=latest cl=null',
    ]);
    // The users call names what the integration imports; the groups call its prefix.
    expect(graph.routes.requests[0]?.query.get('$select')).toContain('userPrincipalName');
    expect(graph.routes.requests[1]?.query.get('$filter')).toBe("startswith(displayName,'COMMS-')");
    expect(JSON.stringify(report)).not.toContain(graph.credentials.clientSecret);
  });

  it('reads direct members in direct mode, and a selected group by id', async () => {
    const graph = start();
    const [first] = [...graph.tenant.groups.keys()];
    const report = await check(graph, { settings: { membershipDepth: 'direct', groupSelection: { mode: 'groupIds', groupIds: [first] } } });
    expect(report.ok).toBe(true);
    expect(graph.routes.requests.slice(1, 3).map((r) => r.path)).toEqual([`/groups/${first as string}`, `/groups/${first as string}/members`]);
  });

  const credentialMistakes = [
    { what: 'a wrong secret', arrange: () => ({ secret: 'not-the-secret-value' }), words: ['AADSTS7000215', 'client secret is wrong'] },
    { what: 'an expired secret', arrange: (graph: GraphFake) => ((graph.tenant.app.secretExpired = true), {}), words: ['AADSTS7000222', 'expired'] },
    { what: 'an unknown tenant', arrange: () => ({ settings: { tenantId: '00000000-0000-4000-8000-0000000000dd' } }), words: ['AADSTS90002', 'tenant was not found'] },
    { what: 'an unknown client id', arrange: () => ({ settings: { clientId: '00000000-0000-4000-8000-0000000000cc' } }), words: ['AADSTS700016', 'client id'] },
    { what: 'a login service that cannot be reached', arrange: (graph: GraphFake) => ((graph.login.unreachable = true), {}), words: ['could not be reached'] },
  ];
  for (const { what, arrange, words } of credentialMistakes) {
    it(`stops at the token for ${what}, saying what to fix and never the secret`, async () => {
      const graph = start();
      const options = arrange(graph);
      const report = await check(graph, options);
      expect(report.ok).toBe(false);
      expect(outcomes(report)).toEqual({ token: 'failed', users: 'skipped', groups: 'skipped', groupMembers: 'skipped', usersDelta: 'skipped', groupsDelta: 'skipped' });
      for (const word of words) expect(checkOf(report, 'token')?.detail).toContain(word);
      expect(graph.routes.requests).toEqual([]);
      const text = JSON.stringify(report);
      expect(text).not.toContain(graph.credentials.clientSecret);
      expect(text).not.toContain('not-the-secret-value');
    });
  }

  it('names the missing permission on exactly the calls that need it, with Graph\'s request id', async () => {
    const graph = start(['GroupMember.Read.All']);
    const report = await check(graph);
    expect(outcomes(report)).toEqual({ token: 'ok', users: 'failed', groups: 'ok', groupMembers: 'ok', usersDelta: 'failed', groupsDelta: 'ok' });
    const users = checkOf(report, 'users');
    expect(users).toMatchObject({ permission: 'User.Read.All', requestId: expect.stringMatching(/^fake-request-/) });
    expect(users?.detail).toContain('Add the application permission User.Read.All to the app registration and grant admin consent');
    expect(users?.detail).toContain('Authorization_RequestDenied');
  });

  it('without a group permission, fails the group calls and skips the members it cannot reach', async () => {
    const graph = start(['User.Read.All']);
    const report = await check(graph);
    expect(outcomes(report)).toEqual({ token: 'ok', users: 'ok', groups: 'failed', groupMembers: 'skipped', usersDelta: 'ok', groupsDelta: 'failed' });
    expect(checkOf(report, 'groups')?.detail).toContain('GroupMember.Read.All or Group.Read.All');
  });

  it('says when Graph itself cannot be reached, and when a selected group id is not in the tenant', async () => {
    const graph = start();
    graph.routes.unreachable = true;
    const unreachable = await check(graph);
    expect(outcomes(unreachable)).toMatchObject({ token: 'ok', users: 'failed', groups: 'failed', groupMembers: 'skipped' });
    expect(checkOf(unreachable, 'users')?.detail).toContain('Microsoft Graph could not be reached');
    graph.routes.unreachable = false;
    const missing = await check(graph, { settings: { groupSelection: { mode: 'groupIds', groupIds: ['00000000-0000-4000-8000-0000000000ee'] } } });
    expect(checkOf(missing, 'groups')?.detail).toContain('was not found in the tenant');
  });

  it('reports a selection no group matches', async () => {
    const graph = start();
    const empty = await check(graph, { settings: { groupSelection: { mode: 'displayNamePrefixes', prefixes: ['NOPE-'] } } });
    expect(outcomes(empty)).toMatchObject({ groups: 'ok', groupMembers: 'skipped' });
    expect(checkOf(empty, 'groups')?.detail).toContain('none starts with "NOPE-"');
  });
});
