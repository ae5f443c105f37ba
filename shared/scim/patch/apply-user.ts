// PATCH on a User (RFC 7644 §3.5.2 with Entra's dialect, see normalise-entra.ts). Pure: the input document is never
// changed; the operations are applied in order to a copy, and the first failure throws (naming the operation
// index) so that nothing of a failing request is applied.

import { badRequest } from '../errors.js';
import type { PatchPath } from '../filter/index.js';
import {
  canonicalCustomValue,
  canonicalUserExtensionUrn,
  CORE_USER_SCHEMA,
  ENTERPRISE_USER_SCHEMA,
  findKeyIgnoringCase,
  findSubAttribute,
  isCustomUserExtensionUrn,
  isScimObject,
  isValidAttributeName,
  resolveUserAttribute,
  sameUrn,
} from '../schemas/index.js';
import type { ScimObject, UserDoc } from '../schemas/index.js';
import { removeAttribute, setAttribute } from './attribute-edit.js';
import type { EditTarget } from './attribute-edit.js';
import { normaliseEntraPatch } from './normalise-entra.js';
import { inOperation } from './patch-operation.js';
import type { PatchOperation } from './patch-operation.js';

/** Attributes the server owns; a PATCH that targets one is 400 mutability. */
const SERVER_OWNED: ReadonlySet<string> = new Set(['id', 'meta', 'schemas', 'groups']);
/**
 * Singular attributes a User always shows: an unassigned `active` reads as true, so removing it (or setting it to null
 * or "", Q15) would answer 200 and change nothing a client can see. Such a remove is refused instead.
 */
const ALWAYS_SHOWN: ReadonlySet<string> = new Set(['active']);

export function applyUserPatch(doc: UserDoc, body: unknown): UserDoc {
  return applyUserOperations(doc, normaliseEntraPatch(body));
}

/** Applies operations already normalised (normaliseEntraPatch) to a copy of the document. */
export function applyUserOperations(doc: UserDoc, operations: readonly PatchOperation[]): UserDoc {
  const working = structuredClone(doc);
  for (const operation of operations) inOperation(operation.index, () => applyUserOperation(working, operation));
  return working;
}

function applyUserOperation(doc: UserDoc, operation: PatchOperation): void {
  const { target } = operation;
  if (target.kind === 'extension') {
    deleteKey(doc, target.urn);
    return;
  }
  const { path, text } = target;
  const schema = path.path.schema;
  if (schema !== undefined && isCustomUserExtensionUrn(schema)) {
    applyCustomAttribute(doc, operation, path, text);
    return;
  }
  if (schema !== undefined && !sameUrn(schema, CORE_USER_SCHEMA) && !sameUrn(schema, ENTERPRISE_USER_SCHEMA)) {
    throw badRequest('invalidPath', `'${text}' names an unknown schema '${schema}'`);
  }
  if (SERVER_OWNED.has(path.path.attr.toLowerCase()) && (schema === undefined || sameUrn(schema, CORE_USER_SCHEMA))) {
    throw badRequest('mutability', `'${path.path.attr}' is read-only`);
  }
  const resolved = resolveUserAttribute(path.path);
  if (resolved === undefined) throw badRequest('invalidPath', `'${text}' is not an attribute of a User`);
  const { attribute } = resolved;
  if (attribute.mutability === 'writeOnly') return; // password: accepted, never stored
  const subAttribute = path.subAttr === undefined ? resolved.subAttribute : findSubAttribute(attribute, path.subAttr);
  if (subAttribute === undefined && path.subAttr !== undefined) {
    throw badRequest('invalidPath', `'${path.subAttr}' is not a sub-attribute of '${attribute.name}' in '${text}'`);
  }
  if (path.valueFilter !== undefined && attribute.type !== 'complex') {
    throw badRequest('invalidPath', `'${attribute.name}' has no sub-attributes to filter on in '${text}'`);
  }
  if (subAttribute?.mutability === 'readOnly') throw badRequest('mutability', `'${text}' is read-only`);
  if (operation.op === 'remove' && ALWAYS_SHOWN.has(attribute.name) && resolved.schemaUrn === CORE_USER_SCHEMA) {
    throw badRequest('invalidValue', `'${attribute.name}' cannot be removed (unassigned, it reads as true); replace it with true or false`);
  }
  const inEnterprise = resolved.schemaUrn === ENTERPRISE_USER_SCHEMA;
  const container = inEnterprise ? extensionObject(doc, ENTERPRISE_USER_SCHEMA, operation.op !== 'remove') : doc;
  if (container === undefined) return;
  const edit: EditTarget = { container, definition: attribute, text };
  if (subAttribute !== undefined) edit.subAttribute = subAttribute;
  if (path.valueFilter !== undefined) edit.valueFilter = path.valueFilter;
  if (operation.op === 'remove') removeAttribute(edit);
  else setAttribute(edit, operation.op, operation.value);
  if (inEnterprise && Object.keys(container).length === 0) deleteKey(doc, ENTERPRISE_USER_SCHEMA);
}

/** A custom extension attribute (Q7): single-valued and simple; the extension object is created on demand. */
function applyCustomAttribute(doc: UserDoc, operation: PatchOperation, path: PatchPath, text: string): void {
  const name = path.path.attr;
  if (!isValidAttributeName(name)) throw badRequest('invalidPath', `'${text}' does not name a valid attribute`);
  if (path.path.subAttr !== undefined || path.valueFilter !== undefined) {
    throw badRequest('invalidPath', `'${text}': custom extension attributes are single-valued simple attributes`);
  }
  const urn = canonicalUserExtensionUrn(path.path.schema ?? '') ?? '';
  const container = extensionObject(doc, urn, operation.op !== 'remove');
  if (container === undefined) return;
  deleteKey(container, name);
  if (operation.op !== 'remove') {
    const value = canonicalCustomValue(operation.value, text);
    if (value !== undefined) container[name] = value;
  }
  if (Object.keys(container).length === 0) deleteKey(doc, urn);
}

/** The extension object under `urn` (any spelling); created when `create`, else undefined when absent. */
function extensionObject(doc: UserDoc, urn: string, create: boolean): ScimObject | undefined {
  const key = findKeyIgnoringCase(doc, urn);
  const existing = key === undefined ? undefined : doc[key];
  if (isScimObject(existing)) return existing;
  if (!create) return undefined;
  const created: ScimObject = {};
  if (key !== undefined) delete doc[key];
  doc[urn] = created;
  return created;
}

function deleteKey(object: ScimObject, name: string): void {
  for (let key = findKeyIgnoringCase(object, name); key !== undefined; key = findKeyIgnoringCase(object, name)) {
    delete object[key];
  }
}
