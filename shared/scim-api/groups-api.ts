// /Groups: GET (by id, or a query; members only when asked for), POST, PUT, PATCH (204) and DELETE.
import type { HttpResponseInit } from '@azure/functions';
import type { GroupCall } from '../directory/scim-groups.js';
import type { ScimRequest } from './scim-endpoint.js';
import { methodNotAllowed } from './scim-endpoint.js';
import { projectResource } from '../scim/projection.js';
import { etagHeader, listParameters, listResponse, projection, readScimBody, scimResponse, wantsMembers } from './scim-http.js';
import { requireId } from './users-api.js';

function callOf(scim: ScimRequest): GroupCall {
  return {
    integration: scim.integration,
    locationOf: (id) => `${scim.baseUrl}/Groups/${encodeURIComponent(id)}`,
    userLocationOf: (id) => `${scim.baseUrl}/Users/${encodeURIComponent(id)}`,
    ifMatch: scim.request.headers.get('if-match') ?? undefined,
  };
}

export async function handleGroups(scim: ScimRequest): Promise<HttpResponseInit> {
  const { request } = scim;
  const id = request.params.id;
  const groups = scim.services.groups;
  const call = callOf(scim);
  switch (request.method.toUpperCase()) {
    case 'GET': {
      if (id !== undefined && id !== '') {
        const options = projection(request);
        const resource = await groups.get(call, id, wantsMembers(options));
        return scimResponse(200, projectResource(resource, options), etagHeader(resource));
      }
      const parameters = listParameters(request);
      const result = await groups.query(call, { ...parameters, includeMembers: wantsMembers(parameters) });
      return scimResponse(200, listResponse(result.totalResults, parameters.startIndex, result.resources.map((r) => projectResource(r, parameters))));
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
