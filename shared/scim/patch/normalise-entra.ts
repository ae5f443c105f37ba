// The one place that reads a PatchOp body in either Entra dialect (default/legacy and `aadOptscim062020`/validator)
// and turns it into uniform operations with parsed paths:
//   Q1  `op` in any case ("Replace", "add")
//   Q2  "True"/"False" for a boolean target (`active`, `…primary`) become booleans
//   Q3  remove of a multi-valued attribute with a value (`members` + [{value:id}]) removes only those values: it
//       becomes `members[value eq "id" or …]`
//   Q4  a path-less add/replace becomes one operation per key: dotted keys (`name.givenName`), URN-qualified keys
//       (`urn:…:enterprise:2.0:User:employeeNumber`) and extension objects are split into their own paths
//   Q8  manager as a bare id, {value}/{Value} or the legacy array becomes {value}
//   Q11 roles/entitlements items given as JSON-encoded strings are decoded
//   Q12 a remove on a single value or a sub-attribute ignores its value (it removes; it never sets)
//   Q15 add/replace with "" or null is a remove
// and validates the envelope: `Operations` a non-empty array (400 invalidSyntax) of at most MAX_PATCH_OPERATIONS
// (413), each op add/replace/remove (400 invalidSyntax), remove with a path (400 noTarget), nothing nested deeper
// than MAX_JSON_NESTING_DEPTH (400 invalidValue: a path-less value nesting the core URN in itself recurses here).

import { badRequest, ScimError } from '../errors.js';
import { parsePatchPath } from '../filter/index.js';
import { requireBoundedNesting } from '../json-nesting.js';
import type { FilterNode, PatchPath } from '../filter/index.js';
import {
  canonicalManager,
  canonicalUserExtensionUrn,
  decodeStringItem,
  describeJsonType,
  findKeyIgnoringCase,
  findSubAttribute,
  isMultiValuedAttributeName,
  isScimObject,
  managerAttribute,
  parseBoolean,
  resolveGroupAttribute,
  resolveUserAttribute,
  splitSchemaQualifiedName,
} from '../schemas/index.js';
import type { AttributeDefinition } from '../schemas/index.js';
import { inOperation, MAX_PATCH_OPERATIONS } from './patch-operation.js';
import type { PatchOperation, PatchOpName, PatchTarget } from './patch-operation.js';

/** Keys of a path-less value or an extension object the server owns; they are ignored (Q10). */
const SERVER_OWNED_KEYS: ReadonlySet<string> = new Set(['id', 'meta', 'schemas']);

export function normaliseEntraPatch(body: unknown): PatchOperation[] {
  if (!isScimObject(body)) {
    throw badRequest('invalidSyntax', `A PATCH body must be a JSON object (a PatchOp message), not ${describeJsonType(body)}`);
  }
  requireBoundedNesting(body, 'The PATCH body');
  const operationsKey = findKeyIgnoringCase(body, 'Operations');
  const operations = operationsKey === undefined ? undefined : body[operationsKey];
  if (!Array.isArray(operations) || operations.length === 0) {
    throw badRequest('invalidSyntax', "A PATCH body needs 'Operations': a non-empty array of operations");
  }
  if (operations.length > MAX_PATCH_OPERATIONS) {
    throw new ScimError(
      413,
      `A PATCH request may hold at most ${MAX_PATCH_OPERATIONS} operations; this one has ${operations.length}`,
    );
  }
  return (operations as unknown[]).flatMap((operation, index) => inOperation(index, () => normaliseOperation(operation, index)));
}

function normaliseOperation(raw: unknown, index: number): PatchOperation[] {
  if (!isScimObject(raw)) throw badRequest('invalidSyntax', `an operation must be a JSON object, not ${describeJsonType(raw)}`);
  const op = parseOpName(member(raw, 'op'));
  const pathValue = member(raw, 'path');
  if (pathValue !== undefined && pathValue !== null && typeof pathValue !== 'string') {
    throw badRequest('invalidPath', `'path' must be a string, not ${describeJsonType(pathValue)}`);
  }
  const pathText = typeof pathValue === 'string' && pathValue.trim() !== '' ? pathValue.trim() : undefined;
  const value = member(raw, 'value');
  if (pathText === undefined) {
    if (op === 'remove') throw badRequest('noTarget', "a remove operation needs a 'path'");
    if (!isScimObject(value)) {
      throw badRequest('invalidValue', `an ${op} without a 'path' needs an object of attributes as its value, not ${describeJsonType(value)}`);
    }
    return expandPathlessValue(index, op, value);
  }
  const extensionUrn = canonicalUserExtensionUrn(pathText);
  if (extensionUrn !== undefined) return normaliseExtensionObject(index, op, extensionUrn, value, pathText);
  const target: PatchTarget = { kind: 'attribute', path: parsePatchPath(pathText), text: pathText };
  if (op !== 'remove' && value === undefined) throw badRequest('invalidValue', `${op} '${pathText}' needs a 'value'`);
  return normaliseTargeted(index, op, target, value);
}

function parseOpName(raw: unknown): PatchOpName {
  const lower = typeof raw === 'string' ? raw.trim().toLowerCase() : undefined;
  if (lower === 'add' || lower === 'replace' || lower === 'remove') return lower;
  const shown = typeof raw === 'string' ? `"${raw.slice(0, 40)}"` : describeJsonType(raw);
  throw badRequest('invalidSyntax', `'op' must be add, replace or remove, not ${shown}`);
}

/** `operation[name]`, the member name matched ignoring case (`Op`, `Path`, `Value` are seen too). */
function member(operation: Record<string, unknown>, name: string): unknown {
  const key = findKeyIgnoringCase(operation, name);
  return key === undefined ? undefined : operation[key];
}

/** Q4: one operation per key of a path-less value. */
function expandPathlessValue(index: number, op: PatchOpName, value: Record<string, unknown>): PatchOperation[] {
  return Object.entries(value).flatMap(([key, inner]): PatchOperation[] => {
    if (SERVER_OWNED_KEYS.has(key.toLowerCase())) return [];
    const qualified = splitSchemaQualifiedName(key);
    if (qualified?.name === '') {
      if (canonicalUserExtensionUrn(qualified.urn) !== undefined) {
        return normaliseExtensionObject(index, op, qualified.urn, inner, key);
      }
      if (!isScimObject(inner)) throw badRequest('invalidValue', `'${key}' must hold an object of attributes`);
      return expandPathlessValue(index, op, inner);
    }
    const target: PatchTarget = { kind: 'attribute', path: parsePatchPath(key), text: key };
    return normaliseTargeted(index, op, target, inner);
  });
}

/** A whole extension object as the target: removed, or its attributes set one by one. */
function normaliseExtensionObject(index: number, op: PatchOpName, urn: string, value: unknown, text: string): PatchOperation[] {
  if (op === 'remove' || value === null || value === '') return [{ index, op: 'remove', target: { kind: 'extension', urn } }];
  if (!isScimObject(value)) throw badRequest('invalidValue', `'${text}' must hold an object of attributes, not ${describeJsonType(value)}`);
  return Object.entries(value).flatMap(([name, inner]) => {
    if (SERVER_OWNED_KEYS.has(name.toLowerCase())) return []; // the object's own `schemas` (validators send it)
    const target: PatchTarget = { kind: 'attribute', path: parsePatchPath(`${urn}:${name}`), text: `${urn}:${name}` };
    return normaliseTargeted(index, op, target, inner);
  });
}

function normaliseTargeted(index: number, op: PatchOpName, target: PatchTarget & { kind: 'attribute' }, value: unknown): PatchOperation[] {
  const { path } = target;
  if (op === 'remove') return normaliseRemove(index, target, value);
  if (value === null || value === '') return [{ index, op: 'remove', target }];
  const leaf = leafDefinition(path);
  const selectsWhole = path.valueFilter === undefined && path.subAttr === undefined && path.path.subAttr === undefined;
  let normalised: unknown = value;
  if (leaf?.type === 'boolean' && typeof value === 'string') normalised = parseBoolean(value) ?? value;
  else if (leaf === managerAttribute && selectsWhole) {
    const manager = canonicalManager(value, target.text);
    if (manager === undefined) return [{ index, op: 'remove', target }];
    normalised = manager;
  } else if (leaf !== undefined && selectsWhole && leaf.multiValued && leaf.type === 'complex') {
    normalised = Array.isArray(value) ? (value as unknown[]).map((item) => decodeStringItem(leaf, item)) : decodeStringItem(leaf, value);
  }
  return [{ index, op, target, value: normalised }];
}

/** Q3 for multi-valued attributes given a value; Q12 (the value is ignored) for everything else. */
function normaliseRemove(index: number, target: PatchTarget & { kind: 'attribute' }, value: unknown): PatchOperation[] {
  const { path } = target;
  const removesByValue =
    value !== undefined &&
    value !== null &&
    value !== '' &&
    path.valueFilter === undefined &&
    path.subAttr === undefined &&
    path.path.subAttr === undefined &&
    isMultiValuedAttributeName(path.path.attr);
  if (!removesByValue) return [{ index, op: 'remove', target }];
  const attribute = leafDefinition({ path: { ...path.path } });
  const items = (Array.isArray(value) ? (value as unknown[]) : [value]).map((item) =>
    attribute === undefined ? item : decodeStringItem(attribute, item),
  );
  const ids = valuesToRemove(items, target.text);
  if (ids.length === 0) return [];
  const filtered: PatchPath = { ...path, valueFilter: anyValueEquals(ids) };
  return [{ index, op: 'remove', target: { ...target, path: filtered } }];
}

/** The `value`s a remove-by-value names: bare strings or objects with a string `value` (any case). */
function valuesToRemove(items: readonly unknown[], text: string): string[] {
  const ids: string[] = [];
  for (const item of items) {
    const id = isScimObject(item) ? member(item, 'value') : item;
    if (id === null || id === undefined || id === '') continue;
    if (typeof id !== 'string') {
      throw badRequest('invalidValue', `a remove from '${text}' with a value must name each item by its string 'value'`);
    }
    ids.push(id);
  }
  return ids;
}

/** `value eq "a" or value eq "b" …`, balanced so that long lists stay shallow. */
function anyValueEquals(ids: readonly string[]): FilterNode {
  if (ids.length === 1) return { kind: 'compare', path: { attr: 'value' }, op: 'eq', value: ids[0] ?? '' };
  const middle = Math.ceil(ids.length / 2);
  return { kind: 'or', left: anyValueEquals(ids.slice(0, middle)), right: anyValueEquals(ids.slice(middle)) };
}

/** The definition of what a path finally points at (`active`, `emails[…].primary` → primary), when known. */
function leafDefinition(path: PatchPath): AttributeDefinition | undefined {
  const attrPath = path.path.schema === undefined ? { attr: path.path.attr } : { schema: path.path.schema, attr: path.path.attr };
  const resolved = resolveUserAttribute(attrPath) ?? resolveGroupAttribute(attrPath);
  if (resolved === undefined) return undefined;
  const subName = path.subAttr ?? path.path.subAttr;
  return subName === undefined ? resolved.attribute : findSubAttribute(resolved.attribute, subName);
}
