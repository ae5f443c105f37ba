import { describe, expect, it } from 'vitest';
import type { AttrPath } from '../../../../shared/scim/filter/index.js';
import { defaultCaseExact, matchesFilter, parseFilter } from '../../../../shared/scim/filter/index.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const CUSTOM = 'urn:ietf:params:scim:schemas:extension:Custom:2.0:User';

const user: Record<string, unknown> = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
  id: 'u-1',
  externalId: 'jyoung',
  userName: 'Test_User_abc@contoso.com',
  displayName: 'BobIsAmazing',
  nickName: '',
  active: true,
  name: { givenName: 'Bob', familyName: 'Employee' },
  emails: [
    { value: 'bob@example.com', type: 'work', primary: true },
    { value: 'bob@home.example.org', type: 'home' },
  ],
  phoneNumbers: [],
  roles: [{ value: 'Admin', primary: true }],
  loginCount: 5,
  meta: {
    resourceType: 'User',
    created: '2016-01-01T00:00:00.000Z',
    lastModified: '2024-05-01T10:00:00Z',
    version: 'W/"abc"',
  },
  [ENTERPRISE]: { employeeNumber: '701984', department: 'Retail', manager: { value: 'mgr-1' } },
  [CUSTOM]: { costCenter: 'CC-4130' },
};

/** Keys spelled the way a careless store might spell them. */
const oddlyCasedUser: Record<string, unknown> = {
  ID: 'u-2',
  UserName: 'OBrien',
  Name: { FamilyName: 'Employee' },
  Emails: [{ Value: 'o@example.org', Type: 'work' }],
};

const group: Record<string, unknown> = {
  id: 'g-1',
  displayName: 'Sales',
  members: [{ value: 'u-1' }, { value: 'u-2', $ref: 'https://x/Users/u-2' }],
};

const cases: [name: string, resource: Record<string, unknown>, filter: string, expected: boolean][] = [
  // T1, T2 and G12 case rules
  ['T1 userName', user, 'userName eq "Test_User_abc@contoso.com"', true],
  ['T1 userName in another case', user, 'userName eq "TEST_USER_ABC@CONTOSO.COM"', true],
  ['T2 no such user', user, 'userName eq "non-existent user"', false],
  ['externalId is caseExact', user, 'externalId eq "JYOUNG"', false],
  ['externalId exact', user, 'externalId eq "jyoung"', true],
  ['Q13 bare externalId', user, 'externalId eq jyoung', true],
  ['id is caseExact', user, 'id eq "U-1"', false],
  ['T1 email through a value filter', user, 'emails[type eq "work"].value eq "BOB@example.com"', true],
  ['value filter needs the same element', user, 'emails[type eq "home"].value eq "bob@example.com"', false],
  ['emails.value matches any element', user, 'emails.value eq "bob@home.example.org"', true],
  ['emails compares element value', user, 'emails eq "bob@example.com"', true],
  ['value filter with and', user, 'emails[type eq "work" and value co "@EXAMPLE"]', true],
  ['value filter without a match', user, 'emails[type eq "other"]', false],
  // T13, T14
  ['T13 displayName', group, 'displayName eq "sales"', true],
  ['T14 members[value eq]', group, 'id eq "g-1" and members[value eq "u-2"]', true],
  ['T14 members eq', group, 'id eq "g-1" and members eq "u-2"', true],
  ['T14 members.value eq', group, 'id eq "g-1" and members.value eq "u-2"', true],
  ['T14 not a member', group, 'id eq "g-1" and members[value eq "u-9"]', false],
  ['T14 not a member (eq)', group, 'id eq "g-1" and members eq "u-9"', false],
  ['member ids are caseExact', group, 'members[value eq "U-2"]', false],
  ['member ids are caseExact (eq)', group, 'members eq "U-2"', false],
  ['other group', group, 'id eq "g-2" and members eq "u-1"', false],
  // Extensions
  ['enterprise URN', user, `${ENTERPRISE}:employeeNumber eq "701984"`, true],
  ['enterprise URN in another case', user, `${ENTERPRISE.toUpperCase()}:EMPLOYEENUMBER eq "701984"`, true],
  ['custom extension URN', user, `${CUSTOM}:costCenter eq "cc-4130"`, true],
  [
    'URN of an extension the user lacks',
    user,
    'urn:ietf:params:scim:schemas:extension:Other:2.0:User:costCenter pr',
    false,
  ],
  ['core URN means top level', user, 'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "test_"', true],
  ['T10 legacy manager eq', user, 'id eq "u-1" and manager eq "mgr-1"', true],
  ['manager id is caseExact', user, 'manager eq "MGR-1"', false],
  ['manager.value by URN', user, `${ENTERPRISE}:manager.value eq "mgr-1"`, true],
  ['manager value filter by URN', user, `${ENTERPRISE}:manager[value eq "mgr-1"]`, true],
  ['unqualified extension attribute', user, 'department eq "retail"', true],
  // Microsoft Postman suite
  ['MS DisplayName', user, 'DisplayName eq "BobIsAmazing"', true],
  [
    'MS and (or)',
    user,
    'name.FamilyName eq Employee and (emails.Value co example.com or emails.Value co example.org)',
    true,
  ],
  [
    'MS and (or), no match',
    user,
    'name.FamilyName eq Employee and (emails.Value co example.net or emails.Value co x.org)',
    false,
  ],
  ['MS sw', oddlyCasedUser, 'userName sw O', true],
  ['MS sw, no match', user, 'userName sw O', false],
  ['MS date-time gt', user, 'meta.Created gt 2015-10-10T14:38:21.8617979-07:00', true],
  ['date-time lt', user, 'meta.created lt 2015-10-10T14:38:21.8617979-07:00', false],
  ['date-time eq compares the text', user, 'meta.lastModified eq "2024-05-01T10:00:00Z"', true],
  ['date-time instant across zones (ge)', user, 'meta.lastModified ge "2024-05-01T03:00:00-07:00"', true],
  ['date-time instant across zones (gt)', user, 'meta.lastModified gt "2024-05-01T03:00:00-07:00"', false],
  ['sub-millisecond precision', user, 'meta.created lt "2016-01-01T00:00:00.0000001Z"', true],
  ['date-only literal', user, 'meta.created ge "2016-01-01"', true],
  // Case-insensitive keys
  ['keys in any case', oddlyCasedUser, 'userName eq "obrien" and name.familyName eq "EMPLOYEE"', true],
  ['value filter on oddly cased keys', oddlyCasedUser, 'emails[type eq "work"].value ew ".ORG"', true],
  ['id key in another case', oddlyCasedUser, 'id eq "u-2"', true],
  // Booleans (Q5)
  ['Q5 primary eq "True"', user, 'roles[primary eq "True"]', true],
  ['Q5 primary eq "true" with value', user, 'roles[primary eq "true"].value eq "admin"', true],
  ['boolean literal', user, 'active eq true', true],
  ['boolean ne', user, 'active ne false', true],
  ['string boolean against boolean', user, 'active eq "False"', false],
  ['booleans have no order', user, 'active gt false', false],
  ['booleans have no substring', user, 'active co "t"', false],
  // Numbers
  ['number gt', user, 'loginCount gt 3', true],
  ['number le', user, 'loginCount le 4', false],
  ['number against numeric string', user, 'loginCount eq "5"', true],
  ['numeric literal against string attribute', user, 'employeeNumber eq 701984', true],
  ['numeric string ordering', user, `${ENTERPRISE}:employeeNumber gt 9999`, true],
  // Strings
  ['co', user, 'userName co "USER_abc"', true],
  ['ew', user, 'userName ew "@CONTOSO.COM"', true],
  ['lexical gt', user, 'displayName gt "bob"', true],
  ['lexical lt', user, 'displayName lt "BOBIS"', false],
  // pr, null, ne and not
  ['pr', user, 'emails pr', true],
  ['pr on absent', user, 'title pr', false],
  ['pr on empty string', user, 'nickName pr', false],
  ['pr on empty array', user, 'phoneNumbers pr', false],
  ['pr on complex', user, 'name pr', true],
  ['pr on sub-attribute', user, 'name.givenName pr', true],
  ['pr on a value filter sub-attribute', user, 'emails[type eq "home"].primary pr', false],
  ['ne on absent', user, 'title ne "x"', true],
  ['ne on multi-valued: no element equals', user, 'emails.value ne "bob@example.com"', false],
  ['ne on multi-valued', user, 'emails.value ne "nobody@example.com"', true],
  ['eq null on absent', user, 'title eq null', true],
  ['eq null on present', user, 'userName eq null', false],
  ['ne null', user, 'userName ne null', true],
  ['not', user, 'not (userName eq "x")', true],
  ['not of a match', user, 'not (userName pr)', false],
  ['or', user, 'userName eq "x" or displayName eq "bobisamazing"', true],
  ['complex without value', user, 'name eq "Bob"', false],
];

describe('matchesFilter', () => {
  it.each(cases)('%s', (_name, resource, filter, expected) => {
    expect(matchesFilter(resource, parseFilter(filter))).toBe(expected);
  });

  it('uses the caller-supplied caseExact rule', () => {
    const filter = parseFilter('userName eq "test_user_abc@contoso.com"');
    expect(matchesFilter(user, filter)).toBe(true);
    expect(matchesFilter(user, filter, { caseExact: () => true })).toBe(false);
  });

  it('asks caseExact about value-filter attributes relative to the outer attribute', () => {
    const asked: AttrPath[] = [];
    matchesFilter(group, parseFilter('members[value eq "u-1"]'), {
      caseExact: (path) => {
        asked.push(path);
        return true;
      },
    });
    expect(asked[0]).toEqual({ attr: 'members', subAttr: 'value' });
  });
});

describe('defaultCaseExact', () => {
  it.each<[AttrPath, boolean]>([
    [{ attr: 'id' }, true],
    [{ attr: 'externalId' }, true],
    [{ attr: 'EXTERNALID' }, true],
    [{ attr: 'meta', subAttr: 'version' }, true],
    [{ attr: 'members', subAttr: 'value' }, true],
    [{ attr: 'manager', subAttr: 'value', schema: ENTERPRISE }, true],
    [{ attr: 'userName' }, false],
    [{ attr: 'displayName' }, false],
    [{ attr: 'emails', subAttr: 'value' }, false],
  ])('%o → %s', (path, expected) => {
    expect(defaultCaseExact(path)).toBe(expected);
  });
});
