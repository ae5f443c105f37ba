// The discovery endpoints of RFC 7644 §4: /Schemas, /ResourceTypes and /ServiceProviderConfig, as plain JSON.
// Locations are relative (`/Schemas/<urn>`); the HTTP layer may prefix the Tenant URL.

import type { AttributeDefinition, SchemaDefinition } from './attribute-definition.js';
import { customExtensionSchema } from './custom-extension.js';
import type { CustomUserExtension } from './custom-extension.js';
import { builtInSchemas } from './schema-lookup.js';
import { canonicalUserExtensionUrn, CORE_GROUP_SCHEMA, CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA } from './schema-urns.js';

export const SCHEMA_RESOURCE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
export const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
export const SERVICE_PROVIDER_CONFIG_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';

/** The most resources one query answer holds; advertised as `filter.maxResults`. */
export const MAX_QUERY_RESULTS = 200;

/** An attribute as /Schemas shows it: RFC 7643 §7 camelCase properties, absent ones omitted (never null). */
export interface AttributeResource {
  name: string;
  type: string;
  multiValued: boolean;
  description: string;
  required: boolean;
  canonicalValues?: string[];
  caseExact: boolean;
  mutability: string;
  returned: string;
  uniqueness: string;
  referenceTypes?: string[];
  subAttributes?: AttributeResource[];
}

export interface SchemaResource {
  schemas: [typeof SCHEMA_RESOURCE_SCHEMA];
  id: string;
  name: string;
  description: string;
  attributes: AttributeResource[];
  meta: { resourceType: 'Schema'; location: string };
}

export interface ResourceTypeResource {
  schemas: [typeof RESOURCE_TYPE_SCHEMA];
  id: 'User' | 'Group';
  name: 'User' | 'Group';
  endpoint: '/Users' | '/Groups';
  description: string;
  schema: string;
  schemaExtensions: { schema: string; required: boolean }[];
  meta: { resourceType: 'ResourceType'; location: string };
}

/** The /Schemas ListResponse items: core User, EnterpriseUser, Group, then each custom extension. */
export function schemaResources(customExtensions: readonly CustomUserExtension[] = []): SchemaResource[] {
  const schemas = [...builtInSchemas, ...customExtensions.map(customExtensionSchema)];
  return schemas.map(toSchemaResource);
}

/** The /ResourceTypes ListResponse items, User first (the Microsoft Postman suite reads Resources[0].endpoint). */
export function resourceTypeResources(customExtensionUrns: readonly string[] = []): ResourceTypeResource[] {
  const customs = customExtensionUrns.map((urn) => ({ schema: canonicalUserExtensionUrn(urn) ?? urn, required: false }));
  return [
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'User Account',
      schema: CORE_USER_SCHEMA,
      schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA, required: false }, ...customs],
      meta: { resourceType: 'ResourceType', location: '/ResourceTypes/User' },
    },
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'Group',
      schema: CORE_GROUP_SCHEMA,
      schemaExtensions: [],
      meta: { resourceType: 'ResourceType', location: '/ResourceTypes/Group' },
    },
  ];
}

export interface ServiceProviderConfigResource {
  schemas: [typeof SERVICE_PROVIDER_CONFIG_SCHEMA];
  patch: { supported: true };
  bulk: { supported: false; maxOperations: 0; maxPayloadSize: 0 };
  filter: { supported: true; maxResults: number };
  changePassword: { supported: false };
  sort: { supported: false };
  etag: { supported: true };
  authenticationSchemes: {
    type: 'oauthbearertoken';
    name: string;
    description: string;
    specUri: string;
    primary: boolean;
  }[];
  meta: { resourceType: 'ServiceProviderConfig'; location: '/ServiceProviderConfig' };
}

export function serviceProviderConfig(): ServiceProviderConfigResource {
  return {
    schemas: [SERVICE_PROVIDER_CONFIG_SCHEMA],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_QUERY_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'Authentication scheme using the OAuth Bearer Token Standard',
        specUri: 'https://www.rfc-editor.org/info/rfc6750',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: '/ServiceProviderConfig' },
  };
}

function toSchemaResource(schema: SchemaDefinition): SchemaResource {
  return {
    schemas: [SCHEMA_RESOURCE_SCHEMA],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes.map(toAttributeResource),
    meta: { resourceType: 'Schema', location: `/Schemas/${schema.id}` },
  };
}

function toAttributeResource(definition: AttributeDefinition): AttributeResource {
  const resource: AttributeResource = {
    name: definition.name,
    type: definition.type,
    multiValued: definition.multiValued,
    description: definition.description,
    required: definition.required,
    caseExact: definition.caseExact,
    mutability: definition.mutability,
    returned: definition.returned,
    uniqueness: definition.uniqueness,
  };
  if (definition.canonicalValues !== undefined) resource.canonicalValues = [...definition.canonicalValues];
  if (definition.referenceTypes !== undefined) resource.referenceTypes = [...definition.referenceTypes];
  if (definition.subAttributes !== undefined) resource.subAttributes = definition.subAttributes.map(toAttributeResource);
  return resource;
}
