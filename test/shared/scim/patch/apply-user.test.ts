import { describe, expect, it } from 'vitest';
import { applyUserPatch } from '../../../../shared/scim/patch/index.js';
import { ENTERPRISE_USER_SCHEMA } from '../../../../shared/scim/schemas/index.js';
import type { UserDoc } from '../../../../shared/scim/schemas/index.js';
import { FIXTURE_IDS, loadEntraFixture, loadEntraFixtureCase } from '../../../fixtures/entra/fixtures.js';
import { applyPurely as applyPurelyWith, patch, scimErrorOf } from '../scim-test-helpers.js';

const ACME = 'urn:ietf:params:scim:schemas:extension:Acme:2.0:User';
const { aadObjId, mgrId } = FIXTURE_IDS;

/** The user T1 finds: what Entra PATCHes in every vector below. */
function provisionedUser(): UserDoc {
  return {
    userName: `Test_User_${aadObjId}`,
    externalId: aadObjId,
    active: true,
    name: { givenName: 'givenName', familyName: 'familyName' },
    emails: [{ value: 'a@testuser.com', type: 'work', primary: true }],
  };
}


const applyPurely = (doc: UserDoc, body: unknown): UserDoc => applyPurelyWith(applyUserPatch, doc, body);


describe('applyUserPatch: contract vectors', () => {
  it('T5 legacy: Replace userName', () => {
    expect(applyPurely(provisionedUser(), loadEntraFixture('t5-replace-username')).userName).toBe('new@testuser.com');
  });

  it('T6 legacy: Replace emails[type eq "work"].value and name.familyName keeps the work email primary', () => {
    const result = applyPurely(provisionedUser(), loadEntraFixture('t6-replace-email-and-family-name'));
    expect(result.emails).toEqual([{ value: 'updatedEmail@microsoft.com', type: 'work', primary: true }]);
    expect(result.name).toEqual({ givenName: 'givenName', familyName: 'updatedFamilyName' });
  });

  it('T6 legacy: the other shapes through the same channel (extension paths, create-on-absent, Add as set)', () => {
    const result = applyPurely(provisionedUser(), loadEntraFixture('t6-other-shapes'));
    expect(result[ENTERPRISE_USER_SCHEMA]).toEqual({ department: 'Retail', employeeNumber: 'Eqpj' });
    expect(result.addresses).toEqual([{ type: 'work', formatted: '18/2111' }]);
    expect(result.phoneNumbers).toEqual([{ type: 'mobile', value: '555-555-5555' }]);
    expect(result.externalId).toBe('Eqpj');
    expect(result.nickName).toBe('Babs');
    expect(Object.keys(result).filter((key) => key.includes(':') && key !== ENTERPRISE_USER_SCHEMA)).toEqual([]);
  });

  it('T7 flag: a path-less replace puts name.givenName inside name and employeeNumber inside the extension', () => {
    const result = applyPurely(provisionedUser(), loadEntraFixture('t7-flag-multi-attribute-replace'));
    expect(result.emails).toEqual([{ value: 'TestMhvaes@test.microsoft.com', type: 'work', primary: true }]);
    expect(result.displayName).toBe('Bjfe');
    expect(result.name).toEqual({ givenName: 'Kkom', familyName: 'Unua' });
    expect(result[ENTERPRISE_USER_SCHEMA]).toEqual({ employeeNumber: 'Aklq' });
    expect(result).not.toHaveProperty(['name.givenName']);
    expect(result).not.toHaveProperty([`${ENTERPRISE_USER_SCHEMA}:employeeNumber`]);
  });

  it('T7 validator: a path-less replace of userName really changes userName', () => {
    expect(applyPurely(provisionedUser(), loadEntraFixture('t7-validator-username')).userName).toBe('emilio@hermann.uk');
  });

  it.each(['legacy', 'flag', 'tutorial'])('T8 %s: disable sets active to the JSON boolean false', (caseName) => {
    const result = applyPurely(provisionedUser(), loadEntraFixtureCase('t8-disable-user', caseName));
    expect(result.active).toBe(false);
  });

  it.each(['re-enable-legacy', 're-enable-flag'])('T8 %s: re-enable sets active to true', (caseName) => {
    const disabled = { ...provisionedUser(), active: false };
    expect(applyPurely(disabled, loadEntraFixtureCase('t8-disable-user', caseName)).active).toBe(true);
  });

  it.each(['add-bare-id', 'add-value-object', 'replace-value-object', 'add-legacy-array'])(
    'T10/Q8 %s: the manager is stored as { value } inside the enterprise extension',
    (caseName) => {
      const result = applyPurely(provisionedUser(), loadEntraFixtureCase('t10-manager', caseName));
      expect(result[ENTERPRISE_USER_SCHEMA]).toEqual({ manager: { value: mgrId } });
      expect(Object.keys(result).some((key) => key.toLowerCase().endsWith(':manager'))).toBe(false);
    },
  );

  it.each(['remove-by-path', 'remove-by-filter', 'replace-empty-string', 'replace-null'])(
    'T10/Q15 %s: the manager is removed (and the empty extension with it)',
    (caseName) => {
      const withManager = { ...provisionedUser(), [ENTERPRISE_USER_SCHEMA]: { manager: { value: mgrId } } };
      const result = applyPurely(withManager, loadEntraFixtureCase('t10-manager', caseName));
      expect(result).not.toHaveProperty([ENTERPRISE_USER_SCHEMA]);
    },
  );

  it('T10: remove manager[value eq "other"] keeps a different manager', () => {
    const withManager = { ...provisionedUser(), [ENTERPRISE_USER_SCHEMA]: { department: 'X', manager: { value: 'someone-else' } } };
    const result = applyPurely(withManager, loadEntraFixtureCase('t10-manager', 'remove-by-filter'));
    expect(result[ENTERPRISE_USER_SCHEMA]).toEqual({ department: 'X', manager: { value: 'someone-else' } });
  });

  it('T10 gallery SCIM_Update_Manager: add, then replace, then remove', () => {
    const path = `${ENTERPRISE_USER_SCHEMA}:manager`;
    let doc = applyPurely(provisionedUser(), patch({ op: 'Add', path, value: 'm1' }));
    doc = applyPurely(doc, patch({ op: 'Replace', path, value: { value: 'm2' } }));
    expect(doc[ENTERPRISE_USER_SCHEMA]).toEqual({ manager: { value: 'm2' } });
    doc = applyPurely(doc, patch({ op: 'Remove', path }));
    expect(doc).toEqual(provisionedUser());
  });
});

describe('applyUserPatch: quirks', () => {
  it.each([
    ['work-phone', 'phoneNumbers', [{ type: 'work', value: '+1 425 555 0100' }]],
    ['mobile-phone-add', 'phoneNumbers', [{ type: 'mobile', value: '555-555-5555' }]],
    ['work-address', 'addresses', [{ type: 'work', streetAddress: '1 Main St', postalCode: '98052' }]],
    ['primary-role', 'roles', [{ primary: true, value: 'Admin' }]],
    ['work-entitlement', 'entitlements', [{ type: 'work', value: 'E5' }]],
  ])('Q5 %s: a filtered path with no matching element creates it', (caseName, attribute, expected) => {
    const result = applyPurely(provisionedUser(), loadEntraFixtureCase('q5-create-on-absent', caseName));
    expect(result[attribute]).toEqual(expected);
  });

  it('Q5: adding emails[type eq "other"] does not change which email is primary', () => {
    const result = applyPurely(provisionedUser(), loadEntraFixtureCase('q5-create-on-absent', 'other-email'));
    expect(result.emails).toEqual([
      { value: 'a@testuser.com', type: 'work', primary: true },
      { type: 'other', value: 'alias@testuser.com' },
    ]);
  });

  it('Q5/G11: the mapping table\'s `.Formatted` and `.Value` are stored under canonical names', () => {
    const result = applyPurely(provisionedUser(), loadEntraFixtureCase('q5-create-on-absent', 'mapping-table-casing'));
    expect(result.addresses).toEqual([{ type: 'other', formatted: 'Building 4' }]);
    expect(result.emails).toContainEqual({ type: 'other', value: 'proxy@testuser.com' });
  });

  it('Q5: roles[primary eq "True"] on a user with a primary role updates it; a new primary clears the old one', () => {
    const user: UserDoc = { ...provisionedUser(), roles: [{ value: 'Reader', primary: true }, { value: 'Guest' }] };
    const updated = applyPurely(user, loadEntraFixtureCase('q5-create-on-absent', 'primary-role'));
    expect(updated.roles).toEqual([{ value: 'Admin', primary: true }, { value: 'Guest' }]);
    const promoted = applyPurely(user, patch({ op: 'replace', path: 'roles[value eq "Guest"].primary', value: 'True' }));
    expect(promoted.roles).toEqual([{ value: 'Reader', primary: false }, { value: 'Guest', primary: true }]);
  });

  it('Q5: type values stay unique: a filter that misses but names an existing type updates that element', () => {
    const user = { ...provisionedUser(), phoneNumbers: [{ type: 'work', value: '1' }] };
    const result = applyPurely(user, patch({ op: 'Replace', path: 'phoneNumbers[type eq "work" and primary eq true].value', value: '2' }));
    expect(result.phoneNumbers).toEqual([{ type: 'work', value: '2', primary: true }]);
  });

  it('Q5: a filter that cannot describe a new element is 400 noTarget when nothing matches', () => {
    const error = scimErrorOf(() => applyUserPatch(provisionedUser(), patch({ op: 'replace', path: 'phoneNumbers[type ne "work"].value', value: '1' })));
    expect([error.status, error.scimType]).toEqual([400, 'noTarget']);
  });

  it('Q6: Add on a single-valued attribute that already has a value replaces it', () => {
    expect(applyPurely(provisionedUser(), patch({ op: 'Add', path: 'userName', value: 'x@y' })).userName).toBe('x@y');
  });

  it('Q7: a custom extension path creates the extension object; removing its last attribute removes it', () => {
    const added = applyPurely(provisionedUser(), loadEntraFixtureCase('q7-custom-extension', 'patch'));
    expect(added[ACME]).toEqual({ costCenter: 'CC-7' });
    const removed = applyPurely(added, patch({ op: 'remove', path: `${ACME}:COSTCENTER` }));
    expect(removed).toEqual(provisionedUser());
  });

  it('Q11 legacy: Add roles with JSON-encoded strings appends decoded roles', () => {
    const result = applyPurely(provisionedUser(), loadEntraFixtureCase('q11-roles', 'patch-add-string-encoded'));
    expect(result.roles).toEqual([{ value: 'Admin', display: 'Admin' }]);
  });

  it('Q11 legacy: Remove roles with JSON-encoded strings removes those roles', () => {
    const user: UserDoc = { ...provisionedUser(), roles: [{ value: 'Admin', display: 'Admin' }, { value: 'Reader' }] };
    const body = patch({ op: 'Remove', path: 'roles', value: ['{"id":"7a1f","value":"Admin","displayName":"Admin"}'] });
    expect(applyPurely(user, body).roles).toEqual([{ value: 'Reader' }]);
  });

  it('Q11 flag: replace roles with whole objects replaces the list', () => {
    const user = { ...provisionedUser(), roles: [{ value: 'Reader' }] };
    const result = applyPurely(user, loadEntraFixtureCase('q11-roles', 'patch-replace-objects'));
    expect(result.roles).toEqual([{ primary: true, type: 'WindowsAzureActiveDirectoryRole', value: 'Writer', display: 'Writer' }]);
  });

  it('Q12 legacy: Remove with a value on emails[type eq "work"].value removes the email, never sets it', () => {
    const user: UserDoc = { ...provisionedUser(), emails: [{ value: 'Test_User_x@testuser.com', type: 'work', primary: true }, { value: 'h@x', type: 'home' }] };
    const result = applyPurely(user, loadEntraFixture('q12-remove-with-value'));
    expect(result.emails).toEqual([{ value: 'h@x', type: 'home' }]);
    const other = applyPurely(user, patch({ op: 'Remove', path: 'name.givenName', value: 'Something else' }));
    expect(other.name).toEqual({ familyName: 'familyName' });
  });

  it.each(['empty-string', 'null'])('Q15 %s: replace title with an empty value clears it', (caseName) => {
    const result = applyPurely({ ...provisionedUser(), title: 'Boss' }, loadEntraFixtureCase('q15-null-update', caseName));
    expect(result).toEqual(provisionedUser());
  });

  it('Q15: a path-less replace with "" and null clears each attribute', () => {
    const user = { ...provisionedUser(), title: 'Boss', nickName: 'B' };
    const result = applyPurely(user, loadEntraFixtureCase('q15-null-update', 'no-path-empty-and-null'));
    expect(result).toEqual({ ...provisionedUser(), name: { familyName: 'familyName' } });
  });

  it('Q15: replacing a filtered sub-attribute with "" removes it and drops the emptied element', () => {
    const user = { ...provisionedUser(), phoneNumbers: [{ type: 'mobile', value: '1' }, { type: 'work', value: '2' }] };
    const result = applyPurely(user, loadEntraFixtureCase('q15-null-update', 'filtered-sub-attribute'));
    expect(result.phoneNumbers).toEqual([{ type: 'work', value: '2' }]);
  });

  it('Q4: nested objects merge into name and the extension; a URN-qualified manager key works too', () => {
    const user = { ...provisionedUser(), [ENTERPRISE_USER_SCHEMA]: { employeeNumber: '7' } };
    const nested = applyPurely(user, loadEntraFixtureCase('q4-pathless-values', 'replace-nested-objects'));
    expect(nested.name).toEqual({ givenName: 'Nested', familyName: 'familyName' });
    expect(nested[ENTERPRISE_USER_SCHEMA]).toEqual({ employeeNumber: '7', department: 'Sales', manager: { value: mgrId } });
    const qualified = applyPurely(user, loadEntraFixtureCase('q4-pathless-values', 'replace-urn-qualified-manager'));
    expect(qualified[ENTERPRISE_USER_SCHEMA]).toEqual({ employeeNumber: '7', manager: { value: mgrId } });
  });

  it('Q4 (OBS scim-patch#132): a path-less add with dotted keys lands inside name', () => {
    const result = applyPurely(provisionedUser(), loadEntraFixtureCase('q4-pathless-values', 'add-dotted-keys'));
    expect(result.name).toEqual({ givenName: 'Ann', familyName: 'familyName', middleName: 'B' });
    expect(result.nickName).toBe('Annie');
  });

  it('Postman "Patch user omalley new username" and "active with boolean"', () => {
    const renamed = applyPurely(provisionedUser(), loadEntraFixtureCase('postman-reference-suite', 'patch-replace-username'));
    expect(renamed.userName).toBe('newusername');
    expect(applyPurely(renamed, patch({ op: 'Replace', path: 'active', value: false })).active).toBe(false);
  });
});

describe('applyUserPatch: RFC 7644 rules', () => {
  it('remove with a filter that matches nothing is a no-op', () => {
    const user = provisionedUser();
    expect(applyPurely(user, patch({ op: 'remove', path: 'emails[type eq "home"]' }))).toEqual(user);
    expect(applyPurely(user, patch({ op: 'remove', path: 'phoneNumbers[type eq "fax"].value' }))).toEqual(user);
  });

  it('multi-valued add appends and ignores an identical element; a new primary clears the old one', () => {
    const user = provisionedUser();
    const same = applyPurely(user, patch({ op: 'add', path: 'emails', value: [{ value: 'a@testuser.com', type: 'work', primary: true }] }));
    expect(same).toEqual(user);
    const added = applyPurely(user, patch({ op: 'add', path: 'emails', value: [{ value: 'b@x', type: 'home', primary: 'True' }] }));
    expect(added.emails).toEqual([
      { value: 'a@testuser.com', type: 'work', primary: false },
      { value: 'b@x', type: 'home', primary: true },
    ]);
  });

  it('replace of a multi-valued attribute replaces the whole list; remove without a filter removes it', () => {
    const replaced = applyPurely(provisionedUser(), patch({ op: 'replace', path: 'emails', value: [{ value: 'n@x', type: 'work' }] }));
    expect(replaced.emails).toEqual([{ value: 'n@x', type: 'work' }]);
    expect(applyPurely(replaced, patch({ op: 'remove', path: 'emails' }))).not.toHaveProperty('emails');
  });

  it('remove of a whole extension URN removes the extension object', () => {
    const user = { ...provisionedUser(), [ENTERPRISE_USER_SCHEMA]: { department: 'X' } };
    expect(applyPurely(user, patch({ op: 'remove', path: ENTERPRISE_USER_SCHEMA }))).toEqual(provisionedUser());
  });

  it('an unknown core attribute path is 400 invalidPath naming it and the operation', () => {
    const error = scimErrorOf(() => applyUserPatch(provisionedUser(), patch({ op: 'add', path: 'title', value: 'x' }, { op: 'add', path: 'adreses', value: 'x' })));
    expect([error.status, error.scimType]).toEqual([400, 'invalidPath']);
    expect(error.detail).toMatch(/^Operations\[1\]: .*'adreses'/);
  });

  it.each([
    [{ op: 'replace', path: 'active', value: 'maybe' }, 'active'],
    [{ op: 'add', path: 'emails', value: ['a@x'] }, 'emails'],
    [{ op: 'replace', path: 'userName', value: 7 }, 'userName'],
    [{ op: 'replace', path: 'name', value: 'Ann' }, 'name'],
  ])('a value of the wrong type is 400 invalidValue (%j)', (operation, attribute) => {
    const error = scimErrorOf(() => applyUserPatch(provisionedUser(), patch(operation)));
    expect([error.status, error.scimType]).toEqual([400, 'invalidValue']);
    expect(error.detail).toContain(attribute);
  });

  it('userName cannot be removed; id and meta are read-only', () => {
    expect(scimErrorOf(() => applyUserPatch(provisionedUser(), patch({ op: 'remove', path: 'userName' }))).scimType).toBe('invalidValue');
    expect(scimErrorOf(() => applyUserPatch(provisionedUser(), patch({ op: 'replace', path: 'userName', value: '' }))).scimType).toBe('invalidValue');
    expect(scimErrorOf(() => applyUserPatch(provisionedUser(), patch({ op: 'replace', path: 'id', value: 'x' }))).scimType).toBe('mutability');
    expect(scimErrorOf(() => applyUserPatch(provisionedUser(), patch({ op: 'replace', path: 'groups', value: [] }))).scimType).toBe('mutability');
  });

  it('a failing operation list leaves nothing applied and names the failing index', () => {
    const user = provisionedUser();
    const error = scimErrorOf(() =>
      applyUserPatch(user, patch({ op: 'replace', path: 'title', value: 'x' }, { op: 'replace', path: 'displayName', value: 'y' }, { op: 'replace', path: 'active', value: 3 })),
    );
    expect(error.detail).toMatch(/^Operations\[2\]: /);
    expect(user).toEqual(provisionedUser());
  });

  it('emails.value without a filter sets the only or the primary email; ambiguous lists are 400 noTarget', () => {
    expect(applyPurely(provisionedUser(), patch({ op: 'replace', path: 'emails.value', value: 'z@x' })).emails).toEqual([
      { value: 'z@x', type: 'work', primary: true },
    ]);
    const two = { ...provisionedUser(), emails: [{ value: '1@x', type: 'work' }, { value: '2@x', type: 'home' }] };
    expect(scimErrorOf(() => applyUserPatch(two, patch({ op: 'replace', path: 'emails.value', value: 'z@x' }))).scimType).toBe('noTarget');
  });

  it('a filter on an unknown sub-attribute is 400 invalidFilter', () => {
    const error = scimErrorOf(() => applyUserPatch(provisionedUser(), patch({ op: 'replace', path: 'emails[kind eq "work"].value', value: 'x' })));
    expect([error.status, error.scimType]).toEqual([400, 'invalidFilter']);
  });
});

describe('required attributes', () => {
  it('refuses to blank out userName with a PATCH, as POST and PUT do', () => {
    const doc = { userName: 'someone@contoso.com' };
    for (const value of ['   ', '']) {
      expect(() => applyUserPatch(doc, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'userName', value }] })).toThrowError(
        expect.objectContaining({ status: 400, scimType: 'invalidValue' }),
      );
    }
  });
});

describe('interoperability loose ends (public SCIM validators)', () => {
  it('accepts an enterprise extension object that carries its own schemas key, by path and path-less', () => {
    const value = { schemas: [ENTERPRISE_USER_SCHEMA], department: 'Retail', employeeNumber: '42' };
    for (const op of ['add', 'replace']) {
      const byPath = applyPurely(provisionedUser(), patch({ op, path: ENTERPRISE_USER_SCHEMA, value }));
      expect(byPath[ENTERPRISE_USER_SCHEMA]).toEqual({ department: 'Retail', employeeNumber: '42' });
      const pathless = applyPurely(provisionedUser(), patch({ op, value: { [ENTERPRISE_USER_SCHEMA]: value } }));
      expect(pathless[ENTERPRISE_USER_SCHEMA]).toEqual({ department: 'Retail', employeeNumber: '42' });
    }
    const custom = applyPurely(provisionedUser(), patch({ op: 'add', path: ACME, value: { schemas: [ACME], costCenter: 'CC' } }));
    expect(custom[ACME]).toEqual({ costCenter: 'CC' });
  });

  it('refuses to remove active (unassigned it reads as true), rather than answering a change that shows nothing', () => {
    const inactive = { ...provisionedUser(), active: false };
    for (const operation of [
      { op: 'remove', path: 'active' },
      { op: 'Remove', path: 'urn:ietf:params:scim:schemas:core:2.0:User:active' },
      { op: 'replace', path: 'active', value: null },
      { op: 'replace', value: { active: '' } },
    ]) {
      const error = scimErrorOf(() => applyUserPatch(inactive, patch(operation)));
      expect([error.status, error.scimType]).toEqual([400, 'invalidValue']);
      expect(error.detail).toMatch(/'active' cannot be removed/);
    }
    expect(applyPurely(inactive, patch({ op: 'replace', path: 'active', value: 'True' })).active).toBe(true);
    expect(applyPurely(provisionedUser(), patch({ op: 'remove', path: 'nickName' }))).not.toHaveProperty('nickName');
  });
});
