// The synthetic tenant the Graph benchmark syncs: the asked-for shape, deterministic from its seed, nesting as deep
// as asked, and a change step whose changes a delta round reports.
import { afterEach, describe, expect, it } from 'vitest';
import { deltaRound, deltaStartUrl } from '../../../shared/graph/graph-delta.js';
import { graphClientFor } from '../../support/graph-fake/client-harness.js';
import { type GraphFake, startGraphFake } from '../../support/graph-fake/graph-fake.js';
import { changeSyntheticTenant, syntheticTenant } from '../../support/graph-fake/synthetic-tenant.js';

function userEdges(members: Map<string, Map<string, 'user' | 'group'>>): number {
  let count = 0;
  for (const group of members.values()) for (const type of group.values()) if (type === 'user') count += 1;
  return count;
}

function depthOf(synthetic: ReturnType<typeof syntheticTenant>, groupId: string, seen = new Set<string>()): number {
  seen.add(groupId);
  const children = [...(synthetic.tenant.members.get(groupId) ?? [])].filter(([id, type]) => type === 'group' && !seen.has(id));
  return children.length === 0 ? 0 : 1 + Math.max(...children.map(([id]) => depthOf(synthetic, id, seen)));
}

describe('synthetic tenant', () => {
  let fake: GraphFake | undefined;
  afterEach(() => fake?.close());

  it('has the asked-for shape, the same for the same seed', () => {
    const shape = { users: 200, groups: 40, memberships: 600, nestingDepth: 3, seed: 7 };
    const first = syntheticTenant(shape);
    expect(first.tenant.users.size).toBe(200);
    expect(first.tenant.groups.size).toBe(40);
    expect(userEdges(first.tenant.members)).toBe(600);
    expect(Math.max(...first.levels[0]!.map((id) => depthOf(first, id)))).toBe(3);
    const again = syntheticTenant(shape);
    expect([...again.tenant.members].map(([g, m]) => [g, [...m.keys()]])).toEqual([...first.tenant.members].map(([g, m]) => [g, [...m.keys()]]));
  });

  it('changes a fraction of users and memberships, and a delta round reports exactly the changed ones', async () => {
    const synthetic = syntheticTenant({ users: 300, groups: 30, memberships: 900, nestingDepth: 2 });
    fake = startGraphFake({ tenant: synthetic.tenant, fake: { deltaPageSize: 50 } });
    const { client } = graphClientFor(fake);
    let usersLink: string | undefined;
    for await (const page of deltaRound(client, deltaStartUrl(client, 'users', ['department']))) usersLink = page.deltaLink ?? usersLink;
    const { usersChanged, membershipsChanged } = changeSyntheticTenant(synthetic, 0.01);
    expect(usersChanged).toBe(3);
    expect(membershipsChanged).toBe(9);
    const changed: string[] = [];
    for await (const page of deltaRound(client, usersLink as string)) changed.push(...page.changes.map((c) => c.id));
    expect(changed).toEqual(synthetic.userIds.slice(0, 3));
  });
});
