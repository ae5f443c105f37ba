import { describe, expect, it } from 'vitest';
import { describeAttributes, parseGroupInput, parseUserInput } from '../../../shared/scim/resource-input.js';
import { ENTERPRISE_USER_SCHEMA } from '../../../shared/scim/schemas/index.js';
import { FIXTURE_IDS, loadEntraFixture, loadEntraFixtureCase } from '../../fixtures/entra/fixtures.js';
import { scimErrorOf } from './scim-test-helpers.js';

const ACME = 'urn:ietf:params:scim:schemas:extension:Acme:2.0:User';


describe('parseUserInput', () => {
  it('T3: a create-user body becomes the canonical document; meta, schemas and roles:[] are not stored (Q10)', () => {
    expect(parseUserInput(loadEntraFixture('t3-create-user'))).toEqual({
      userName: `Test_User_${FIXTURE_IDS.aadObjId}`,
      externalId: FIXTURE_IDS.aadObjId,
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      active: true,
      emails: [{ primary: true, type: 'work', value: 'Test_User_x@testuser.com' }],
    });
  });

  it('T3 legacy sample: nulls are absent, "True" is true (Q2) and the malformed enterprise URN is not rejected (Q9)', () => {
    const doc = parseUserInput(loadEntraFixture('t3-create-user-legacy-sample'));
    expect(doc.active).toBe(true);
    expect(doc.displayName).toBe('Joy Young');
    for (const absent of ['addresses', 'phoneNumbers', 'title', 'preferredLanguage', 'department', 'manager']) {
      expect(doc).not.toHaveProperty(absent);
    }
    expect(doc).not.toHaveProperty([ENTERPRISE_USER_SCHEMA]);
  });

  it('Postman "Post EnterpriseUser": Primary, Department and Manager.Value get their canonical names', () => {
    const doc = parseUserInput(loadEntraFixtureCase('postman-reference-suite', 'post-enterprise-user'));
    expect(doc.emails).toEqual([
      { primary: true, type: 'work', value: 'testing@bob2.com' },
      { primary: false, type: 'home', value: 'testinghome@bob3.com' },
    ]);
    expect(doc[ENTERPRISE_USER_SCHEMA]).toEqual({ department: 'bob', manager: { value: 'SuzzyQ' } });
  });

  it('Postman "Post emp1 with string True": active is the boolean true, null address parts are dropped, values kept as sent', () => {
    const doc = parseUserInput(loadEntraFixtureCase('postman-reference-suite', 'post-emp1-string-true'));
    expect(doc.active).toBe(true);
    expect(doc.addresses).toEqual([
      {
        country: 'Bermuda',
        formatted: '9132 Jennifer Way Suite 040\nSouth Nancy, MI 55645',
        locality: 'West Mercedes',
        postalCode: '99265',
        region: 'Montana',
        streetAddress: '4939 Hess Fork',
        type: 'work',
        primary: false,
      },
      { formatted: '18522 Lisa Unions\nEast Gregory, CT 52311', type: 'other', primary: false },
    ]);
    expect(doc.phoneNumbers).toContainEqual({ type: 'fax', primary: false, value: '312-320-0500' });
    expect(doc).not.toHaveProperty('meta');
    expect(doc).not.toHaveProperty('roles');
  });

  it('Postman "Post no username": 400 invalidValue "userName is required"', () => {
    const error = scimErrorOf(() => parseUserInput(loadEntraFixtureCase('postman-reference-suite', 'post-no-username')));
    expect([error.status, error.scimType, error.detail]).toEqual([400, 'invalidValue', 'userName is required']);
  });

  it('Postman "Put a user" with the misspelt `adreses`: the unknown attribute and the client id are dropped', () => {
    const doc = parseUserInput(loadEntraFixtureCase('postman-reference-suite', 'put-misspelt-addresses'));
    expect(doc).not.toHaveProperty('adreses');
    expect(doc).not.toHaveProperty('addresses');
    expect(doc).not.toHaveProperty('id');
    expect(doc.active).toBe(false);
  });

  it('Q2 validator: "primary":"true" and "active":"FALSE" become JSON booleans', () => {
    const doc = parseUserInput({ userName: 'a', active: 'FALSE', emails: [{ value: 'a@x', type: 'work', primary: 'true' }] });
    expect(doc).toEqual({ userName: 'a', active: false, emails: [{ value: 'a@x', type: 'work', primary: true }] });
  });

  it('Q7: flat URN-qualified keys and unlisted custom extensions land under their URN', () => {
    const doc = parseUserInput(loadEntraFixtureCase('q7-custom-extension', 'post'));
    expect(doc[ENTERPRISE_USER_SCHEMA]).toEqual({ department: 'Retail' });
    expect(doc[ACME]).toEqual({ costCenter: 'CC-42', badgeNumber: 1234, contractor: true });
  });

  it('Q7: custom extension attributes must be simple values', () => {
    const error = scimErrorOf(() => parseUserInput({ userName: 'a', [ACME]: { tags: ['x'] } }));
    expect([error.status, error.scimType]).toEqual([400, 'invalidValue']);
    expect(error.detail).toContain('tags');
  });

  it('Q11: role items with primary "True" and displayName become canonical roles', () => {
    const doc = parseUserInput(loadEntraFixtureCase('q11-roles', 'post'));
    expect(doc.roles).toEqual([
      { primary: true, type: 'WindowsAzureActiveDirectoryRole', value: 'Admin', display: 'Admin' },
      { primary: false, type: 'WindowsAzureActiveDirectoryRole', value: 'Reader', display: 'Reader' },
    ]);
  });

  it('Q11: JSON-encoded role strings are decoded', () => {
    const doc = parseUserInput({ userName: 'a', roles: ['{"id":"1","value":"Admin","displayName":"Admin"}'] });
    expect(doc.roles).toEqual([{ value: 'Admin', display: 'Admin' }]);
  });

  it('T10/Q8: every manager shape is stored as { value }', () => {
    for (const manager of ['m1', { value: 'm1' }, { Value: 'm1', displayName: 'Boss' }, [{ $ref: '../Users/m1', value: 'm1' }]]) {
      const doc = parseUserInput({ userName: 'a', [ENTERPRISE_USER_SCHEMA]: { manager } });
      expect(doc[ENTERPRISE_USER_SCHEMA]).toEqual({ manager: { value: 'm1' } });
    }
    const flat = parseUserInput({ userName: 'a', [`${ENTERPRISE_USER_SCHEMA}:manager`]: 'm2' });
    expect(flat[ENTERPRISE_USER_SCHEMA]).toEqual({ manager: { value: 'm2' } });
  });

  it('ignores readOnly and computed attributes: id, meta, schemas, groups (Q10), and never stores a password', () => {
    const doc = parseUserInput({
      id: 'x', userName: 'a', meta: {}, schemas: ['anything'], groups: [{ value: 'g' }], password: 'secret',
    });
    expect(doc).toEqual({ userName: 'a' });
  });

  it.each([
    [{ userName: 'a', emails: 'a@x.com' }, 'emails'],
    [{ userName: 'a', emails: ['a@x.com'] }, 'emails[0]'],
    [{ userName: 42 }, 'userName'],
    [{ userName: 'a', active: 'yes' }, 'active'],
    [{ userName: 'a', name: 'Ann' }, 'name'],
    [{ userName: 'a', [ENTERPRISE_USER_SCHEMA]: 'Sales' }, ENTERPRISE_USER_SCHEMA],
  ])('rejects a wrong type with 400 invalidValue naming the attribute (%j)', (body, attribute) => {
    const error = scimErrorOf(() => parseUserInput(body));
    expect([error.status, error.scimType]).toEqual([400, 'invalidValue']);
    expect(error.detail).toContain(`'${attribute}'`);
  });

  it('rejects a body that is not an object with 400 invalidSyntax', () => {
    for (const body of [null, [], 'x', 3]) {
      const error = scimErrorOf(() => parseUserInput(body));
      expect([error.status, error.scimType]).toEqual([400, 'invalidSyntax']);
    }
  });
});

describe('parseGroupInput', () => {
  it('T11: the Microsoft ADSCIM marker schema is ignored (Q9) and meta is dropped', () => {
    expect(parseGroupInput(loadEntraFixture('t11-create-group'))).toEqual({
      doc: { externalId: FIXTURE_IDS.aadObjId, displayName: 'displayName' },
      members: [],
    });
  });

  it('Postman "Create filled group 2": members come back as MemberRef', () => {
    const { members } = parseGroupInput(loadEntraFixtureCase('postman-reference-suite', 'post-filled-group'));
    expect(members).toEqual([{ value: FIXTURE_IDS.uid, display: 'VP' }]);
  });

  it('members may be bare ids, objects with displayName or type in any case; duplicates collapse', () => {
    const { members } = parseGroupInput({
      displayName: 'g',
      members: ['u1', { value: 'u2', displayName: 'Two', type: 'user', $ref: null }, { Value: 'u1' }],
    });
    expect(members).toEqual([{ value: 'u2', display: 'Two', type: 'User' }, { value: 'u1' }]);
  });

  it('displayName is required (400 invalidValue)', () => {
    const error = scimErrorOf(() => parseGroupInput({ externalId: 'x' }));
    expect([error.status, error.scimType, error.detail]).toEqual([400, 'invalidValue', 'displayName is required']);
  });

  it('a member without a value is 400 invalidValue', () => {
    const error = scimErrorOf(() => parseGroupInput({ displayName: 'g', members: [{ display: 'x' }] }));
    expect([error.status, error.scimType]).toEqual([400, 'invalidValue']);
    expect(error.detail).toContain('members[0].value');
  });
});

describe('describeAttributes', () => {
  it('lists every leaf path in the catalog form Entra mapping uses', () => {
    const doc = parseUserInput({
      userName: 'a',
      active: true,
      name: { givenName: 'Ann', familyName: 'Lee' },
      emails: [{ type: 'work', value: 'a@x.com', primary: true }, { value: 'b@x.com' }],
      phoneNumbers: [{ type: 'mobile', value: '1' }, { type: 'work', value: '2' }],
      [ENTERPRISE_USER_SCHEMA]: { department: 'Sales', manager: { value: 'm1' } },
      [`${ACME}:costCenter`]: 'CC',
      [`${ACME}:badge`]: 7,
      [`${ACME}:ratio`]: 0.5,
      [`${ACME}:contractor`]: false,
    });
    expect(describeAttributes(doc)).toEqual([
      { path: 'userName', type: 'string' },
      { path: 'name.givenName', type: 'string' },
      { path: 'name.familyName', type: 'string' },
      { path: 'active', type: 'boolean' },
      { path: 'emails[type eq "work"].value', type: 'string' },
      { path: 'emails[type eq "work"].primary', type: 'boolean' },
      { path: 'emails.value', type: 'string' },
      { path: 'phoneNumbers[type eq "mobile"].value', type: 'string' },
      { path: 'phoneNumbers[type eq "work"].value', type: 'string' },
      { path: `${ENTERPRISE_USER_SCHEMA}:department`, type: 'string' },
      { path: `${ENTERPRISE_USER_SCHEMA}:manager`, type: 'reference' },
      { path: `${ACME}:costCenter`, type: 'string' },
      { path: `${ACME}:badge`, type: 'integer' },
      { path: `${ACME}:ratio`, type: 'decimal' },
      { path: `${ACME}:contractor`, type: 'boolean' },
    ]);
  });
});
