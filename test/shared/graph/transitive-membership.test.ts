// Transitive membership computed from direct memberships (what delta reports), cycle-safe, and checked against
// Graph's own transitiveMembers for every sample group; the groups a change affects; group kind classification
// from the properties Graph returns.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listDirectMembers, listGroups, listTransitiveUserMembers } from '../../../shared/graph/graph-directory-reader.js';
import { classifyGroup, GROUP_KIND_PROPERTIES, groupKindSelected } from '../../../shared/graph/group-kinds.js';
import { affectedGroups, DirectMembershipGraph, transitiveUserIds } from '../../../shared/graph/transitive-membership.js';
import { collect, graphClientFor } from '../../support/graph-fake/client-harness.js';
import { type GraphFake, startGraphFake } from '../../support/graph-fake/graph-fake.js';
import { SAMPLE_GROUP_NAMES, sampleTenant, type SampleTenant } from '../../support/graph-fake/sample-tenant.js';

describe('transitive membership (pure)', () => {
  function graph(edges: [string, string, 'user' | 'group'][]): DirectMembershipGraph {
    const built = new DirectMembershipGraph();
    for (const [group, member, type] of edges) {
      if (type === 'user') built.addUser(group, member);
      else built.addGroup(group, member);
    }
    return built;
  }

  it('walks nesting several levels deep, each user once', () => {
    const g = graph([['A', 'u1', 'user'], ['A', 'B', 'group'], ['B', 'u2', 'user'], ['B', 'C', 'group'], ['C', 'u3', 'user'], ['C', 'u1', 'user'], ['A', 'C', 'group']]);
    expect([...transitiveUserIds('A', g.directMembersOf)].sort()).toEqual(['u1', 'u2', 'u3']);
    expect([...transitiveUserIds('C', g.directMembersOf)].sort()).toEqual(['u1', 'u3']);
    expect([...transitiveUserIds('unknown', g.directMembersOf)]).toEqual([]);
  });

  it('ends on cycles, including a group that contains itself', () => {
    const g = graph([['A', 'B', 'group'], ['B', 'A', 'group'], ['A', 'u1', 'user'], ['B', 'u2', 'user'], ['S', 'S', 'group'], ['S', 'u3', 'user']]);
    expect([...transitiveUserIds('A', g.directMembersOf)].sort()).toEqual(['u1', 'u2']);
    expect([...transitiveUserIds('B', g.directMembersOf)].sort()).toEqual(['u1', 'u2']);
    expect([...transitiveUserIds('S', g.directMembersOf)]).toEqual(['u3']);
    expect([...affectedGroups(['A'], g.parentsOf)].sort()).toEqual(['A', 'B']);
  });

  it('finds the groups whose transitive members a direct change may alter: the changed ones and all their ancestors', () => {
    const g = graph([['Top', 'Mid', 'group'], ['Mid', 'Low', 'group'], ['Other', 'Mid', 'group'], ['Unrelated', 'u9', 'user']]);
    expect([...affectedGroups(['Low'], g.parentsOf)].sort()).toEqual(['Low', 'Mid', 'Other', 'Top']);
    expect([...affectedGroups(['Top'], g.parentsOf)]).toEqual(['Top']);
  });

  it('follows removals', () => {
    const g = graph([['A', 'B', 'group'], ['B', 'u1', 'user'], ['A', 'u2', 'user']]);
    g.removeGroup('A', 'B');
    g.removeUser('A', 'u2');
    expect([...transitiveUserIds('A', g.directMembersOf)]).toEqual([]);
    expect([...affectedGroups(['B'], g.parentsOf)]).toEqual(['B']);
  });
});

describe('transitive membership against Graph\'s transitiveMembers', () => {
  let sample: SampleTenant;
  let fake: GraphFake;

  beforeEach(() => {
    sample = sampleTenant();
    fake = startGraphFake({ tenant: sample.tenant, fake: { pageSize: 2 } });
  });
  afterEach(() => fake.close());

  it('computes from direct members exactly what Graph flattens, for every group, the cycle included', async () => {
    const { client } = graphClientFor(fake);
    const direct = new DirectMembershipGraph();
    const groupIds = Object.values(sample.groups);
    for (const groupId of groupIds) {
      for (const member of await collect(listDirectMembers(client, groupId))) {
        if (member['@odata.type'] === '#microsoft.graph.group') direct.addGroup(groupId, member.id as string);
        else direct.addUser(groupId, member.id as string);
      }
    }
    for (const groupId of groupIds) {
      const fromGraph = (await collect(listTransitiveUserMembers(client, groupId))).map((m) => m.id as string).sort();
      expect([...transitiveUserIds(groupId, direct.directMembersOf)].sort()).toEqual(fromGraph);
    }
    expect(transitiveUserIds(sample.groups['COMMS-Top'], direct.directMembersOf).size).toBe(4);
  });
});

describe('group kinds', () => {
  let fake: GraphFake;
  afterEach(() => fake.close());

  it('classifies the groups Graph returns and selects them by the integration\'s kinds', async () => {
    const sample = sampleTenant();
    fake = startGraphFake({ tenant: sample.tenant });
    const { client } = graphClientFor(fake);
    const groups = await collect(listGroups(client, ['displayName', ...GROUP_KIND_PROPERTIES]));
    const kinds = Object.fromEntries(groups.map((g) => [g.displayName as string, classifyGroup(g)]));
    expect(Object.keys(kinds)).toEqual([...SAMPLE_GROUP_NAMES]);
    expect(kinds['COMMS-Top']).toEqual({ baseKind: 'security', dynamic: false });
    expect(kinds['COMMS-M365']).toEqual({ baseKind: 'microsoft365', dynamic: false });
    expect(kinds['COMMS-Dynamic']).toEqual({ baseKind: 'security', dynamic: true });
    expect(kinds['COMMS-MailSecurity']).toEqual({ baseKind: 'mailEnabledSecurity', dynamic: false });
    expect(kinds['Everyone-Distribution']).toEqual({ baseKind: 'distribution', dynamic: false });

    const selected = (chosen: Parameters<typeof groupKindSelected>[1]) => Object.entries(kinds).filter(([, k]) => groupKindSelected(k, chosen)).map(([name]) => name);
    expect(selected(['microsoft365'])).toEqual(['COMMS-M365']);
    expect(selected(['security'])).not.toContain('COMMS-Dynamic');
    expect(selected(['security', 'dynamic'])).toContain('COMMS-Dynamic');
    expect(selected(['security', 'mailEnabledSecurity', 'microsoft365', 'dynamic'])).not.toContain('Everyone-Distribution');
  });
});
