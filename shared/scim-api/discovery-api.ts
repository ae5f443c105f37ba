// /ServiceProviderConfig, /ResourceTypes and /Schemas. Custom extension schemas come from the integration's
// attribute catalog: every custom extension URN it has written is listed with the attributes seen under it.
import type { HttpResponseInit } from '@azure/functions';
import { notFound } from '../scim/errors.js';
import {
  type CustomAttributeType,
  customAttributeTypes,
  type CustomUserExtension,
  resourceTypeResources,
  schemaResources,
  serviceProviderConfig,
} from '../scim/schemas/index.js';
import type { CatalogEntry } from '../directory/model/stores.js';
import type { ScimRequest } from './scim-endpoint.js';
import { listResponse, scimResponse } from './scim-http.js';

const EXTENSION_PREFIX = 'urn:ietf:params:scim:schemas:extension:';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:user';

export function customExtensionsOf(entries: CatalogEntry[]): CustomUserExtension[] {
  const byUrn = new Map<string, CustomUserExtension>();
  for (const entry of entries) {
    if (!entry.path.toLowerCase().startsWith(EXTENSION_PREFIX)) continue;
    const split = entry.path.lastIndexOf(':');
    const urn = entry.path.slice(0, split);
    const name = entry.path.slice(split + 1).split(/[.[]/)[0] ?? '';
    if (urn.toLowerCase() === ENTERPRISE || name === '') continue;
    const type: CustomAttributeType = (customAttributeTypes as readonly string[]).includes(entry.type) ? (entry.type as CustomAttributeType) : 'string';
    const extension = byUrn.get(urn.toLowerCase()) ?? { urn, attributes: [] };
    if (!extension.attributes.some((a) => a.name.toLowerCase() === name.toLowerCase())) extension.attributes.push({ name, type });
    byUrn.set(urn.toLowerCase(), extension);
  }
  return [...byUrn.values()];
}

function withLocation<T extends { meta: { location: string } }>(baseUrl: string, resource: T): T {
  return { ...resource, meta: { ...resource.meta, location: `${baseUrl}${resource.meta.location}` } };
}

function byId<T extends { id: string }>(items: T[], id: string | undefined): T[] | T {
  if (id === undefined || id === '') return items;
  const found = items.find((item) => item.id.toLowerCase() === id.toLowerCase());
  if (found === undefined) throw notFound(`Resource ${id} not found`);
  return found;
}

function listOrItem<T extends Record<string, unknown>>(result: T[] | T): HttpResponseInit {
  return Array.isArray(result) ? scimResponse(200, listResponse(result.length, 1, result)) : scimResponse(200, result);
}

export async function handleSchemas(scim: ScimRequest): Promise<HttpResponseInit> {
  const extensions = customExtensionsOf(await scim.services.catalog.list(scim.integration.id));
  const resources = schemaResources(extensions).map((schema) => withLocation(scim.baseUrl, schema));
  return listOrItem(byId(resources, scim.request.params.id) as never);
}

export async function handleResourceTypes(scim: ScimRequest): Promise<HttpResponseInit> {
  const extensions = customExtensionsOf(await scim.services.catalog.list(scim.integration.id));
  const resources = resourceTypeResources(extensions.map((e) => e.urn)).map((type) => withLocation(scim.baseUrl, type));
  return listOrItem(byId(resources, scim.request.params.id) as never);
}

export function handleServiceProviderConfig(scim: ScimRequest): Promise<HttpResponseInit> {
  const config = serviceProviderConfig() as unknown as Record<string, unknown> & { meta?: { location?: string } };
  return Promise.resolve(scimResponse(200, { ...config, meta: { resourceType: 'ServiceProviderConfig', location: `${scim.baseUrl}/ServiceProviderConfig` } }));
}
