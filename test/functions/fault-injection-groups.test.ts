// Fault injection along the group write paths: create with members, PATCH (rename, add 100 members, remove members)
// and DELETE. See test/support/fault-injection-harness.ts.
import { afterAll, beforeAll, describe } from 'vitest';
import { expectStatus, FaultScenario, PATH_TIMEOUT_MS, pathTests, SCIM_PATCH_OP, type WritePath } from '../support/fault-injection-harness.js';

const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const MEMBER_COUNT = 100;

/** Paths skipped until the product defect named is fixed (see the fault-injection report). */
const KNOWN_DEFECTS: Record<string, string> = {};

const patch = (...operations: Record<string, unknown>[]) => ({ schemas: [SCIM_PATCH_OP], Operations: operations });

describe('fault injection: groups', () => {
  let scenario: FaultScenario;
  let userIds: string[] = [];
  beforeAll(async () => {
    scenario = await FaultScenario.start('matchOnly', async (env) => {
      const upns = Array.from({ length: MEMBER_COUNT }, (_, i) => `member${String(i).padStart(3, '0')}@contoso.com`);
      const report = await expectStatus(env.admin('POST', '/users', upns.map((upn) => ({ username: upn, upn }))), 200);
      userIds = (report.body.results as { id: string; row: number }[]).sort((a, b) => a.row - b.row).map((r) => r.id);
      const team = await expectStatus(env.scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Team', externalId: 'x-team', members: userIds.slice(0, 5).map((value) => ({ value })) }), 201);
      const big = await expectStatus(env.scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Big' }), 201);
      return { team: String(team.body.id), big: String(big.body.id) };
    });
  }, PATH_TIMEOUT_MS);
  afterAll(() => scenario.close());

  const paths: WritePath[] = [
    {
      name: 'create with members',
      route: 'scim',
      settledStatuses: [409],
      send: (env) => env.scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'New', externalId: 'x-new', members: userIds.slice(10, 13).map((value) => ({ value })) }),
    },
    { name: 'PATCH rename', route: 'scim', send: (env) => env.scim.patch(`/Groups/${env.ids.team}`, patch({ op: 'replace', path: 'displayName', value: 'Team Renamed' })) },
    { name: `PATCH add ${MEMBER_COUNT} members`, route: 'scim', send: (env) => env.scim.patch(`/Groups/${env.ids.big}`, patch({ op: 'add', path: 'members', value: userIds.map((value) => ({ value })) })) },
    {
      name: 'PATCH remove members',
      route: 'scim',
      send: (env) => env.scim.patch(`/Groups/${env.ids.team}`, patch(...userIds.slice(0, 3).map((value) => ({ op: 'remove', path: `members[value eq "${value}"]` })))),
    },
    { name: 'DELETE with members', route: 'scim', settledStatuses: [404], send: (env) => env.scim.delete(`/Groups/${env.ids.team}`) },
  ];
  pathTests(() => scenario, paths, KNOWN_DEFECTS);
});
