// The membership steps' payloads: several groups to a step, and a message of an earlier version (one group, `g` and
// `id`) still read, so a run in progress across a deployment goes on.
import { describe, expect, it } from 'vitest';
import { GROUPS_PER_MEMBERS_STEP, membershipPayloadOf, membershipSteps } from '../../../../shared/graph/sync/member-steps.js';

describe('membership step payloads', () => {
  it('hand out the groups several to a step, and read back what they hand out', () => {
    const groups = Array.from({ length: 2 * GROUPS_PER_MEMBERS_STEP + 1 }, (_, index) => ({ g: `graph-${index}`, id: `ours-${index}` }));
    const steps = membershipSteps('members', groups, GROUPS_PER_MEMBERS_STEP, { matched: true });
    expect(steps.map((step) => (step.payload as { groups: unknown[] }).groups.length)).toEqual([GROUPS_PER_MEMBERS_STEP, GROUPS_PER_MEMBERS_STEP, 1]);
    expect(steps.flatMap((step) => membershipPayloadOf(step.payload)?.groups ?? [])).toEqual(groups);
    expect(steps.every((step) => step.kind === 'members' && membershipPayloadOf(step.payload)?.matched === true)).toBe(true);
  });

  it('read a message of the earlier shape as one group, and refuse what is neither shape', () => {
    expect(membershipPayloadOf({ g: 'graph-1', id: 'ours-1', matched: true })).toEqual({ groups: [{ g: 'graph-1', id: 'ours-1' }], matched: true });
    expect(membershipPayloadOf({ g: 'graph-1', id: 'ours-1' })).toEqual({ groups: [{ g: 'graph-1', id: 'ours-1' }] });
    for (const bad of [null, [], 'x', {}, { groups: [] }, { groups: [{ g: 'graph-1' }] }, { g: 1, id: 'x' }]) expect(membershipPayloadOf(bad)).toBeUndefined();
  });
});
