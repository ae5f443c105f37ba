// Where an attribute lives in a SCIM JSON resource. Names are case-insensitive (RFC 7643 §2.1); core-schema URNs
// (`urn:ietf:params:scim:schemas:core:2.0:User:userName`) mean the top level; extension URNs name the extension
// object (`resource["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].employeeNumber`).

const CORE_SCHEMA_PREFIX = 'urn:ietf:params:scim:schemas:core:';

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isCoreSchemaUrn(schema: string): boolean {
  return schema.toLowerCase().startsWith(CORE_SCHEMA_PREFIX);
}

/** The key of `object` that equals `name` ignoring case; an exact match wins. */
export function findKey(object: JsonObject, name: string): string | undefined {
  if (Object.hasOwn(object, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(object).find((key) => key.toLowerCase() === lower);
}

/** `object[name]` ignoring the case of `name`. */
export function getIgnoringCase(object: JsonObject, name: string): unknown {
  const key = findKey(object, name);
  return key === undefined ? undefined : object[key];
}

/**
 * The object that holds attributes of `schema`: the resource itself for no schema or a core schema, the extension
 * object for an extension URN, undefined when the resource has no such extension.
 */
export function schemaContainer(resource: JsonObject, schema: string | undefined): JsonObject | undefined {
  if (schema === undefined || isCoreSchemaUrn(schema)) return resource;
  const extension = getIgnoringCase(resource, schema);
  return isJsonObject(extension) ? extension : undefined;
}

/**
 * The value of an attribute named without a URN: the top-level attribute, or else the same name inside an
 * extension object (so an unqualified `manager` finds the enterprise extension's manager).
 */
export function getUnqualifiedAttribute(resource: JsonObject, attr: string): unknown {
  const key = findKey(resource, attr);
  if (key !== undefined) return resource[key];
  for (const [name, value] of Object.entries(resource)) {
    if (!name.toLowerCase().startsWith('urn:') || !isJsonObject(value)) continue;
    const inner = findKey(value, attr);
    if (inner !== undefined) return value[inner];
  }
  return undefined;
}

/** The elements of a multi-valued attribute, or the single value as a one-element list; absent gives []. */
export function valuesOf(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? (value as unknown[]) : [value];
}
