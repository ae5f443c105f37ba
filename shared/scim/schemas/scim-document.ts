// The shape of a stored SCIM document: plain JSON with canonical attribute names. `null` never appears (null means
// absent, Q10/Q15); empty arrays and empty objects are never stored either. Extension attributes live in an object
// under the extension URN (`doc["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].department`).

export type ScimPrimitive = string | number | boolean;
export type ScimValue = ScimPrimitive | ScimObject | ScimValue[];
export interface ScimObject {
  [attribute: string]: ScimValue;
}

/**
 * A User without the attributes the server computes or owns (`id`, `meta`, `schemas`, `groups`): core attributes at
 * the top level, the enterprise extension under ENTERPRISE_USER_SCHEMA, custom extensions under their URN.
 */
export interface UserDoc {
  userName: string;
  [attribute: string]: ScimValue;
}

/** A Group without `id`, `meta`, `schemas` and `members` (members are kept apart, as MemberRef). */
export interface GroupDoc {
  displayName: string;
  [attribute: string]: ScimValue;
}

/** One group member as a client names it: the member's id, optionally with a display name and a resource type. */
export interface MemberRef {
  value: string;
  display?: string;
  type?: 'User' | 'Group';
}

export function isScimObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The key of `object` equal to `name` ignoring case, an exact match first. */
export function findKeyIgnoringCase(object: Readonly<Record<string, unknown>>, name: string): string | undefined {
  if (Object.hasOwn(object, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(object).find((key) => key.toLowerCase() === lower);
}

/** A short description of a JSON value's type for error details ("a number", "an array"); never the value itself. */
export function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return value === '' ? 'an empty string' : 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}
