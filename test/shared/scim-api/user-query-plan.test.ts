// Which /Users filters are served by key rows or index partitions, and which need a scan (pure).
import { describe, expect, it } from 'vitest';
import { planUserQuery, type UserQueryPlan } from '../../../shared/scim-api/user-query-plan.js';
import { parseFilter } from '../../../shared/scim/filter/index.js';
import { caseFoldKey } from '../../../shared/storage/keys.js';

const plan = (filter: string): UserQueryPlan => planUserQuery(parseFilter(filter));
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe('planUserQuery: index-served filters', () => {
  it.each<[string, UserQueryPlan]>([
    ['userName eq "Alice@Contoso.com"', [{ kind: 'nameKey', key: caseFoldKey('alice@contoso.com') }]],
    ['USERNAME eq "a/b#c"', [{ kind: 'nameKey', key: 'a%2Fb%23c' }]],
    [`${CORE}:userName eq "Bob"`, [{ kind: 'nameKey', key: 'bob' }]],
    ['id eq "0a1b2c"', [{ kind: 'id', id: '0a1b2c' }]],
    ['externalId eq "Ext-ABC"', [{ kind: 'index', attr: 'externalId', value: 'Ext-ABC' }]],
    ['displayName eq "Alice Admin"', [{ kind: 'index', attr: 'displayName', value: 'alice admin' }]],
    ['emails.value eq "Alice@Contoso.com"', [{ kind: 'index', attr: 'email', value: 'alice@contoso.com' }]],
    ['emails eq "Alice@Contoso.com"', [{ kind: 'index', attr: 'email', value: 'alice@contoso.com' }]],
    ['emails[value eq "A@x.com"]', [{ kind: 'index', attr: 'email', value: 'a@x.com' }]],
    ['emails[type eq "work" and value eq "A@x.com"]', [{ kind: 'index', attr: 'email', value: 'a@x.com' }]],
    ['userName eq 42', [{ kind: 'nameKey', key: '42' }]],
  ])('%s', (filter, expected) => {
    expect(plan(filter)).toEqual(expected);
  });

  it('serves `and` from whichever side is indexed', () => {
    expect(plan('userName eq "a" and active eq true')).toEqual([{ kind: 'nameKey', key: 'a' }]);
    expect(plan('title co "boss" and externalId eq "e1"')).toEqual([{ kind: 'index', attr: 'externalId', value: 'e1' }]);
    expect(plan('userName eq "a" and externalId eq "e1"')).toEqual([{ kind: 'nameKey', key: 'a' }]);
    expect(plan('(title co "x" and not (active eq false)) and id eq "1f"')).toEqual([{ kind: 'id', id: '1f' }]);
  });

  it('serves `or` only when both sides are indexed, as the union of their lookups', () => {
    expect(plan('userName eq "a" or externalId eq "e1"')).toEqual([
      { kind: 'nameKey', key: 'a' },
      { kind: 'index', attr: 'externalId', value: 'e1' },
    ]);
    expect(plan('userName eq "a" or userName eq "b" or emails[value eq "C@x"]')).toEqual([
      { kind: 'nameKey', key: 'a' },
      { kind: 'nameKey', key: 'b' },
      { kind: 'index', attr: 'email', value: 'c@x' },
    ]);
    expect(plan('(userName eq "a" and active eq true) or id eq "2b"')).toEqual([
      { kind: 'nameKey', key: 'a' },
      { kind: 'id', id: '2b' },
    ]);
  });
});

describe('planUserQuery: filters that need a scan', () => {
  it.each([
    'userName ne "a"',
    'userName co "a"',
    'userName sw "a"',
    'userName ew "a"',
    'userName gt "a"',
    'userName pr',
    'not (userName eq "a")',
    'userName eq "a" or title eq "boss"',
    'title eq "boss" or userName eq "a"',
    'userName eq null',
    'active eq true',
    'title eq "boss"',
    'name.givenName eq "Alice"',
    'emails.type eq "work"',
    'emails[type eq "work"]',
    'emails[value co "@x.com"]',
    'emails[value eq "a@x" or value eq "b@x"]',
    'phoneNumbers[value eq "123"]',
    `${ENTERPRISE}:employeeNumber eq "701984"`,
    `${ENTERPRISE}:manager.value eq "mgr-1"`,
    'displayName.foo eq "x"',
  ])('%s', (filter) => {
    expect(plan(filter)).toBeUndefined();
  });

  it('scans an `and` whose sides are both unindexed', () => {
    expect(plan('title eq "boss" and active eq true')).toBeUndefined();
    expect(plan('not (userName eq "a") and userName ne "b"')).toBeUndefined();
  });
});
