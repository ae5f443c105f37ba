import { describe, expect, it } from 'vitest';
import { ScimError } from '../../../../shared/scim/errors.js';
import { applyGroupPatch } from '../../../../shared/scim/patch/index.js';
import type { MembersDelta } from '../../../../shared/scim/patch/index.js';
import type { GroupDoc } from '../../../../shared/scim/schemas/index.js';
import { FIXTURE_IDS, loadEntraFixture, loadEntraFixtureCase } from '../../../fixtures/entra/fixtures.js';
import { applyPurely as applyPurelyWith, patch, scimErrorOf } from '../scim-test-helpers.js';

const { aadObjId, uid, uid2 } = FIXTURE_IDS;
const NO_MEMBER_CHANGE: MembersDelta = { removeAll: false, add: [], remove: [] };

function createdGroup(): GroupDoc {
  return { externalId: aadObjId, displayName: 'displayName' };
}


const applyPurely = (doc: GroupDoc, body: unknown): ReturnType<typeof applyGroupPatch> => applyPurelyWith(applyGroupPatch, doc, body);


describe('applyGroupPatch: contract vectors', () => {
  it('T15 legacy: Replace displayName with a path', () => {
    expect(applyPurely(createdGroup(), loadEntraFixtureCase('t15-update-group', 'path'))).toEqual({
      doc: { externalId: aadObjId, displayName: 'newName' },
      members: NO_MEMBER_CHANGE,
    });
  });

  it('T15 validator: a path-less replace of displayName, and of externalId', () => {
    expect(applyPurely(createdGroup(), loadEntraFixtureCase('t15-update-group', 'no-path-display-name')).doc.displayName).toBe('MSADPJJZWBUS');
    const renamed = applyPurely({ displayName: 'g', externalId: 'old' }, loadEntraFixtureCase('t15-update-group', 'no-path-external-id'));
    expect(renamed.doc).toEqual({ displayName: 'g', externalId: aadObjId });
  });

  it('T16: Add members with $ref null and several members in one operation', () => {
    const { doc, members } = applyPurely(createdGroup(), loadEntraFixture('t16-add-members'));
    expect(doc).toEqual(createdGroup());
    expect(members).toEqual({ removeAll: false, add: [{ value: uid }, { value: uid2 }], remove: [] });
  });

  it('T17 legacy / Q3: Remove members with value removes only the listed ids', () => {
    expect(applyPurely(createdGroup(), loadEntraFixtureCase('t17-remove-members', 'legacy')).members).toEqual({
      removeAll: false,
      add: [],
      remove: [uid],
    });
  });

  it('T17 flag / Q3: remove members[value eq "id"] removes that id', () => {
    expect(applyPurely(createdGroup(), loadEntraFixtureCase('t17-remove-members', 'flag')).members).toEqual({
      removeAll: false,
      add: [],
      remove: [uid],
    });
  });

  it('T17 / Postman "Patch remove all users": remove members without a value removes every member', () => {
    expect(applyPurely(createdGroup(), loadEntraFixtureCase('t17-remove-members', 'remove-all')).members).toEqual({
      removeAll: true,
      add: [],
      remove: [],
    });
  });

  it('Postman "Patch add user4 to group1": displayName on a member becomes its display', () => {
    expect(applyPurely(createdGroup(), loadEntraFixtureCase('postman-reference-suite', 'patch-add-member-display-name')).members.add).toEqual([
      { value: uid, display: 'new User' },
    ]);
  });

  it('Postman "Group patch add member": a bare string value is a member id', () => {
    expect(applyPurely(createdGroup(), loadEntraFixtureCase('postman-reference-suite', 'patch-add-member-bare-string')).members).toEqual({
      removeAll: false,
      add: [{ value: 'string id 1' }],
      remove: [],
    });
  });

  it('Q1: op casing does not matter for member operations', () => {
    expect(applyPurely(createdGroup(), patch({ op: 'ADD', path: 'MEMBERS', value: [{ VALUE: 'a' }] })).members.add).toEqual([{ value: 'a' }]);
  });
});

describe('applyGroupPatch: the member delta is the net effect in order', () => {
  it('an id added then removed ends in remove only; removed then added ends in add only', () => {
    const { members } = applyPurely(
      createdGroup(),
      patch(
        { op: 'add', path: 'members', value: [{ value: 'a' }, { value: 'b' }] },
        { op: 'remove', path: 'members[value eq "a"]' },
        { op: 'Remove', path: 'members', value: [{ value: 'c' }] },
        { op: 'add', path: 'members', value: [{ value: 'c' }] },
      ),
    );
    expect(members).toEqual({ removeAll: false, add: [{ value: 'b' }, { value: 'c' }], remove: ['a'] });
  });

  it('replace members is remove-all then add; earlier changes are discarded', () => {
    const { members } = applyPurely(
      createdGroup(),
      patch(
        { op: 'add', path: 'members', value: [{ value: 'a' }] },
        { op: 'remove', path: 'members[value eq "z"]' },
        { op: 'replace', path: 'members', value: [{ value: 'b' }] },
        { op: 'remove', path: 'members[value eq "x" or value eq "y"]' },
      ),
    );
    expect(members).toEqual({ removeAll: true, add: [{ value: 'b' }], remove: ['x', 'y'] });
  });

  it('members in a path-less add are added', () => {
    const { doc, members } = applyPurely(createdGroup(), patch({ op: 'add', value: { displayName: 'n', members: [{ value: 'a' }] } }));
    expect(doc.displayName).toBe('n');
    expect(members.add).toEqual([{ value: 'a' }]);
  });

  it('adding an existing member again is harmless: the delta just names it', () => {
    const { members } = applyPurely(createdGroup(), patch({ op: 'add', path: 'members', value: [{ value: 'a' }, { value: 'a', display: 'A' }] }));
    expect(members.add).toEqual([{ value: 'a', display: 'A' }]);
  });
});

describe('applyGroupPatch: errors', () => {
  it.each([
    ['members[display eq "x"]', { op: 'remove', path: 'members[display eq "x"]' }],
    ['members[value ne "x"]', { op: 'remove', path: 'members[value ne "x"]' }],
    ['a filter in an add', { op: 'add', path: 'members[value eq "x"]', value: [{ value: 'x' }] }],
  ])('%s is 400 invalidFilter', (_, operation) => {
    const error = scimErrorOf(() => applyGroupPatch(createdGroup(), patch(operation)));
    expect([error.status, error.scimType]).toEqual([400, 'invalidFilter']);
    expect(error.detail).toMatch(/^Operations\[0\]: .*members/);
  });

  it('displayName cannot be removed; unknown attributes are 400 invalidPath; id is read-only', () => {
    expect(scimErrorOf(() => applyGroupPatch(createdGroup(), patch({ op: 'remove', path: 'displayName' }))).scimType).toBe('invalidValue');
    expect(scimErrorOf(() => applyGroupPatch(createdGroup(), patch({ op: 'replace', path: 'displayName', value: null }))).scimType).toBe('invalidValue');
    expect(scimErrorOf(() => applyGroupPatch(createdGroup(), patch({ op: 'add', path: 'owners', value: 'x' }))).scimType).toBe('invalidPath');
    expect(scimErrorOf(() => applyGroupPatch(createdGroup(), patch({ op: 'replace', path: 'id', value: 'x' }))).scimType).toBe('mutability');
  });

  it('a member without an id is 400 invalidValue', () => {
    const error = scimErrorOf(() => applyGroupPatch(createdGroup(), patch({ op: 'add', path: 'members', value: [{ display: 'x' }] })));
    expect([error.status, error.scimType]).toEqual([400, 'invalidValue']);
  });

  it('a failing operation list leaves the document as it was', () => {
    const group = createdGroup();
    expect(() => applyGroupPatch(group, patch({ op: 'replace', path: 'displayName', value: 'x' }, { op: 'add', path: 'owners', value: 'y' }))).toThrow(ScimError);
    expect(group).toEqual(createdGroup());
  });
});
