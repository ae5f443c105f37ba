// /Users: GET (by id, or a query), POST, PUT, PATCH and DELETE, mapped onto the integration's user view.
import type { HttpResponseInit } from '@azure/functions';
import type { ScimCall } from '../directory/scim-users.js';
import type { ScimRequest } from './scim-endpoint.js';
import { methodNotAllowed } from './scim-endpoint.js';
import { projectResource } from '../scim/projection.js';
import { etagHeader, listParameters, listResponse, projection, readScimBody, scimResponse } from './scim-http.js';

function callOf(scim: ScimRequest): ScimCall {
  return {
    integration: scim.integration,
    locationOf: (id) => `${scim.baseUrl}/Users/${encodeURIComponent(id)}`,
    ifMatch: scim.request.headers.get('if-match') ?? undefined,
  };
}

export async function handleUsers(scim: ScimRequest): Promise<HttpResponseInit> {
  const { request } = scim;
  const id = request.params.id;
  const users = scim.services.users;
  const call = callOf(scim);
  switch (request.method.toUpperCase()) {
    case 'GET': {
      if (id !== undefined && id !== '') {
        const resource = await users.get(call, id);
        return scimResponse(200, projectResource(resource, projection(request)), etagHeader(resource));
      }
      const parameters = listParameters(request);
      const result = await users.query(call, parameters);
      const resources = result.resources.map((resource) => projectResource(resource, parameters));
      return scimResponse(200, listResponse(result.totalResults, parameters.startIndex, resources));
    }
    case 'POST': {
      if (id !== undefined && id !== '') throw methodNotAllowed('POST on a user');
      const resource = await users.create(call, await readScimBody(request));
      return scimResponse(201, resource, { Location: String((resource.meta as { location: string }).location), ...etagHeader(resource) });
    }
    case 'PUT': {
      const resource = await users.replace(call, requireId(id, 'PUT'), await readScimBody(request));
      return scimResponse(200, resource, etagHeader(resource));
    }
    case 'PATCH': {
      const resource = await users.patch(call, requireId(id, 'PATCH'), await readScimBody(request));
      return scimResponse(200, resource, etagHeader(resource));
    }
    case 'DELETE':
      await users.delete(call, requireId(id, 'DELETE'));
      return { status: 204 };
    default:
      throw methodNotAllowed(request.method);
  }
}

export function requireId(id: string | undefined, method: string): string {
  if (id === undefined || id === '') throw methodNotAllowed(`${method} without a resource id`);
  return id;
}
