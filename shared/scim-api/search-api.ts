// POST /Users/.search, /Groups/.search and /.search (RFC 7644 §3.4.3): a query whose parameters travel in a
// SearchRequest body instead of the URL (so that filters quoting UPNs stay out of URLs). The body's `filter`,
// `attributes`, `excludedAttributes`, `startIndex` and `count` mean what the GET query parameters mean; `sortBy` and
// `sortOrder` are ignored (ServiceProviderConfig.sort.supported is false), as is `schemas`. The answer is the
// ListResponse the GET would give. At the root, users come first, then groups, paged as one list; groups are shown
// without members there (search /Groups/.search for members).
import type { HttpResponseInit } from '@azure/functions';
import { badRequest } from '../scim/errors.js';
import { projectResource } from '../scim/projection.js';
import { describeJsonType, findKeyIgnoringCase, isScimObject } from '../scim/schemas/index.js';
import { callOf as groupCallOf, listGroups } from './groups-api.js';
import type { ScimRequest } from './scim-endpoint.js';
import { methodNotAllowed } from './scim-endpoint.js';
import { type ListParameters, listParametersOf, listResponse, readScimBody, scimResponse } from './scim-http.js';
import { queryUsers } from './users-api.js';

export const SEARCH_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

export async function handleUserSearch(scim: ScimRequest): Promise<HttpResponseInit> {
  const parameters = await searchParameters(scim);
  const result = await queryUsers(scim, parameters);
  return scimResponse(200, listResponse(result.totalResults, parameters.startIndex, result.resources));
}

export async function handleGroupSearch(scim: ScimRequest): Promise<HttpResponseInit> {
  return listGroups(scim, await searchParameters(scim));
}

/** The root search: users then groups, one page over both. */
export async function handleRootSearch(scim: ScimRequest): Promise<HttpResponseInit> {
  const parameters = await searchParameters(scim);
  const users = await queryUsers(scim, parameters);
  const room = parameters.count - users.resources.length;
  const groupStart = Math.max(1, parameters.startIndex - users.totalResults);
  const groupOptions = { ...parameters, startIndex: groupStart, count: room, includeMembers: false };
  const groups = await scim.services.scimGroups.query(groupCallOf(scim), groupOptions);
  const groupResources = groups.groups.map((group) => projectResource(group.resource, parameters));
  const resources = [...users.resources, ...groupResources];
  return scimResponse(200, listResponse(users.totalResults + groups.totalResults, parameters.startIndex, resources));
}

async function searchParameters(scim: ScimRequest): Promise<ListParameters> {
  if (scim.request.method.toUpperCase() !== 'POST') throw methodNotAllowed(scim.request.method);
  return parseSearchRequest(await readScimBody(scim.request));
}

/** The list parameters of a SearchRequest body; member names in any case. */
export function parseSearchRequest(body: unknown): ListParameters {
  if (!isScimObject(body)) throw badRequest('invalidSyntax', `A search body must be a JSON object (a SearchRequest), not ${describeJsonType(body)}`);
  const member = (name: string): unknown => {
    const key = findKeyIgnoringCase(body, name);
    return key === undefined ? undefined : body[key];
  };
  const filter = member('filter');
  if (filter !== undefined && filter !== null && typeof filter !== 'string') {
    throw badRequest('invalidFilter', `'filter' must be a string, not ${describeJsonType(filter)}`);
  }
  return listParametersOf({
    filter: filter ?? undefined,
    startIndex: integerMember('startIndex', member('startIndex')),
    count: integerMember('count', member('count')),
    attributes: attributeNames('attributes', member('attributes')),
    excludedAttributes: attributeNames('excludedAttributes', member('excludedAttributes')),
  });
}

/** An integer, also as a numeric string; absent or null means the default. */
function integerMember(name: string, value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const number = typeof value === 'string' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number)) throw badRequest('invalidValue', `'${name}' must be an integer, not ${describeJsonType(value)}`);
  return Math.trunc(number);
}

/** An array of attribute names (RFC 7644), or one comma-separated string as in a query. */
function attributeNames(name: string, value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const items = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(items) || !items.every((item): item is string => typeof item === 'string')) {
    throw badRequest('invalidValue', `'${name}' must be an array of attribute names, not ${describeJsonType(value)}`);
  }
  const names = items.map((item) => item.trim()).filter((item) => item !== '');
  return names.length > 0 ? names : undefined;
}
