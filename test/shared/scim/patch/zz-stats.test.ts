import fc from 'fast-check';
import { it } from 'vitest';
import { ScimError } from '/work/main/shared/scim/errors.js';
import { applyUserPatch, applyGroupPatch } from '/work/main/shared/scim/patch/index.js';
import { ENTERPRISE_USER_SCHEMA } from '/work/main/shared/scim/schemas/index.js';
import type { GroupDoc, UserDoc } from '/work/main/shared/scim/schemas/index.js';
const ACME = 'urn:ietf:params:scim:schemas:extension:Acme:2.0:User';

const FIXED_USER: UserDoc = {
  userName: 'fixed@testuser.com',
  externalId: 'ext-1',
  active: true,
  displayName: 'Fixed User',
  name: { givenName: 'Fixed', familyName: 'User' },
  emails: [
    { value: 'fixed@testuser.com', type: 'work', primary: true },
    { value: 'home@testuser.com', type: 'home' },
  ],
  phoneNumbers: [{ value: '1', type: 'mobile' }],
  roles: [{ value: 'Reader', primary: true }],
  [ENTERPRISE_USER_SCHEMA]: { department: 'Sales', manager: { value: 'm-1' } },
  [ACME]: { costCenter: 'CC' },
};

const FIXED_GROUP: GroupDoc = { displayName: 'Fixed Group', externalId: 'ext-g' };

const validOpNames = fc.constantFrom('add', 'Add', 'ADD', 'replace', 'Replace', 'remove', 'Remove');
const opNames = fc.oneof(
  { weight: 12, arbitrary: validOpNames },
  { weight: 1, arbitrary: fc.constantFrom('move', '', 'copy', 'test') },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
);

const paths = fc.constantFrom(
  'userName', 'active', 'displayName', 'title', 'nickName', 'externalId', 'name', 'name.givenName', 'name.Bogus',
  'emails', 'emails.value', 'emails[type eq "work"].value', 'emails[type eq "other"].Value', 'emails[type eq "work"]',
  'emails[type eq "work"].primary', 'emails[value co "@"].display', 'emails[type ne "work"].value', 'emails[kind eq "x"]',
  'phoneNumbers[type eq "mobile"].value', 'addresses[type eq "work"].formatted', 'roles', 'roles[primary eq "True"].value',
  'entitlements[type eq "work"].value', 'groups', 'id', 'meta', 'schemas', 'password', 'adreses', 'members',
  'members[value eq "u1"]', 'members[value eq "u1" or value eq "u2"]', 'members[display eq "x"]', 'members.value',
  'manager', 'manager[value eq "m-1"]', 'manager.value', 'manager.displayName',
  `${ENTERPRISE_USER_SCHEMA}:manager`, `${ENTERPRISE_USER_SCHEMA}:department`, `${ENTERPRISE_USER_SCHEMA}:bogus`,
  ENTERPRISE_USER_SCHEMA, ACME, `${ACME}:costCenter`, `${ACME}:__proto__`, `${ACME}:a.b`,
  'urn:ietf:params:scim:schemas:core:2.0:User:userName', 'urn:ietf:params:scim:schemas:core:2.0:Group:displayName',
  'urn:unknown:attr', 'emails[type eq', '[]', '.', 'constructor', '__proto__', 'toString',
);

const scalarValues = fc.oneof(
  fc.constantFrom('', 'True', 'false', 'x', 'a@b.c', '{"value":"Admin","displayName":"Admin"}', '{not json'),
  fc.string({ maxLength: 12 }),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constant(null),
);

const plausibleValues: fc.Arbitrary<unknown> = fc.oneof(
  scalarValues,
  fc.record({ value: scalarValues }, { requiredKeys: [] }),
  fc.record({ Value: scalarValues, type: scalarValues, primary: scalarValues, display: scalarValues }, { requiredKeys: [] }),
  fc.array(fc.oneof(scalarValues, fc.record({ value: scalarValues, $ref: scalarValues, type: scalarValues }, { requiredKeys: [] })), { maxLength: 4 }),
  fc.dictionary(fc.oneof(paths, fc.string({ maxLength: 8 })), fc.oneof(scalarValues, fc.record({ value: scalarValues }, { requiredKeys: [] })), { maxKeys: 4 }),
  fc.jsonValue({ maxDepth: 3 }),
);

const plausibleOperation = fc.record(
  {
    op: opNames,
    path: fc.oneof(
      { weight: 10, arbitrary: paths },
      { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
      { weight: 2, arbitrary: fc.constant(null) },
    ),
    value: plausibleValues,
  },
  { requiredKeys: ['op', 'value'] },
);

const plausibleBody = fc.record(
  {
    schemas: fc.constant(['urn:ietf:params:scim:api:messages:2.0:PatchOp']),
    Operations: fc.array(plausibleOperation, { minLength: 1, maxLength: 4 }),
  },
  { requiredKeys: ['Operations'] },
);

it('stats', () => {
  const classify = (f: () => unknown) => { try { f(); return 'ok'; } catch (e) { return e instanceof ScimError ? `${e.status} ${e.scimType}` : 'OTHER'; } };
  fc.statistics(plausibleBody, (body) => 'user ' + classify(() => applyUserPatch(FIXED_USER, body)), { numRuns: 3000 });
  fc.statistics(plausibleBody, (body) => 'group ' + classify(() => applyGroupPatch(FIXED_GROUP, body)), { numRuns: 3000 });
});
