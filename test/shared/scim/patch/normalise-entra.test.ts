import { describe, expect, it } from 'vitest';
import { formatFilter } from '../../../../shared/scim/filter/index.js';
import { MAX_PATCH_OPERATIONS, normaliseEntraPatch } from '../../../../shared/scim/patch/index.js';
import type { PatchOperation } from '../../../../shared/scim/patch/index.js';
import { ENTERPRISE_USER_SCHEMA } from '../../../../shared/scim/schemas/index.js';
import { FIXTURE_IDS, loadEntraFixture, loadEntraFixtureCase } from '../../../fixtures/entra/fixtures.js';
import { patch, scimErrorOf } from '../scim-test-helpers.js';


/** A compact view of an operation: op, target text, value filter (printed) and value. */
function summary(operation: PatchOperation): unknown {
  const { target } = operation;
  if (target.kind === 'extension') return { op: operation.op, extension: target.urn };
  const filter = target.path.valueFilter === undefined ? {} : { filter: formatFilter(target.path.valueFilter) };
  const value = 'value' in operation ? { value: operation.value } : {};
  return { index: operation.index, op: operation.op, path: target.text, ...filter, ...value };
}


describe('normaliseEntraPatch: the PatchOp envelope', () => {
  it.each([
    ['a body that is not an object', null],
    ['no Operations', { schemas: [] }],
    ['Operations not an array', { Operations: { op: 'add' } }],
    ['empty Operations', { Operations: [] }],
  ])('rejects %s with 400 invalidSyntax', (_, body) => {
    const error = scimErrorOf(() => normaliseEntraPatch(body));
    expect([error.status, error.scimType]).toEqual([400, 'invalidSyntax']);
  });

  it(`answers more than ${MAX_PATCH_OPERATIONS} operations with 413 and says the limit`, () => {
    const operations = Array.from({ length: MAX_PATCH_OPERATIONS + 1 }, () => ({ op: 'replace', path: 'title', value: 'x' }));
    const error = scimErrorOf(() => normaliseEntraPatch(patch(...operations)));
    expect(error.status).toBe(413);
    expect(error.detail).toContain(String(MAX_PATCH_OPERATIONS));
    expect(normaliseEntraPatch(patch(...operations.slice(1)))).toHaveLength(MAX_PATCH_OPERATIONS);
  });

  it('rejects an unknown op with 400 invalidSyntax naming the operation index', () => {
    const error = scimErrorOf(() => normaliseEntraPatch(patch({ op: 'add', path: 'title', value: 'x' }, { op: 'move', path: 'title' })));
    expect([error.status, error.scimType]).toEqual([400, 'invalidSyntax']);
    expect(error.detail).toMatch(/^Operations\[1\]: .*move/);
  });

  it('rejects remove without a path with 400 noTarget (RFC 7644 §3.5.2.2)', () => {
    const error = scimErrorOf(() => normaliseEntraPatch(patch({ op: 'Remove', value: { title: 'x' } })));
    expect([error.status, error.scimType, error.detail]).toEqual([400, 'noTarget', "Operations[0]: a remove operation needs a 'path'"]);
  });

  it('rejects a path-less add whose value is not an object with 400 invalidValue', () => {
    const error = scimErrorOf(() => normaliseEntraPatch(patch({ op: 'add', value: 'x' })));
    expect([error.status, error.scimType]).toEqual([400, 'invalidValue']);
  });

  it('reports a malformed path as 400 invalidPath for its operation', () => {
    const error = scimErrorOf(() => normaliseEntraPatch(patch({ op: 'add', path: 'title', value: 'a' }, { op: 'add', path: 'emails[type eq', value: 'x' })));
    expect([error.status, error.scimType]).toEqual([400, 'invalidPath']);
    expect(error.detail).toMatch(/^Operations\[1\]: /);
  });

  it('accepts member names in any case (Op, Path, Value)', () => {
    expect(normaliseEntraPatch({ operations: [{ Op: 'Replace', Path: 'title', Value: 'Boss' }] }).map(summary)).toEqual([
      { index: 0, op: 'replace', path: 'title', value: 'Boss' },
    ]);
  });
});

describe('normaliseEntraPatch: Entra dialect quirks', () => {
  it('Q1: op casing: T5 "Replace" (legacy) and T7 "replace" (flag) normalise alike', () => {
    const legacy = normaliseEntraPatch(loadEntraFixture('t5-replace-username'));
    expect(legacy.map(summary)).toEqual([{ index: 0, op: 'replace', path: 'userName', value: 'new@testuser.com' }]);
    expect(normaliseEntraPatch(patch({ op: 'ADD', path: 'nickName', value: 'B' }))[0]?.op).toBe('add');
  });

  it('Q2 legacy: T8 "False" becomes false; the flag dialect\'s false stays false', () => {
    expect(normaliseEntraPatch(loadEntraFixtureCase('t8-disable-user', 'legacy'))[0]?.value).toBe(false);
    expect(normaliseEntraPatch(loadEntraFixtureCase('t8-disable-user', 'flag'))[0]?.value).toBe(false);
    expect(normaliseEntraPatch(loadEntraFixtureCase('t8-disable-user', 're-enable-legacy'))[0]?.value).toBe(true);
    expect(normaliseEntraPatch(patch({ op: 'replace', path: 'emails[type eq "work"].primary', value: 'true' }))[0]?.value).toBe(true);
  });

  it('Q3 legacy: Remove members with a value becomes a remove of exactly those ids', () => {
    const [operation] = normaliseEntraPatch(loadEntraFixtureCase('t17-remove-members', 'legacy'));
    expect(operation === undefined ? undefined : summary(operation)).toEqual({
      index: 0,
      op: 'remove',
      path: 'members',
      filter: `value eq "${FIXTURE_IDS.uid}"`,
    });
  });

  it('Q3: several ids become value eq … or value eq …; bare-string ids are accepted', () => {
    const [operation] = normaliseEntraPatch(patch({ op: 'Remove', path: 'members', value: [{ value: 'a' }, 'b', { Value: 'c' }] }));
    expect(operation === undefined ? undefined : summary(operation)).toMatchObject({
      filter: 'value eq "a" or value eq "b" or value eq "c"',
    });
  });

  it('Q3 flag: members[value eq "id"] passes through unchanged', () => {
    const [operation] = normaliseEntraPatch(loadEntraFixtureCase('t17-remove-members', 'flag'));
    expect(operation === undefined ? undefined : summary(operation)).toEqual({
      index: 0,
      op: 'remove',
      path: `members[value eq "${FIXTURE_IDS.uid}"]`,
      filter: `value eq "${FIXTURE_IDS.uid}"`,
    });
  });

  it('Q4 flag: a path-less replace with dotted and URN-qualified keys becomes one operation per attribute', () => {
    const operations = normaliseEntraPatch(loadEntraFixture('t7-flag-multi-attribute-replace'));
    expect(operations.map(summary)).toEqual([
      { index: 0, op: 'replace', path: 'emails[type eq "work"].value', filter: 'type eq "work"', value: 'TestMhvaes@test.microsoft.com' },
      { index: 1, op: 'replace', path: 'displayName', value: 'Bjfe' },
      { index: 1, op: 'replace', path: 'name.givenName', value: 'Kkom' },
      { index: 1, op: 'replace', path: 'name.familyName', value: 'Unua' },
      { index: 1, op: 'replace', path: `${ENTERPRISE_USER_SCHEMA}:employeeNumber`, value: 'Aklq' },
    ]);
    const [, , givenName, , employeeNumber] = operations;
    expect(givenName?.target).toMatchObject({ path: { path: { attr: 'name', subAttr: 'givenName' } } });
    expect(employeeNumber?.target).toMatchObject({ path: { path: { schema: ENTERPRISE_USER_SCHEMA, attr: 'employeeNumber' } } });
  });

  it('Q4: an extension object key is split into its attributes; id, meta and schemas keys are ignored', () => {
    const operations = normaliseEntraPatch(
      patch({ op: 'replace', value: { id: 'x', meta: {}, schemas: [], [ENTERPRISE_USER_SCHEMA]: { department: 'Sales' } } }),
    );
    expect(operations.map(summary)).toEqual([
      { index: 0, op: 'replace', path: `${ENTERPRISE_USER_SCHEMA}:department`, value: 'Sales' },
    ]);
  });

  it('Q8/T10: every manager shape becomes { value }; "" and null become a remove', () => {
    for (const caseName of ['add-bare-id', 'add-value-object', 'replace-value-object', 'add-legacy-array']) {
      const [operation] = normaliseEntraPatch(loadEntraFixtureCase('t10-manager', caseName));
      expect(operation?.value, caseName).toEqual({ value: FIXTURE_IDS.mgrId });
    }
    for (const caseName of ['replace-empty-string', 'replace-null', 'remove-by-path']) {
      const [operation] = normaliseEntraPatch(loadEntraFixtureCase('t10-manager', caseName));
      expect(operation?.op, caseName).toBe('remove');
      expect(operation, caseName).not.toHaveProperty('value');
    }
  });

  it('Q11: JSON-encoded role strings are decoded', () => {
    const [operation] = normaliseEntraPatch(loadEntraFixtureCase('q11-roles', 'patch-add-string-encoded'));
    expect(operation?.value).toEqual([
      { id: '7a1f7c59-4a6e-4d4e-9f8d-9c1b3b1c2d3e', value: 'Admin', displayName: 'Admin' },
    ]);
  });

  it('Q12: a Remove with a value on a sub-attribute path drops the value (it never sets)', () => {
    const operations = normaliseEntraPatch(loadEntraFixture('q12-remove-with-value'));
    expect(operations.map(summary)).toEqual([
      { index: 0, op: 'remove', path: 'emails[type eq "work"].value', filter: 'type eq "work"' },
    ]);
  });

  it('Q15: replace with "" or null is a remove, with a path and inside a path-less value', () => {
    for (const caseName of ['empty-string', 'null']) {
      expect(normaliseEntraPatch(loadEntraFixtureCase('q15-null-update', caseName)).map(summary)).toEqual([
        { index: 0, op: 'remove', path: 'title' },
      ]);
    }
    expect(normaliseEntraPatch(loadEntraFixtureCase('q15-null-update', 'no-path-empty-and-null')).map(summary)).toEqual([
      { index: 0, op: 'remove', path: 'title' },
      { index: 0, op: 'remove', path: 'nickName' },
      { index: 0, op: 'remove', path: 'name.givenName' },
    ]);
  });

  it('a path that is a whole extension URN targets the extension object', () => {
    expect(normaliseEntraPatch(patch({ op: 'remove', path: ENTERPRISE_USER_SCHEMA })).map(summary)).toEqual([
      { op: 'remove', extension: ENTERPRISE_USER_SCHEMA },
    ]);
    expect(normaliseEntraPatch(patch({ op: 'add', path: ENTERPRISE_USER_SCHEMA, value: { department: 'X' } })).map(summary)).toEqual([
      { index: 0, op: 'add', path: `${ENTERPRISE_USER_SCHEMA}:department`, value: 'X' },
    ]);
  });
});
