import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { PatchPath } from '../../../../shared/scim/filter/index.js';
import { formatPatchPath, MAX_FILTER_LENGTH, parsePatchPath } from '../../../../shared/scim/filter/index.js';
import { ScimError } from '../../../../shared/scim/errors.js';
import { and, attrPath, compare, expectBadRequest } from './filter-test-helpers.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const validPaths: [name: string, path: string, expected: PatchPath][] = [
  ['T5 userName', 'userName', { path: attrPath('userName') }],
  ['T6 name.familyName', 'name.familyName', { path: attrPath('name.familyName') }],
  [
    'T6 emails[type eq "work"].value',
    'emails[type eq "work"].value',
    { path: attrPath('emails'), valueFilter: compare('type', 'eq', 'work'), subAttr: 'value' },
  ],
  [
    'G11 Entra capitalisation',
    'addresses[type eq "other"].Formatted',
    { path: attrPath('addresses'), valueFilter: compare('type', 'eq', 'other'), subAttr: 'Formatted' },
  ],
  [
    'Q5 phoneNumbers mobile',
    'phoneNumbers[type eq "mobile"].value',
    { path: attrPath('phoneNumbers'), valueFilter: compare('type', 'eq', 'mobile'), subAttr: 'value' },
  ],
  [
    'Q5 roles[primary eq "True"].value',
    'roles[primary eq "True"].value',
    { path: attrPath('roles'), valueFilter: compare('primary', 'eq', 'True'), subAttr: 'value' },
  ],
  ['Q7 enterprise department', `${ENTERPRISE}:department`, { path: attrPath(`${ENTERPRISE}:department`) }],
  ['Q7 enterprise employeeNumber', `${ENTERPRISE}:employeeNumber`, { path: attrPath(`${ENTERPRISE}:employeeNumber`) }],
  [
    'Q7 custom extension',
    'urn:ietf:params:scim:schemas:extension:Custom:2.0:User:costCenter',
    { path: { schema: 'urn:ietf:params:scim:schemas:extension:Custom:2.0:User', attr: 'costCenter' } },
  ],
  ['T10 manager', `${ENTERPRISE}:manager`, { path: { schema: ENTERPRISE, attr: 'manager' } }],
  [
    'T10 manager.value',
    `${ENTERPRISE}:manager.value`,
    { path: { schema: ENTERPRISE, attr: 'manager', subAttr: 'value' } },
  ],
  [
    'T10 manager[value eq]',
    'manager[value eq "m-1"]',
    { path: attrPath('manager'), valueFilter: compare('value', 'eq', 'm-1') },
  ],
  ['T16 members', 'members', { path: attrPath('members') }],
  [
    'Q3 members[value eq]',
    'members[value eq "u-1"]',
    { path: attrPath('members'), valueFilter: compare('value', 'eq', 'u-1') },
  ],
  [
    'value filter with and',
    'emails[type eq "work" and primary eq true].value',
    {
      path: attrPath('emails'),
      valueFilter: and(compare('type', 'eq', 'work'), compare('primary', 'eq', true)),
      subAttr: 'value',
    },
  ],
  [
    'URN-qualified value path',
    `${ENTERPRISE}:manager[value eq "m-1"].displayName`,
    {
      path: { schema: ENTERPRISE, attr: 'manager' },
      valueFilter: compare('value', 'eq', 'm-1'),
      subAttr: 'displayName',
    },
  ],
  ['surrounding whitespace', ' active ', { path: attrPath('active') }],
];

const invalidPaths: [name: string, path: string, detailFragment: string][] = [
  ['empty', '', 'expected an attribute path, found end of input'],
  ['three parts', 'name.given.name', "found 'name.given.name'"],
  ['filter expression instead of a path', 'userName eq "x"', "expected '[', '.' or end of path, found 'eq'"],
  ['sub-attribute before a value filter', 'name.givenName[type eq "x"]', 'without a sub-attribute'],
  ['unclosed value filter', 'emails[type eq "work"', "expected ']'"],
  ['bad filter inside', 'emails[type xx "work"]', 'expected a comparison operator'],
  ['nested value filter', 'emails[type[value eq 1]]', 'cannot be nested'],
  ['dot without sub-attribute', 'emails[type eq "work"].', 'expected a sub-attribute name'],
  ['two sub-attributes after filter', 'emails[type eq "work"].value.x', 'expected a sub-attribute name'],
  ['junk after path', 'emails[type eq "work"] x', "found 'x'"],
];

describe('parsePatchPath', () => {
  it.each(validPaths)('parses %s', (_name, path, expected) => {
    expect(parsePatchPath(path)).toEqual(expected);
  });

  it.each(invalidPaths)('rejects %s with 400 invalidPath', (_name, path, detailFragment) => {
    const error = expectBadRequest(() => parsePatchPath(path), 'invalidPath');
    expect(error.detail).toContain('Invalid PATCH path');
    expect(error.detail).toContain(detailFragment);
  });

  it('rejects paths over the length limit', () => {
    expectBadRequest(() => parsePatchPath('a'.repeat(MAX_FILTER_LENGTH + 1)), 'invalidPath');
  });

  it.each(validPaths)('formatPatchPath round-trips %s', (_name, path) => {
    const parsed = parsePatchPath(path);
    expect(parsePatchPath(formatPatchPath(parsed))).toEqual(parsed);
  });

  it('answers any string with a PatchPath or a ScimError 400 invalidPath', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          parsePatchPath(text);
        } catch (error) {
          if (!(error instanceof ScimError) || error.status !== 400 || error.scimType !== 'invalidPath') throw error;
        }
      }),
      { numRuns: 1000 },
    );
  });
});
