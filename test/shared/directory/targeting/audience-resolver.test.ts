// The resolver checks the groups and attributes an audience names while it reads the index (their point reads used to
// come first, one after the other, before any index row), and still refuses with the first refused one in the
// condition's order. The stores are in-memory fakes of the directory's interfaces whose reads are released by the
// test, so the order of calls is observed, not timed.
import { describe, expect, it } from 'vitest';
import { InvalidValueError } from '../../../../shared/directory/errors.js';
import type { GroupRecord } from '../../../../shared/directory/model/group-record.js';
import { type AudienceCondition, AudienceResolver } from '../../../../shared/directory/targeting/audience-resolver.js';

interface Gate {
  opened: Promise<void>;
  open(): void;
}
function gate(): Gate {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}
const turns = async (count: number): Promise<void> => {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
};

function harness(groupIds: string[], enabled: (groupId: string) => boolean | undefined) {
  const checks = groupIds.map(() => gate());
  const pending = new Set<string>();
  let indexReads = 0;
  const group = (groupId: string): GroupRecord | undefined => {
    const on = enabled(groupId);
    return on === undefined ? undefined : { id: groupId, integrationId: 'i1', displayName: `Group ${groupId}`, enabled: on, created: '', lastModified: '', version: 1 };
  };
  const resolver = new AudienceResolver(
    {
      userIdsInRange: (_integrationId: string, _groupId: string, range: { from: string }) => {
        indexReads += 1;
        return Promise.resolve([`${range.from === '' ? '00' : range.from}-member`]);
      },
    },
    { peopleInShard: () => Promise.resolve([]) },
    {
      get: async (_integrationId: string, groupId: string) => {
        pending.add(groupId);
        await checks[groupIds.indexOf(groupId)]?.opened;
        pending.delete(groupId);
        return group(groupId);
      },
    },
    { get: () => Promise.resolve(undefined) },
  );
  const condition: AudienceCondition = { kind: 'or', conditions: groupIds.map((groupId) => ({ kind: 'group', integrationId: 'i1', groupId })) };
  return { resolver, condition, checks, pending, indexReads: () => indexReads };
}

describe('audience resolver', () => {
  it('reads the index while it checks the groups, and checks them at the same time', async () => {
    const { resolver, condition, checks, pending, indexReads } = harness(['g1', 'g2', 'g3'], () => true);
    const resolving = resolver.resolve(condition, { pageSize: 10 });
    await turns(5);
    expect([...pending].sort()).toEqual(['g1', 'g2', 'g3']);
    expect(indexReads()).toBeGreaterThan(0);
    for (const check of checks) check.open();
    const page = await resolving;
    expect(page.total).toBe(16);
    expect(page.personIds).toHaveLength(10);
    expect(page.lastId).toBe(page.personIds[9]);
  });

  it('refuses with the first refused group in the condition, whichever check answers first', async () => {
    const { resolver, condition, checks } = harness(['g1', 'g2', 'g3'], (groupId) => (groupId === 'g1' ? undefined : groupId !== 'g3'));
    const resolving = resolver.resolve(condition, { pageSize: 10 });
    checks[2]?.open();
    await turns(3);
    checks[1]?.open();
    checks[0]?.open();
    await expect(resolving).rejects.toThrow(new InvalidValueError('groups', 'Group g1 of integration i1 not found'));
    await expect(resolver.assertTargetable({ kind: 'group', integrationId: 'i1', groupId: 'g3' })).rejects.toThrow(/"Group g3" is not enabled for targeting/);
  });
});
