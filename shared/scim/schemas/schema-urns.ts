// The schema URNs this server knows, and how to recognise a URN-qualified name. Entra writes extension attributes
// fully qualified (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`) and sends custom
// extensions (`urn:ietf:params:scim:schemas:extension:<Name>:2.0:User`) without listing them in `schemas` (Q7).

export const CORE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const CORE_GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const USER_EXTENSION_PREFIX = 'urn:ietf:params:scim:schemas:extension:';
const USER_EXTENSION_SUFFIX = ':2.0:User';
/** `<Name>` of `urn:ietf:params:scim:schemas:extension:<Name>:2.0:User`: letters, digits, `-`, `_`, `.`. */
const EXTENSION_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** RFC 7643 ATTRNAME, the only names a custom extension attribute may have. */
const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

export function sameUrn(left: string, right: string): boolean {
  return left.toLowerCase() === right.toLowerCase();
}

/**
 * The canonical spelling of a user extension URN (`urn:ietf:params:scim:schemas:extension:<Name>:2.0:User`, fixed
 * parts compared case-insensitively, `<Name>` kept as sent; the enterprise URN in its RFC spelling), or undefined
 * when `text` is not one.
 */
export function canonicalUserExtensionUrn(text: string): string | undefined {
  const lower = text.toLowerCase();
  if (!lower.startsWith(USER_EXTENSION_PREFIX) || !lower.endsWith(USER_EXTENSION_SUFFIX.toLowerCase())) return undefined;
  const name = text.slice(USER_EXTENSION_PREFIX.length, text.length - USER_EXTENSION_SUFFIX.length);
  if (!EXTENSION_NAME.test(name)) return undefined;
  if (name.toLowerCase() === 'enterprise') return ENTERPRISE_USER_SCHEMA;
  return `${USER_EXTENSION_PREFIX}${name}${USER_EXTENSION_SUFFIX}`;
}

export function isEnterpriseUserSchema(urn: string): boolean {
  return sameUrn(urn, ENTERPRISE_USER_SCHEMA);
}

/** A user extension other than the enterprise one: a custom extension (Q7). */
export function isCustomUserExtensionUrn(urn: string): boolean {
  const canonical = canonicalUserExtensionUrn(urn);
  return canonical !== undefined && canonical !== ENTERPRISE_USER_SCHEMA;
}

/** The `<Name>` part of a user extension URN (`Acme` for `urn:…:extension:Acme:2.0:User`). */
export function userExtensionName(urn: string): string {
  return urn.slice(USER_EXTENSION_PREFIX.length, urn.length - USER_EXTENSION_SUFFIX.length);
}

export function isValidAttributeName(name: string): boolean {
  return ATTRIBUTE_NAME.test(name);
}

export interface SchemaQualifiedName {
  /** The canonical schema URN: a core URN or a user extension URN. */
  urn: string;
  /** What follows the URN and its ':' (`department`, `manager.value`); '' when the text is the URN itself. */
  name: string;
}

/**
 * Splits a JSON key or attribute name that starts with a known schema URN: the core User and Group URNs, or any
 * user extension URN. Undefined when `text` does not start with one of them.
 */
export function splitSchemaQualifiedName(text: string): SchemaQualifiedName | undefined {
  const lower = text.toLowerCase();
  for (const core of [CORE_USER_SCHEMA, CORE_GROUP_SCHEMA]) {
    const prefix = core.toLowerCase();
    if (lower === prefix) return { urn: core, name: '' };
    if (lower.startsWith(`${prefix}:`)) return { urn: core, name: text.slice(core.length + 1) };
  }
  if (!lower.startsWith(USER_EXTENSION_PREFIX)) return undefined;
  const suffix = USER_EXTENSION_SUFFIX.toLowerCase();
  const end = lower.indexOf(suffix, USER_EXTENSION_PREFIX.length);
  if (end < 0) return undefined;
  const urnEnd = end + suffix.length;
  const urn = canonicalUserExtensionUrn(text.slice(0, urnEnd));
  if (urn === undefined) return undefined;
  if (urnEnd === text.length) return { urn, name: '' };
  if (text[urnEnd] !== ':') return undefined;
  return { urn, name: text.slice(urnEnd + 1) };
}
