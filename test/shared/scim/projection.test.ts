import { describe, expect, it } from 'vitest';
import { parseAttributeList, projectResource } from '../../../shared/scim/projection.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const user: Record<string, unknown> = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
  id: 'u-1',
  externalId: 'ext-1',
  userName: 'bjensen@example.com',
  name: { givenName: 'Barbara', familyName: 'Jensen' },
  emails: [
    { value: 'emailName357@example.com', type: 'work', primary: true },
    { value: 'home@example.org', type: 'home' },
  ],
  active: true,
  meta: { resourceType: 'User', created: '2024-01-01T00:00:00Z', location: 'https://x/Users/u-1' },
  [ENTERPRISE]: { department: 'Retail', employeeNumber: '42', manager: { value: 'm-1' } },
};

const group: Record<string, unknown> = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
  id: 'g-1',
  displayName: 'Sales',
  members: [{ value: 'u-1' }, { value: 'u-2' }],
  meta: { resourceType: 'Group', created: '2024-01-01T00:00:00Z' },
};

const always = { schemas: user.schemas, id: 'u-1', meta: { resourceType: 'User' } };

const attributeCases: [name: string, attributes: string[], expected: Record<string, unknown>][] = [
  ['T10 legacy attributes=id', ['id'], always],
  ['a top-level attribute', ['userName'], { ...always, userName: 'bjensen@example.com' }],
  ['names are case-insensitive', ['USERNAME', 'Active'], { ...always, userName: 'bjensen@example.com', active: true }],
  ['a sub-attribute', ['name.givenName'], { ...always, name: { givenName: 'Barbara' } }],
  [
    'a sub-attribute of a multi-valued attribute',
    ['emails.value'],
    { ...always, emails: [{ value: 'emailName357@example.com' }, { value: 'home@example.org' }] },
  ],
  ['an extension attribute', [`${ENTERPRISE}:department`], { ...always, [ENTERPRISE]: { department: 'Retail' } }],
  [
    'an extension sub-attribute',
    [`${ENTERPRISE}:manager.value`],
    { ...always, [ENTERPRISE]: { manager: { value: 'm-1' } } },
  ],
  ['a whole extension', [ENTERPRISE], { ...always, [ENTERPRISE]: user[ENTERPRISE] }],
  [
    'a core URN-qualified attribute',
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName'],
    { ...always, userName: 'bjensen@example.com' },
  ],
  ['meta as a whole', ['meta'], { ...always, meta: user.meta }],
  ['meta.created', ['meta.created'], { ...always, meta: { resourceType: 'User', created: '2024-01-01T00:00:00Z' } }],
  [
    'Postman emails[type eq "work"]',
    ['emails[type eq "work"]'],
    { ...always, emails: [(user.emails as unknown[])[0]] },
  ],
  ['Postman emails[value eq "emailName357"]', ['emails[value eq "emailName357"]'], always],
  [
    'emails[value sw "emailName357"]',
    ['emails[value sw "emailName357"]'],
    { ...always, emails: [(user.emails as unknown[])[0]] },
  ],
  [
    'a value filter with a sub-attribute',
    ['emails[type eq "home"].value'],
    { ...always, emails: [{ value: 'home@example.org' }] },
  ],
  ['an attribute the resource lacks', ['title'], always],
  ['an unparseable name is ignored', ['emails[type eq', 'userName'], { ...always, userName: 'bjensen@example.com' }],
];

type ExclusionCase = [
  name: string,
  resource: Record<string, unknown>,
  excluded: string[],
  expected: Record<string, unknown>,
];

const exclusionCases: ExclusionCase[] = [
  ['T12 members', group, ['members'], { schemas: group.schemas, id: 'g-1', displayName: 'Sales', meta: group.meta }],
  [
    'names are case-insensitive',
    group,
    ['MEMBERS'],
    { schemas: group.schemas, id: 'g-1', displayName: 'Sales', meta: group.meta },
  ],
  [
    'id and schemas cannot be excluded',
    group,
    ['id', 'schemas', 'members', 'displayName'],
    { schemas: group.schemas, id: 'g-1', meta: group.meta },
  ],
  [
    'meta keeps resourceType',
    group,
    ['meta', 'members'],
    { schemas: group.schemas, id: 'g-1', displayName: 'Sales', meta: { resourceType: 'Group' } },
  ],
  [
    'meta.resourceType cannot be excluded',
    group,
    ['meta.resourceType', 'meta.created', 'members'],
    { schemas: group.schemas, id: 'g-1', displayName: 'Sales', meta: { resourceType: 'Group' } },
  ],
  [
    'a sub-attribute',
    user,
    ['name.familyName', 'emails', 'meta', ENTERPRISE, 'externalId', 'active'],
    { ...always, userName: 'bjensen@example.com', name: { givenName: 'Barbara' } },
  ],
  [
    'an extension attribute',
    user,
    [`${ENTERPRISE}:manager`, `${ENTERPRISE}:department`, 'emails', 'name', 'meta', 'externalId', 'active'],
    { ...always, userName: 'bjensen@example.com', [ENTERPRISE]: { employeeNumber: '42' } },
  ],
  [
    'value-filtered elements',
    user,
    ['emails[type eq "work"]', 'name', 'meta', ENTERPRISE, 'externalId', 'active'],
    { ...always, userName: 'bjensen@example.com', emails: [(user.emails as unknown[])[1]] },
  ],
  [
    'unparseable names are ignored',
    group,
    ['members[', 'members'],
    { schemas: group.schemas, id: 'g-1', displayName: 'Sales', meta: group.meta },
  ],
];

describe('projectResource', () => {
  it('returns everything without parameters', () => {
    expect(projectResource(user, {})).toEqual(user);
    expect(projectResource(user, { attributes: [], excludedAttributes: [] })).toEqual(user);
  });

  it.each(attributeCases)('attributes: %s', (_name, attributes, expected) => {
    expect(projectResource(user, { attributes })).toEqual(expected);
  });

  it.each(exclusionCases)('excludedAttributes: %s', (_name, resource, excludedAttributes, expected) => {
    expect(projectResource(resource, { excludedAttributes })).toEqual(expected);
  });

  it('T12 removes the members key entirely', () => {
    expect(Object.keys(projectResource(group, { excludedAttributes: ['members'] }))).not.toContain('members');
  });

  it('keeps the caller-supplied always-returned attributes', () => {
    expect(projectResource(user, { attributes: ['id'] }, ['userName'])).toEqual({
      ...always,
      userName: 'bjensen@example.com',
    });
    expect(projectResource(group, { excludedAttributes: ['displayName', 'members'] }, ['displayName'])).toEqual({
      schemas: group.schemas,
      id: 'g-1',
      displayName: 'Sales',
      meta: group.meta,
    });
  });

  it('applies excludedAttributes to what attributes selected', () => {
    expect(projectResource(user, { attributes: ['name'], excludedAttributes: ['name.givenName'] })).toEqual({
      ...always,
      name: { familyName: 'Jensen' },
    });
  });

  it('keeps the order of the resource keys and does not change the input', () => {
    const before = JSON.stringify(user);
    const projected = projectResource(user, { attributes: ['userName', 'name', 'id'] });
    expect(Object.keys(projected)).toEqual(['schemas', 'id', 'userName', 'name', 'meta']);
    expect(JSON.stringify(user)).toBe(before);
  });
});

describe('parseAttributeList', () => {
  it.each<[string | null, string[] | undefined]>([
    [null, undefined],
    ['', undefined],
    [' , ', undefined],
    ['userName', ['userName']],
    ['userName, name.givenName ,emails', ['userName', 'name.givenName', 'emails']],
    ['emails[type eq "work"]', ['emails[type eq "work"]']],
    ['emails[type eq "a,b"],userName', ['emails[type eq "a,b"]', 'userName']],
    ['emails[type eq "work" or type eq "home"].value,id', ['emails[type eq "work" or type eq "home"].value', 'id']],
    ['emails[value eq "x\\",y"],id', ['emails[value eq "x\\",y"]', 'id']],
    [`${ENTERPRISE}:department,${ENTERPRISE}:manager`, [`${ENTERPRISE}:department`, `${ENTERPRISE}:manager`]],
  ])('%j → %j', (param, expected) => {
    expect(parseAttributeList(param)).toEqual(expected);
  });
});
