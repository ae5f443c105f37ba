// RFC 7643 schemas as data, lookups over them, canonical attribute values, and the discovery resources.

export type {
  AttributeDefinition,
  AttributeType,
  Mutability,
  Returned,
  SchemaDefinition,
  Uniqueness,
} from './attribute-definition.js';
export {
  canonicalAttributeValue,
  canonicalCustomValue,
  canonicalManager,
  canonicalSimpleValue,
  canonicalSingleValue,
  decodeStringItem,
  invalidValue,
  parseBoolean,
} from './attribute-values.js';
export type { CanonicalValueOptions } from './attribute-values.js';
export { coreUserSchema, externalIdAttribute } from './core-user-schema.js';
export { customAttributeTypes, customExtensionSchema, customUserExtensionSchema } from './custom-extension.js';
export type { CustomAttributeType, CustomUserExtension } from './custom-extension.js';
export {
  MAX_QUERY_RESULTS,
  RESOURCE_TYPE_SCHEMA,
  resourceTypeResources,
  SCHEMA_RESOURCE_SCHEMA,
  schemaResources,
  SERVICE_PROVIDER_CONFIG_SCHEMA,
  serviceProviderConfig,
} from './discovery-resources.js';
export type {
  AttributeResource,
  ResourceTypeResource,
  SchemaResource,
  ServiceProviderConfigResource,
} from './discovery-resources.js';
export { enterpriseUserSchema, managerAttribute } from './enterprise-user-schema.js';
export { groupSchema } from './group-schema.js';
export {
  builtInSchemas,
  findAttribute,
  findSchema,
  findSubAttribute,
  isMultiValuedAttributeName,
  resolveGroupAttribute,
  resolveUserAttribute,
  userAttributeSchemaUrn,
} from './schema-lookup.js';
export type { ResolvedAttribute } from './schema-lookup.js';
export { describeJsonType, findKeyIgnoringCase, isScimObject } from './scim-document.js';
export type { GroupDoc, MemberRef, ScimObject, ScimPrimitive, ScimValue, UserDoc } from './scim-document.js';
export {
  canonicalUserExtensionUrn,
  CORE_GROUP_SCHEMA,
  CORE_USER_SCHEMA,
  ENTERPRISE_USER_SCHEMA,
  isCustomUserExtensionUrn,
  isEnterpriseUserSchema,
  isValidAttributeName,
  sameUrn,
  splitSchemaQualifiedName,
  userExtensionName,
} from './schema-urns.js';
export type { SchemaQualifiedName } from './schema-urns.js';
