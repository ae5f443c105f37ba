import { describe, expect, it } from 'vitest';
import { attributeLabel } from '../../../../shared/directory/targeting/attribute-label.js';
import { MAX_VALUES_PER_ATTRIBUTE, parseAttributePath, valuesAt } from '../../../../shared/directory/targeting/attribute-values.js';
import { ALL_PERSON_SHARDS, personIdRange, shardOfPersonId } from '../../../../shared/storage/person-id-shards.js';
import { newPersonId } from '../../../../shared/storage/people-repository.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe('values of a targeting attribute in a source document', () => {
  const doc = {
    userName: 'ada@contoso.com',
    title: 'Engineer',
    active: true,
    name: { givenName: 'Ada' },
    emails: [
      { type: 'work', value: 'Ada@Contoso.com' },
      { type: 'home', value: 'ada@home.example' },
    ],
    [ENTERPRISE]: { department: 'Sales', manager: { value: 'boss-id' } },
    onPremisesExtensionAttributes: { extensionAttribute1: 'Blue' },
    phoneNumbers: [{ value: '1' }, { value: '2' }],
  };

  it.each([
    ['title', ['engineer']],
    ['Title', ['engineer']],
    ['active', ['true']],
    ['name.givenName', ['ada']],
    ['emails[type eq "work"].value', ['ada@contoso.com']],
    ['emails.value', ['ada@contoso.com', 'ada@home.example']],
    [`${ENTERPRISE}:department`, ['sales']],
    [`${ENTERPRISE}:manager`, ['boss-id']],
    ['onPremisesExtensionAttributes.extensionAttribute1', ['blue']],
    ['phoneNumbers.value', ['1', '2']],
    ['nickName', []],
    ['name', []],
  ])('%s gives %j (normalised: NFC, lower case, distinct, sorted)', (path, expected) => {
    expect(valuesAt(doc, path)).toEqual(expected);
  });

  it('keeps at most MAX_VALUES_PER_ATTRIBUTE values of a multi-valued attribute', () => {
    const many = { phoneNumbers: Array.from({ length: 50 }, (_, i) => ({ value: `n${i}` })) };
    expect(valuesAt(many, 'phoneNumbers.value')).toHaveLength(MAX_VALUES_PER_ATTRIBUTE);
  });

  it('refuses paths the catalog never records', () => {
    expect(parseAttributePath('emails[value sw "a"].value')).toBeUndefined();
    expect(valuesAt(doc, 'emails[value sw "a"].value')).toEqual([]);
    expect(valuesAt(undefined, 'title')).toEqual([]);
  });

  it.each([
    [`${ENTERPRISE}:department`, 'Department (enterprise)'],
    ['emails[type eq "work"].value', 'Emails (work) › Value'],
    ['employeeOrgData.costCenter', 'Employee org data › Cost center'],
    ['title', 'Title'],
  ])('labels %s as %s', (path, label) => {
    expect(attributeLabel(path)).toBe(label);
  });
});

describe('person-id shards', () => {
  it('put every id in exactly one shard, whose range holds it', () => {
    const ids = [...Array.from({ length: 500 }, (_, i) => newPersonId(`user${i}@contoso.com`)), '', '00', '3f', 'ff', 'zz', '~'];
    for (const id of ids) {
      const shard = shardOfPersonId(id);
      const range = personIdRange(shard);
      expect(id >= range.from && id < range.to).toBe(true);
      expect(ALL_PERSON_SHARDS.filter((other) => id >= personIdRange(other).from && id < personIdRange(other).to)).toEqual([shard]);
    }
  });

  it('spread generated ids over every shard', () => {
    const used = new Set(Array.from({ length: 2000 }, (_, i) => shardOfPersonId(newPersonId(`u${i}`))));
    expect(used.size).toBe(ALL_PERSON_SHARDS.length);
  });
});
