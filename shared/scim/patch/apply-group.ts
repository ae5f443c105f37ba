// PATCH on a Group. `displayName` and `externalId` change the document (T15, with a path or as a path-less object);
// member operations never touch it and come back as a MembersDelta (T16/T17, Q3):
//   add members [..]                 → add (bare ids accepted: the Microsoft suite sends "value": "string id 1")
//   replace members [..]             → remove all, then add
//   remove members                   → remove all
//   remove members + value [..]      → remove only those ids (default dialect; normalised to the filter form)
//   remove members[value eq "id"]    → remove that id (flag dialect), also several joined with `or`
// Removing a non-member is not an error: the delta just names it.

import { badRequest } from '../errors.js';
import { CORE_GROUP_SCHEMA, findAttribute, groupSchema, sameUrn } from '../schemas/index.js';
import type { GroupDoc } from '../schemas/index.js';
import { parseMemberRefs } from '../resource-input.js';
import { removeAttribute, setAttribute } from './attribute-edit.js';
import { memberIdsOfFilter, MembersDeltaBuilder } from './members-delta.js';
import { normaliseEntraPatch } from './normalise-entra.js';
import { inOperation } from './patch-operation.js';
import type { MembersDelta, PatchOperation } from './patch-operation.js';

const SERVER_OWNED: ReadonlySet<string> = new Set(['id', 'meta', 'schemas']);

export function applyGroupPatch(doc: GroupDoc, body: unknown): { doc: GroupDoc; members: MembersDelta } {
  return applyGroupOperations(doc, normaliseEntraPatch(body));
}

/** Applies operations already normalised (normaliseEntraPatch) to a copy of the document. */
export function applyGroupOperations(doc: GroupDoc, operations: readonly PatchOperation[]): { doc: GroupDoc; members: MembersDelta } {
  const working = structuredClone(doc);
  const members = new MembersDeltaBuilder();
  for (const operation of operations) inOperation(operation.index, () => applyGroupOperation(working, members, operation));
  return { doc: working, members: members.result() };
}

function applyGroupOperation(doc: GroupDoc, members: MembersDeltaBuilder, operation: PatchOperation): void {
  const { target } = operation;
  if (target.kind === 'extension') throw badRequest('invalidPath', `a Group has no extension '${target.urn}'`);
  const { path, text } = target;
  const { schema, attr } = path.path;
  if (schema !== undefined && !sameUrn(schema, CORE_GROUP_SCHEMA)) {
    throw badRequest('invalidPath', `'${text}' is not an attribute of a Group`);
  }
  if (SERVER_OWNED.has(attr.toLowerCase())) throw badRequest('mutability', `'${attr}' is read-only`);
  const definition = findAttribute(groupSchema.attributes, attr);
  if (definition === undefined) throw badRequest('invalidPath', `'${text}' is not an attribute of a Group`);
  if (path.path.subAttr !== undefined || path.subAttr !== undefined) {
    const hint = definition.name === 'members' ? '; add or remove whole members' : '';
    throw badRequest('invalidPath', `'${text}': '${definition.name}' has no sub-attributes to patch${hint}`);
  }
  if (definition.name === 'members') {
    applyMembersOperation(members, operation, text);
    return;
  }
  if (path.valueFilter !== undefined) throw badRequest('invalidPath', `'${definition.name}' cannot be filtered in '${text}'`);
  if (operation.op === 'remove') removeAttribute({ container: doc, definition, text });
  else setAttribute({ container: doc, definition, text }, operation.op, operation.value);
}

function applyMembersOperation(members: MembersDeltaBuilder, operation: PatchOperation, text: string): void {
  const filter = operation.target.kind === 'attribute' ? operation.target.path.valueFilter : undefined;
  if (filter !== undefined) {
    if (operation.op !== 'remove') {
      throw badRequest('invalidFilter', `'${text}': a members filter is only supported in a remove operation`);
    }
    members.remove(memberIdsOfFilter(filter, text));
    return;
  }
  switch (operation.op) {
    case 'add':
      members.add(parseMemberRefs(operation.value, text, { acceptSingleItem: true }));
      return;
    case 'replace': {
      const replacement = parseMemberRefs(operation.value, text, { acceptSingleItem: true });
      members.removeAll();
      members.add(replacement);
      return;
    }
    case 'remove':
      members.removeAll();
  }
}
