// Property-based tests: whatever PATCH body arrives, the appliers either return a document or throw a ScimError
// with a client-error status (400, or 413 for too many operations), and they never change the document given.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScimError } from '../../../../shared/scim/errors.js';
import { applyGroupPatch, applyUserPatch } from '../../../../shared/scim/patch/index.js';
import { ENTERPRISE_USER_SCHEMA } from '../../../../shared/scim/schemas/index.js';
import type { GroupDoc, UserDoc } from '../../../../shared/scim/schemas/index.js';

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

const randomBody = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.record({ Operations: fc.jsonValue({ maxDepth: 4 }) }),
  fc.record({ Operations: fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 5 }) }),
);

/** Operations Entra or the validator could really send, in either dialect: these must always apply. */
// Entra never sends a blank value for a required attribute; a blank userName/displayName is refused (400).
const text = fc.string({ minLength: 1, maxLength: 10 }).filter((value) => value.trim() !== '');
const setOp = fc.constantFrom('Add', 'add', 'Replace', 'replace');
const emptyValue = fc.constantFrom('', null);
const entraUserOperation = fc.oneof(
  fc.record({ op: setOp, path: fc.constantFrom('title', 'displayName', 'nickName', 'externalId', 'name.givenName', 'name.familyName', 'userName'), value: text }),
  fc.record({ op: setOp, path: fc.constant('active'), value: fc.constantFrom(true, false, 'True', 'False', 'true') }),
  fc.record({
    op: setOp,
    path: fc.constantFrom('emails', 'phoneNumbers', 'addresses', 'roles', 'entitlements').chain((attribute) =>
      fc.constantFrom('work', 'home', 'other', 'mobile').map((type) => `${attribute}[type eq "${type}"].${attribute === 'addresses' ? 'formatted' : 'value'}`),
    ),
    value: text,
  }),
  fc.record({ op: setOp, path: fc.constant('roles[primary eq "True"].value'), value: text }),
  fc.record({
    op: setOp,
    path: fc.constantFrom(`${ENTERPRISE_USER_SCHEMA}:manager`, 'manager'),
    value: fc.oneof(text, fc.record({ value: text }), fc.record({ Value: text }), text.map((id) => [{ $ref: `../Users/${id}`, value: id }]), emptyValue),
  }),
  fc.record({ op: setOp, path: fc.constantFrom(`${ENTERPRISE_USER_SCHEMA}:department`, `${ACME}:costCenter`, 'title'), value: fc.oneof(text, emptyValue) }),
  fc.record({ op: fc.constant('Add'), path: fc.constant('roles'), value: fc.array(text.map((role) => JSON.stringify({ id: role, value: role, displayName: role })), { maxLength: 3 }) }),
  fc.record({
    op: fc.constantFrom('Remove', 'remove'),
    path: fc.constantFrom('title', 'emails[type eq "home"]', 'emails[type eq "work"].value', 'manager[value eq "m-1"]', `${ENTERPRISE_USER_SCHEMA}:manager`, ENTERPRISE_USER_SCHEMA, 'name.givenName', 'phoneNumbers'),
  }),
  fc.record({
    op: fc.constantFrom('replace', 'add'),
    value: fc.record(
      { displayName: text, 'name.givenName': text, [`${ENTERPRISE_USER_SCHEMA}:employeeNumber`]: text, userName: text, title: fc.oneof(text, emptyValue) },
      { requiredKeys: [] },
    ),
  }),
);
const entraGroupOperation = fc.oneof(
  fc.record({ op: setOp, path: fc.constantFrom('displayName', 'externalId'), value: text }),
  fc.record({ op: fc.constant('replace'), value: fc.record({ displayName: text, externalId: text }, { requiredKeys: [] }) }),
  fc.record({ op: fc.constantFrom('Add', 'add'), path: fc.constant('members'), value: fc.array(fc.record({ value: text, $ref: fc.constant(null) }), { maxLength: 3 }) }),
  fc.record({ op: fc.constant('Remove'), path: fc.constant('members'), value: fc.array(fc.record({ value: text }), { minLength: 1, maxLength: 3 }) }),
  fc.record({ op: fc.constant('remove'), path: text.map((id) => `members[value eq ${JSON.stringify(id)}]`) }),
  fc.record({ op: fc.constant('remove'), path: fc.constant('members') }),
);
const patchOf = <T>(operation: fc.Arbitrary<T>) =>
  fc.record({ schemas: fc.constant(['urn:ietf:params:scim:api:messages:2.0:PatchOp']), Operations: fc.array(operation, { minLength: 1, maxLength: 5 }) });

/** Runs `apply`; true when it returned, false when it threw a client-error ScimError; rethrows anything else. */
function returnsOrRejects(apply: () => unknown): boolean {
  try {
    apply();
    return true;
  } catch (error) {
    if (error instanceof ScimError && (error.status === 400 || error.status === 413)) return false;
    throw error;
  }
}

function containsNull(value: unknown): boolean {
  if (value === null) return true;
  if (typeof value !== 'object') return false;
  return Object.values(value).some(containsNull);
}

describe('PATCH properties', () => {
  for (const [name, bodies] of [
    ['random JSON', randomBody],
    ['plausible operations', plausibleBody],
  ] as const) {
    it(`user (${name}): a document or a 4xx ScimError; the input is never changed`, () => {
      fc.assert(
        fc.property(bodies, (body) => {
          const doc = structuredClone(FIXED_USER);
          let result: UserDoc | undefined;
          returnsOrRejects(() => (result = applyUserPatch(doc, body)));
          expect(doc).toEqual(FIXED_USER);
          if (result !== undefined) {
            expect(typeof result.userName).toBe('string');
            expect(result.userName).not.toBe('');
            expect(containsNull(result)).toBe(false);
          }
        }),
        { numRuns: 1500 },
      );
    });

    it(`group (${name}): a document and a members delta, or a 4xx ScimError; the input is never changed`, () => {
      fc.assert(
        fc.property(bodies, (body) => {
          const doc = structuredClone(FIXED_GROUP);
          let result: ReturnType<typeof applyGroupPatch> | undefined;
          returnsOrRejects(() => (result = applyGroupPatch(doc, body)));
          expect(doc).toEqual(FIXED_GROUP);
          if (result !== undefined) {
            expect(typeof result.doc.displayName).toBe('string');
            const added = new Set(result.members.add.map((member) => member.value));
            expect(result.members.remove.filter((id) => added.has(id))).toEqual([]);
          }
        }),
        { numRuns: 1500 },
      );
    });
  }

  it('user: well-formed Entra operations in either dialect always apply', () => {
    fc.assert(
      fc.property(patchOf(entraUserOperation), (body) => {
        const result = applyUserPatch(FIXED_USER, body);
        expect(containsNull(result)).toBe(false);
        // never a flat `urn:…:User:attr` key or a dotted `name.givenName` key (T7, T10)
        expect(Object.keys(result).filter((key) => /:2\.0:User:/i.test(key) || /^[^:]*\./.test(key))).toEqual([]);
      }),
      { numRuns: 1500 },
    );
  });

  it('group: well-formed Entra operations in either dialect always apply', () => {
    fc.assert(
      fc.property(patchOf(entraGroupOperation), (body) => {
        const { members } = applyGroupPatch(FIXED_GROUP, body);
        const added = new Set(members.add.map((member) => member.value));
        expect(members.remove.filter((id) => added.has(id))).toEqual([]);
      }),
      { numRuns: 1500 },
    );
  });

  it('too many operations is 413 whatever they contain', () => {
    fc.assert(
      fc.property(fc.array(plausibleOperation, { minLength: 1001, maxLength: 1003 }), (operations) => {
        try {
          applyUserPatch(FIXED_USER, { Operations: operations });
        } catch (error) {
          return error instanceof ScimError && error.status === 413;
        }
        return false;
      }),
      { numRuns: 5 },
    );
  });
});
