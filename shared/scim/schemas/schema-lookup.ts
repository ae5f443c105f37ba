// Finding attribute definitions by name. Names compare case-insensitively (RFC 7643 §2.1): Entra and the Microsoft
// test suites write `Primary`, `Department` and `emails[type eq "other"].Value`.

import type { AttrPath } from '../filter/index.js';
import type { AttributeDefinition, SchemaDefinition } from './attribute-definition.js';
import { coreUserSchema } from './core-user-schema.js';
import { enterpriseUserSchema } from './enterprise-user-schema.js';
import { groupSchema } from './group-schema.js';
import { CORE_GROUP_SCHEMA, CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA, sameUrn } from './schema-urns.js';

/** The schemas this server defines itself, in /Schemas order. Custom extensions come from configuration. */
export const builtInSchemas: readonly SchemaDefinition[] = [coreUserSchema, enterpriseUserSchema, groupSchema];

export function findSchema(urn: string): SchemaDefinition | undefined {
  return builtInSchemas.find((schema) => sameUrn(schema.id, urn));
}

export function findAttribute(
  attributes: readonly AttributeDefinition[],
  name: string,
): AttributeDefinition | undefined {
  const lower = name.toLowerCase();
  return attributes.find((definition) => definition.name.toLowerCase() === lower);
}

export function findSubAttribute(definition: AttributeDefinition, name: string): AttributeDefinition | undefined {
  return definition.subAttributes === undefined ? undefined : findAttribute(definition.subAttributes, name);
}

export interface ResolvedAttribute {
  /** The URN of the schema that defines the attribute. */
  schemaUrn: string;
  attribute: AttributeDefinition;
  /** Present when the path names a sub-attribute (`name.givenName`). */
  subAttribute?: AttributeDefinition;
}

/**
 * Resolves `[urn:]attr[.subAttr]` against the User schemas. An unqualified name is looked up in the core schema and
 * then in the enterprise extension (the old MS sample writes `manager` unqualified). Undefined for unknown names,
 * unknown sub-attributes, and custom extension attributes (they have no built-in definition).
 */
export function resolveUserAttribute(path: AttrPath): ResolvedAttribute | undefined {
  const schemas =
    path.schema === undefined
      ? [coreUserSchema, enterpriseUserSchema]
      : [coreUserSchema, enterpriseUserSchema].filter((schema) => sameUrn(schema.id, path.schema ?? ''));
  return resolveIn(schemas, path);
}

/** Resolves `[urn:]attr[.subAttr]` against the Group schema. */
export function resolveGroupAttribute(path: AttrPath): ResolvedAttribute | undefined {
  if (path.schema !== undefined && !sameUrn(path.schema, CORE_GROUP_SCHEMA)) return undefined;
  return resolveIn([groupSchema], path);
}

/**
 * The URN of the User schema that defines an attribute name (`department` → the enterprise URN, `userName` → the
 * core User URN), or undefined for an unknown name.
 */
export function userAttributeSchemaUrn(name: string): string | undefined {
  if (findAttribute(coreUserSchema.attributes, name) !== undefined) return CORE_USER_SCHEMA;
  if (findAttribute(enterpriseUserSchema.attributes, name) !== undefined) return ENTERPRISE_USER_SCHEMA;
  return undefined;
}

/** Whether any built-in schema defines `name` as a multi-valued attribute (`emails`, `members`, …). */
export function isMultiValuedAttributeName(name: string): boolean {
  return builtInSchemas.some((schema) => findAttribute(schema.attributes, name)?.multiValued === true);
}

function resolveIn(schemas: readonly SchemaDefinition[], path: AttrPath): ResolvedAttribute | undefined {
  for (const schema of schemas) {
    const definition = findAttribute(schema.attributes, path.attr);
    if (definition === undefined) continue;
    if (path.subAttr === undefined) return { schemaUrn: schema.id, attribute: definition };
    const subAttribute = findSubAttribute(definition, path.subAttr);
    return subAttribute === undefined ? undefined : { schemaUrn: schema.id, attribute: definition, subAttribute };
  }
  return undefined;
}
