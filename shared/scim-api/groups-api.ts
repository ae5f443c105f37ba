// /Groups: GET (by id, or a query; members only when asked for, streamed), POST, PUT, PATCH (204) and DELETE.
import type { HttpResponseInit } from '@azure/functions';
import type { GroupCall } from './group-service.js';
import type { ScimRequest } from './scim-endpoint.js';
import { methodNotAllowed } from './scim-endpoint.js';
import { pagedListResponseJson, pagedResourceJson } from '../scim/paged-resource-json.js';
import { projectResource } from '../scim/projection.js';
import { etagHeader, type ListParameters, listParameters, listResponse, projection, readScimBody, resourceUrl, scimResponse, wantsMembers } from './scim-http.js';
import { streamedScimResponse } from './streamed-scim-response.js';
import { requireId } from './users-api.js';

export function callOf(scim: ScimRequest): GroupCall {
  return {
    integration: scim.integration,
    locationOf: (id) => resourceUrl(scim.baseUrl, 'Groups', id),
    userLocationOf: (id) => resourceUrl(scim.baseUrl, 'Users', id),
    ifMatch: scim.request.headers.get('if-match') ?? undefined,
  };
}

export async function handleGroups(scim: ScimRequest): Promise<HttpResponseInit> {
  const { request } = scim;
  const id = request.params.id;
  const groups = scim.services.scimGroups;
  const call = callOf(scim);
  switch (request.method.toUpperCase()) {
    case 'GET': {
      // With members, the answer streams them page by page (a group may hold 100,000); without, it is one string.
      if (id !== undefined && id !== '') {
        const options = projection(request);
        const group = await groups.get(call, id, wantsMembers(options));
        if (group.pages === undefined) return scimResponse(200, projectResource(group.resource, options), etagHeader(group.resource));
        return streamedScimResponse(scim.context, 200, pagedResourceJson(group, 'members', options), etagHeader(group.resource));
      }
      return listGroups(scim, listParameters(request));
    }
    case 'POST': {
      if (id !== undefined && id !== '') throw methodNotAllowed('POST on a group');
      const resource = await groups.create(call, await readScimBody(request));
      return scimResponse(201, resource, { Location: String((resource.meta as { location: string }).location), ...etagHeader(resource) });
    }
    case 'PUT': {
      const resource = await groups.replace(call, requireId(id, 'PUT'), await readScimBody(request));
      return scimResponse(200, resource, etagHeader(resource));
    }
    case 'PATCH':
      await groups.patch(call, requireId(id, 'PATCH'), await readScimBody(request));
      return { status: 204 };
    case 'DELETE':
      await groups.delete(call, requireId(id, 'DELETE'));
      return { status: 204 };
    default:
      throw methodNotAllowed(request.method);
  }
}

/** One page of the integration's groups for a GET list or a POST .search (members streamed when wanted). */
export async function listGroups(scim: ScimRequest, parameters: ListParameters): Promise<HttpResponseInit> {
  const includeMembers = wantsMembers(parameters);
  const result = await scim.services.scimGroups.query(callOf(scim), { ...parameters, includeMembers });
  const envelope = listResponse(result.totalResults, parameters.startIndex, result.groups.map((group) => group.resource));
  if (!includeMembers) return scimResponse(200, { ...envelope, Resources: result.groups.map((group) => projectResource(group.resource, parameters)) });
  return streamedScimResponse(scim.context, 200, pagedListResponseJson(envelope, result.groups, 'members', parameters));
}
