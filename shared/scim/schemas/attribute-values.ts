// Turning a value a client sent into the canonical stored form of one attribute, with the Entra leniency the
// contract asks for: string booleans ("True"/"false", Q2), manager as a bare id, {value}, {Value} or the legacy array
// (T10/Q8), role items as JSON-encoded strings (Q11), member items as bare ids, sub-attribute names in any case.
// Strings are stored exactly as sent (G8). Unknown sub-attributes and read-only ones are dropped; null means absent.
// A value of the wrong type is a ScimError 400 invalidValue whose detail names the attribute.

import { badRequest } from '../errors.js';
import type { ScimError } from '../errors.js';
import type { AttributeDefinition } from './attribute-definition.js';
import { managerAttribute } from './enterprise-user-schema.js';
import { findSubAttribute } from './schema-lookup.js';
import { describeJsonType, findKeyIgnoringCase, isScimObject } from './scim-document.js';
import type { ScimObject, ScimPrimitive, ScimValue } from './scim-document.js';

export interface CanonicalValueOptions {
  /** Accept one item where a multi-valued attribute expects an array (PATCH leniency). POST bodies must send arrays. */
  acceptSingleItem?: boolean;
}

/** Multi-valued attributes whose items Entra or the Microsoft suites may send as strings instead of objects. */
const STRING_ITEM_DECODING: Readonly<Record<string, 'jsonOrValue' | 'value'>> = {
  roles: 'jsonOrValue',
  entitlements: 'jsonOrValue',
  members: 'value',
};

/** The canonical form of `value` for `definition`; undefined when it amounts to nothing (null, [], {}). */
export function canonicalAttributeValue(
  definition: AttributeDefinition,
  value: unknown,
  where: string,
  options: CanonicalValueOptions = {},
): ScimValue | undefined {
  if (value === null || value === undefined) return undefined;
  if (!definition.multiValued) return canonicalSingleValue(definition, value, where);
  let items: unknown[];
  if (Array.isArray(value)) items = value as unknown[];
  else if (options.acceptSingleItem === true) items = [value];
  else throw invalidValue(where, definition.type === 'complex' ? 'an array of objects' : 'an array', value);
  const canonical: ScimValue[] = [];
  items.forEach((item, index) => {
    const single = canonicalSingleValue(definition, item, `${where}[${index}]`);
    if (single !== undefined) canonical.push(single);
  });
  return canonical.length === 0 ? undefined : canonical;
}

/** One value (or one item of a multi-valued attribute) of `definition`. */
export function canonicalSingleValue(definition: AttributeDefinition, value: unknown, where: string): ScimValue | undefined {
  if (value === null || value === undefined) return undefined;
  if (definition === managerAttribute) return canonicalManager(value, where);
  if (definition.type === 'complex') return canonicalComplexItem(definition, value, where);
  return canonicalSimpleValue(definition, value, where);
}

/** A simple (non-complex) value: type-checked, string booleans coerced, everything else stored as sent. */
export function canonicalSimpleValue(definition: AttributeDefinition, value: unknown, where: string): ScimPrimitive {
  switch (definition.type) {
    case 'boolean': {
      const parsed = parseBoolean(value);
      if (parsed === undefined) throw invalidValue(where, 'a boolean (true or false)', value);
      return parsed;
    }
    case 'integer':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw invalidValue(where, 'an integer', value);
      return value;
    case 'decimal':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidValue(where, 'a number', value);
      return value;
    default:
      if (typeof value !== 'string') throw invalidValue(where, 'a string', value);
      return value;
  }
}

/** A boolean, or "true"/"false" in any case (Q2); undefined for anything else. */
export function parseBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return undefined;
  const lower = value.trim().toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : undefined;
}

/**
 * The manager reference as `{ value }` from every shape of T10: a bare id, `{value}`/`{Value}` (other sub-attributes
 * dropped: `$ref` points into the client's world and `displayName` is read-only), or the legacy one-element array.
 * `""`, `{value: ""}` and `[]` mean "no manager" and give undefined.
 */
export function canonicalManager(value: unknown, where: string): ScimObject | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (typeof value === 'string') return { value };
  if (Array.isArray(value)) {
    const [first, ...rest] = value as unknown[];
    if (rest.length > 0) throw invalidValue(where, 'a single manager', value);
    if (Array.isArray(first)) throw invalidValue(where, 'a manager id or an object with a value', first);
    return canonicalManager(first, where);
  }
  if (!isScimObject(value)) throw invalidValue(where, 'a manager id or an object with a value', value);
  const key = findKeyIgnoringCase(value, 'value');
  const id = key === undefined ? undefined : value[key];
  if (id === null || id === undefined || id === '') return undefined;
  if (typeof id !== 'string') throw invalidValue(`${where}.value`, 'a string', id);
  return { value: id };
}

/** A custom extension attribute (Q7): single-valued and simple, so a string, a number or a boolean, kept as sent. */
export function canonicalCustomValue(value: unknown, where: string): ScimPrimitive | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw invalidValue(where, 'a string, number or boolean (custom extension attributes are single-valued)', value);
}

/**
 * An item of roles/entitlements given as a string: a JSON-encoded object (Q11,
 * `"{\"id\":…,\"value\":\"Admin\",\"displayName\":\"Admin\"}"`) is decoded, any other string is the item's value.
 */
export function decodeStringItem(definition: AttributeDefinition, item: unknown): unknown {
  if (typeof item !== 'string') return item;
  const decoding = STRING_ITEM_DECODING[definition.name];
  if (decoding === undefined) return item;
  if (decoding === 'jsonOrValue' && item.trimStart().startsWith('{')) {
    try {
      const decoded: unknown = JSON.parse(item);
      if (isScimObject(decoded)) return decoded;
    } catch {
      // not JSON after all: the string is the value
    }
  }
  return item === '' ? null : { value: item };
}

function canonicalComplexItem(definition: AttributeDefinition, raw: unknown, where: string): ScimObject | undefined {
  const value = decodeStringItem(definition, raw);
  if (value === null) return undefined;
  if (!isScimObject(value)) throw invalidValue(where, 'an object', value);
  const item: ScimObject = {};
  for (const [key, subValue] of Object.entries(value)) {
    const sub = findSubAttribute(definition, key) ?? displayAlias(definition, key);
    if (sub === undefined || sub.mutability === 'readOnly' || subValue === null || subValue === undefined) continue;
    item[sub.name] = canonicalSimpleValue(sub, subValue, `${where}.${sub.name}`);
  }
  return Object.keys(item).length === 0 ? undefined : item;
}

/** `displayName` sent for `display` (Q11 roles; the Microsoft Postman suite's members). */
function displayAlias(definition: AttributeDefinition, key: string): AttributeDefinition | undefined {
  if (key.toLowerCase() !== 'displayname') return undefined;
  return findSubAttribute(definition, 'display');
}

export function invalidValue(where: string, expectation: string, value: unknown): ScimError {
  return badRequest('invalidValue', `Attribute '${where}' must be ${expectation}, not ${describeJsonType(value)}`);
}
