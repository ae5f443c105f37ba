// /Groups filters evaluated without loading members: membership conditions become point reads (pure, fake reads).
import { describe, expect, it } from 'vitest';
import { matchesGroupFilter, mentionsMembers, pinnedAttribute, pinnedGroupId } from '../../../shared/scim-api/group-filter.js';
import { parseFilter } from '../../../shared/scim/filter/index.js';

const group: Record<string, unknown> = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
  id: 'g1',
  displayName: 'Sales Team',
  externalId: 'ext-sales',
  meta: { resourceType: 'Group' },
};
const MEMBERS = new Set(['u1', 'u2']);

/** A fake membership read that records which ids were asked about. */
function membership(): { isMember: (id: string) => Promise<boolean>; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    isMember: (id) => {
      asked.push(id);
      return Promise.resolve(MEMBERS.has(id));
    },
  };
}

async function matches(filter: string): Promise<{ result: boolean; asked: string[] }> {
  const { isMember, asked } = membership();
  return { result: await matchesGroupFilter(group, parseFilter(filter), isMember), asked };
}

describe('matchesGroupFilter', () => {
  it.each(['members eq "u1"', 'members.value eq "u1"', 'members[value eq "u1"]', 'MEMBERS.VALUE eq "u1"', 'Members[Value eq "u1"]'])(
    'answers %s with one membership read',
    async (filter) => {
      expect(await matches(filter)).toEqual({ result: true, asked: ['u1'] });
      expect(await matches(filter.replace('u1', 'u9'))).toEqual({ result: false, asked: ['u9'] });
    },
  );

  it('evaluates everything else on the group itself, without membership reads', async () => {
    expect(await matches('displayName eq "sales team"')).toEqual({ result: true, asked: [] });
    expect(await matches('externalId eq "ext-sales"')).toEqual({ result: true, asked: [] });
    expect(await matches('displayName eq "Other"')).toEqual({ result: false, asked: [] });
    expect(await matches('id eq "g1"')).toEqual({ result: true, asked: [] });
  });

  it('combines membership with other conditions through and, or, not', async () => {
    expect((await matches('displayName eq "Sales Team" and members eq "u2"')).result).toBe(true);
    expect((await matches('displayName eq "Sales Team" and members eq "u9"')).result).toBe(false);
    expect((await matches('displayName eq "Other" or members[value eq "u1"]')).result).toBe(true);
    expect((await matches('displayName eq "Other" or members[value eq "u9"]')).result).toBe(false);
    expect((await matches('not (members eq "u9")')).result).toBe(true);
    expect((await matches('not (members.value eq "u1")')).result).toBe(false);
    expect((await matches('members eq "u1" and members eq "u2"')).result).toBe(true);
  });

  it('short-circuits: a false left side of `and` reads no membership', async () => {
    expect(await matches('displayName eq "Other" and members eq "u1"')).toEqual({ result: false, asked: [] });
    expect(await matches('displayName eq "Sales Team" or members eq "u1"')).toEqual({ result: true, asked: [] });
  });

  it('never matches other conditions on members (they would need the member list)', async () => {
    for (const filter of ['members.display eq "Alice"', 'members[value eq "u1" and type eq "User"]', 'members co "u"', 'members ne "u1"']) {
      expect(await matches(filter)).toEqual({ result: false, asked: [] });
    }
  });
});

describe('mentionsMembers', () => {
  it('finds members anywhere in the filter', () => {
    expect(mentionsMembers(parseFilter('members eq "u1"'))).toBe(true);
    expect(mentionsMembers(parseFilter('displayName eq "x" or not (members[value eq "u1"])'))).toBe(true);
    expect(mentionsMembers(parseFilter('members pr'))).toBe(true);
    expect(mentionsMembers(parseFilter('displayName eq "x" and externalId pr'))).toBe(false);
  });
});

describe('pinned lookups', () => {
  it('pins the group id through `and`, not through `or` or other operators', () => {
    expect(pinnedGroupId(parseFilter('id eq "g1"'))).toBe('g1');
    expect(pinnedGroupId(parseFilter('displayName eq "x" and id eq "g2"'))).toBe('g2');
    expect(pinnedGroupId(parseFilter('id eq "g1" or id eq "g2"'))).toBeUndefined();
    expect(pinnedGroupId(parseFilter('id ne "g1"'))).toBeUndefined();
    expect(pinnedGroupId(parseFilter('members eq "g1"'))).toBeUndefined();
  });

  it('pins displayName and externalId through `and`', () => {
    expect(pinnedAttribute(parseFilter('DisplayName eq "Sales"'), 'displayname')).toBe('Sales');
    expect(pinnedAttribute(parseFilter('members eq "u1" and externalId eq "e1"'), 'externalid')).toBe('e1');
    expect(pinnedAttribute(parseFilter('externalId eq "e1"'), 'displayname')).toBeUndefined();
    expect(pinnedAttribute(parseFilter('displayName co "Sales"'), 'displayname')).toBeUndefined();
    expect(pinnedAttribute(parseFilter('displayName eq "a" or displayName eq "b"'), 'displayname')).toBeUndefined();
  });
});
