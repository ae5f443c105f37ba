// Parsing a POST/PUT body into the canonical stored document (see schemas/scim-document.ts for its shape).
// Tolerates what Entra and the Microsoft test suites send: attribute names in any case, nulls (absent), client-sent
// `id`/`meta`/`schemas`/`groups` (ignored, Q10), string booleans (Q2), every manager shape (T10/Q8), JSON-encoded
// role items (Q11), flat URN-qualified extension keys, custom extensions missing from `schemas` (Q7), any URN in
// `schemas` (Q9), and unknown or misspelt core attributes (ignored). Values are stored exactly as sent (G8).

import { badRequest } from './errors.js';
import { requireBoundedNesting } from './json-nesting.js';
import {
  canonicalAttributeValue,
  canonicalCustomValue,
  canonicalSingleValue,
  CORE_USER_SCHEMA,
  coreUserSchema,
  describeJsonType,
  ENTERPRISE_USER_SCHEMA,
  enterpriseUserSchema,
  findAttribute,
  findKeyIgnoringCase,
  findSubAttribute,
  groupSchema,
  invalidValue,
  isScimObject,
  isValidAttributeName,
  splitSchemaQualifiedName,
} from './schemas/index.js';
import type { AttributeDefinition, GroupDoc, MemberRef, ScimObject, ScimValue, UserDoc } from './schemas/index.js';

export type { GroupDoc, MemberRef, ScimObject, ScimValue, UserDoc } from './schemas/index.js';

/** Attributes a client may send but the server owns or never stores: computed, read-only, or a password. */
const IGNORED_ON_INPUT: ReadonlySet<string> = new Set(['id', 'meta', 'schemas', 'groups', 'password']);

export function parseUserInput(body: unknown): UserDoc {
  const input = requireObject(body);
  const builder = new UserDocBuilder();
  for (const [key, value] of Object.entries(input)) {
    if (value === null || value === undefined) continue;
    const qualified = splitSchemaQualifiedName(key);
    if (qualified === undefined) {
      if (!key.toLowerCase().startsWith('urn:')) builder.addUnqualified(key, value);
    } else if (qualified.urn === CORE_USER_SCHEMA) {
      if (qualified.name === '') builder.addCoreObject(key, value);
      else builder.addUnqualified(qualified.name, value);
    } else if (qualified.urn !== groupSchema.id) {
      if (qualified.name === '') builder.addExtensionObject(qualified.urn, key, value);
      else builder.addExtensionAttribute(qualified.urn, qualified.name, value, key);
    }
  }
  return builder.build();
}

export function parseGroupInput(body: unknown): { doc: GroupDoc; members: MemberRef[] } {
  const input = requireObject(body);
  const doc: Record<string, ScimValue> = {};
  let members: MemberRef[] = [];
  for (const [key, value] of Object.entries(input)) {
    if (value === null || value === undefined) continue;
    const qualified = splitSchemaQualifiedName(key);
    if (qualified !== undefined && (qualified.urn !== groupSchema.id || qualified.name === '')) continue;
    const definition = findAttribute(groupSchema.attributes, qualified?.name ?? key);
    if (definition === undefined) continue;
    if (definition.name === 'members') members = parseMemberRefs(value, 'members');
    else {
      const canonical = canonicalAttributeValue(definition, value, definition.name);
      if (canonical !== undefined) doc[definition.name] = canonical;
    }
  }
  const { displayName } = doc;
  if (typeof displayName !== 'string' || displayName.trim() === '') {
    throw badRequest('invalidValue', 'displayName is required');
  }
  return { doc: { ...doc, displayName }, members };
}

/**
 * Group members as MemberRef, de-duplicated by id (the last mention wins). Items may be objects
 * (`{value, display|displayName, type, $ref}`, names in any case) or bare ids (the Microsoft suite's
 * `"value": "string id 1"`); with `acceptSingleItem` one item may stand for a one-element list (PATCH).
 */
export function parseMemberRefs(value: unknown, where: string, options: { acceptSingleItem?: boolean } = {}): MemberRef[] {
  const membersDefinition = findAttribute(groupSchema.attributes, 'members');
  if (membersDefinition === undefined) throw new Error('the Group schema has no members attribute');
  if (value === null || value === undefined) return [];
  let items: unknown[];
  if (Array.isArray(value)) items = value as unknown[];
  else if (options.acceptSingleItem === true) items = [value];
  else throw invalidValue(where, 'an array of members', value);
  const byId = new Map<string, MemberRef>();
  items.forEach((item, index) => {
    const itemWhere = `${where}[${index}]`;
    const canonical = canonicalSingleValue(membersDefinition, item, itemWhere);
    if (canonical === undefined || !isScimObject(canonical)) return;
    const id = canonical.value;
    if (typeof id !== 'string' || id === '') throw badRequest('invalidValue', `Attribute '${itemWhere}.value' is required`);
    const member: MemberRef = { value: id };
    if (typeof canonical.display === 'string') member.display = canonical.display;
    const type = typeof canonical.type === 'string' ? canonical.type.toLowerCase() : undefined;
    if (type === 'user') member.type = 'User';
    else if (type === 'group') member.type = 'Group';
    byId.delete(id);
    byId.set(id, member);
  });
  return [...byId.values()];
}

export interface DescribedAttribute {
  /** The path as Entra's attribute mapping writes it: `emails[type eq "work"].value`, `urn:…:User:department`. */
  path: string;
  /** The schema type (`string`, `boolean`, `reference`, …); inferred from the value for custom extensions. */
  type: string;
}

/**
 * Every leaf attribute path present in `doc`, once each, in document order. Multi-valued items with a `type` give
 * one path per type (`emails[type eq "work"].value`), without a type the plain path (`emails.value`); the `type`
 * sub-attribute itself is part of the path, not listed. The enterprise manager is one path of type `reference`
 * (how Entra's mapping types it); custom extension attributes get `string`, `boolean`, `integer` or `decimal`.
 */
export function describeAttributes(doc: UserDoc): DescribedAttribute[] {
  const described = new Map<string, DescribedAttribute>();
  const add = (path: string, type: string): void => {
    if (!described.has(path.toLowerCase())) described.set(path.toLowerCase(), { path, type });
  };
  for (const [key, value] of Object.entries(doc)) {
    const qualified = splitSchemaQualifiedName(key);
    if (qualified === undefined) {
      const definition = findAttribute(coreUserSchema.attributes, key);
      if (definition !== undefined) describeValue(definition, key, value, add);
    } else if (qualified.name === '' && qualified.urn !== CORE_USER_SCHEMA && isScimObject(value)) {
      for (const [name, inner] of Object.entries(value)) {
        const definition = qualified.urn === ENTERPRISE_USER_SCHEMA ? findAttribute(enterpriseUserSchema.attributes, name) : undefined;
        const path = `${qualified.urn}:${definition?.name ?? name}`;
        if (definition === undefined) add(path, inferredType(inner));
        else if (definition.name === 'manager') add(path, 'reference');
        else describeValue(definition, path, inner, add);
      }
    }
  }
  return [...described.values()];
}

function describeValue(definition: AttributeDefinition, path: string, value: ScimValue, add: (path: string, type: string) => void): void {
  if (definition.type !== 'complex') {
    add(path, definition.type);
    return;
  }
  const items = Array.isArray(value) ? value : [value];
  for (const item of items) {
    if (!isScimObject(item)) continue;
    const itemType = definition.multiValued ? item.type : undefined;
    const prefix = typeof itemType === 'string' ? `${path}[type eq ${JSON.stringify(itemType)}]` : path;
    for (const name of Object.keys(item)) {
      const sub = findSubAttribute(definition, name);
      if (sub === undefined || (sub.name === 'type' && typeof itemType === 'string')) continue;
      add(`${prefix}.${sub.name}`, sub.type);
    }
  }
}

function inferredType(value: ScimValue): string {
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'decimal';
  if (typeof value === 'boolean') return 'boolean';
  return typeof value === 'string' ? 'string' : 'complex';
}

function requireObject(body: unknown): Record<string, unknown> {
  if (!isScimObject(body)) {
    throw badRequest('invalidSyntax', `The request body must be a JSON object, not ${describeJsonType(body)}`);
  }
  requireBoundedNesting(body, 'The request body');
  return body;
}

/** Collects canonical attributes of a User, then lays them out in schema order. */
class UserDocBuilder {
  private readonly core: ScimObject = {};
  private readonly extensions = new Map<string, ScimObject>();

  /** `key` names a core attribute (`userName`, `Name.GivenName`), or else an enterprise one (`department`). */
  addUnqualified(key: string, value: unknown): void {
    const [name = '', subName, ...rest] = key.split('.');
    if (rest.length > 0 || IGNORED_ON_INPUT.has(name.toLowerCase())) return;
    const core = findAttribute(coreUserSchema.attributes, name);
    if (core !== undefined) this.put(this.core, core, subName, value, key);
    else if (findAttribute(enterpriseUserSchema.attributes, name) !== undefined) {
      this.addExtensionAttribute(ENTERPRISE_USER_SCHEMA, key, value, key);
    }
  }

  /** `"urn:ietf:params:scim:schemas:core:2.0:User": { … }`: the same as top-level attributes. */
  addCoreObject(key: string, value: unknown): void {
    if (!isScimObject(value)) throw invalidValue(key, 'an object', value);
    for (const [name, inner] of Object.entries(value)) if (inner !== null) this.addUnqualified(name, inner);
  }

  addExtensionObject(urn: string, key: string, value: unknown): void {
    if (!isScimObject(value)) throw invalidValue(key, 'an object', value);
    for (const [name, inner] of Object.entries(value)) this.addExtensionAttribute(urn, name, inner, `${key}:${name}`);
  }

  addExtensionAttribute(urn: string, name: string, value: unknown, where: string): void {
    if (value === null || value === undefined) return;
    const extension = this.extensionObject(urn);
    if (urn !== ENTERPRISE_USER_SCHEMA) {
      if (!isValidAttributeName(name)) throw badRequest('invalidValue', `'${where}' is not a valid attribute name`);
      const existing = findKeyIgnoringCase(extension, name);
      if (existing !== undefined) delete extension[existing];
      const canonical = canonicalCustomValue(value, where);
      if (canonical !== undefined) extension[name] = canonical;
      return;
    }
    const [attributeName = '', subName, ...rest] = name.split('.');
    const definition = findAttribute(enterpriseUserSchema.attributes, attributeName);
    if (definition !== undefined && rest.length === 0) this.put(extension, definition, subName, value, where);
  }

  build(): UserDoc {
    const userName = this.core.userName;
    if (userName === undefined || (typeof userName === 'string' && userName.trim() === '')) {
      throw badRequest('invalidValue', 'userName is required');
    }
    if (typeof userName !== 'string') throw invalidValue('userName', 'a string', userName);
    const doc: UserDoc = { userName };
    for (const definition of coreUserSchema.attributes) {
      const value = this.core[definition.name];
      if (value !== undefined) doc[definition.name] = value;
    }
    const enterprise = this.extensions.get(ENTERPRISE_USER_SCHEMA);
    if (enterprise !== undefined) {
      const ordered: ScimObject = {};
      for (const definition of enterpriseUserSchema.attributes) {
        const value = enterprise[definition.name];
        if (value !== undefined) ordered[definition.name] = value;
      }
      if (Object.keys(ordered).length > 0) doc[ENTERPRISE_USER_SCHEMA] = ordered;
    }
    for (const [urn, extension] of this.extensions) {
      if (urn !== ENTERPRISE_USER_SCHEMA && Object.keys(extension).length > 0) doc[urn] = extension;
    }
    return { ...doc, userName };
  }

  /** Sets `definition` (or its sub-attribute `subName`) in `target`; unknown or read-only sub-attributes are dropped. */
  private put(target: ScimObject, definition: AttributeDefinition, subName: string | undefined, value: unknown, where: string): void {
    if (definition.mutability === 'readOnly') return;
    let next: ScimValue | undefined;
    if (subName === undefined) next = canonicalAttributeValue(definition, value, where);
    else {
      const sub = findSubAttribute(definition, subName);
      if (sub === undefined || definition.multiValued || sub.mutability === 'readOnly') return;
      const current = target[definition.name];
      const merged: ScimObject = isScimObject(current) ? { ...(current) } : {};
      const canonical = canonicalSingleValue(sub, value, where);
      if (canonical === undefined) delete merged[sub.name];
      else merged[sub.name] = canonical;
      next = Object.keys(merged).length === 0 ? undefined : merged;
    }
    if (next === undefined) delete target[definition.name];
    else target[definition.name] = next;
  }

  private extensionObject(urn: string): ScimObject {
    const existing = [...this.extensions.keys()].find((key) => key.toLowerCase() === urn.toLowerCase());
    if (existing !== undefined) return this.extensions.get(existing) as ScimObject;
    const created: ScimObject = {};
    this.extensions.set(urn, created);
    return created;
  }
}
