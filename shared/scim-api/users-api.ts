// /Users: GET (by id, or a query), POST, PUT, PATCH and DELETE, mapped onto the integration's user view. Every
// answered User shows its manager with `$ref` (and, for one resource, the manager's displayName, see answerUser).
import type { HttpResponseInit } from '@azure/functions';
import type { QueryResult, ScimCall } from './user-service.js';
import type { ScimRequest } from './scim-endpoint.js';
import { methodNotAllowed } from './scim-endpoint.js';
import { NotFoundError } from '../directory/errors.js';
import { managerIdOf, withManagerReference } from '../scim/manager-reference.js';
import { projectResource } from '../scim/projection.js';
import { etagHeader, type ListParameters, listParameters, listResponse, projection, readScimBody, resourceUrl, scimResponse } from './scim-http.js';

function callOf(scim: ScimRequest): ScimCall {
  return {
    integration: scim.integration,
    locationOf: (id) => resourceUrl(scim.baseUrl, 'Users', id),
    ifMatch: scim.request.headers.get('if-match') ?? undefined,
  };
}

export async function handleUsers(scim: ScimRequest): Promise<HttpResponseInit> {
  const { request } = scim;
  const id = request.params.id;
  const users = scim.services.scimUsers;
  const call = callOf(scim);
  switch (request.method.toUpperCase()) {
    case 'GET': {
      if (id !== undefined && id !== '') {
        const resource = await answerUser(scim, await users.get(call, id));
        return scimResponse(200, projectResource(resource, projection(request)), etagHeader(resource));
      }
      const parameters = listParameters(request);
      const result = await queryUsers(scim, parameters);
      return scimResponse(200, listResponse(result.totalResults, parameters.startIndex, result.resources));
    }
    case 'POST': {
      if (id !== undefined && id !== '') throw methodNotAllowed('POST on a user');
      const resource = await answerUser(scim, await users.create(call, await readScimBody(request)));
      return scimResponse(201, resource, { Location: String((resource.meta as { location: string }).location), ...etagHeader(resource) });
    }
    case 'PUT': {
      const resource = await answerUser(scim, await users.replace(call, requireId(id, 'PUT'), await readScimBody(request)));
      return scimResponse(200, resource, etagHeader(resource));
    }
    case 'PATCH': {
      const resource = await answerUser(scim, await users.patch(call, requireId(id, 'PATCH'), await readScimBody(request)));
      return scimResponse(200, resource, etagHeader(resource));
    }
    case 'DELETE':
      await users.delete(call, requireId(id, 'DELETE'));
      return { status: 204 };
    default:
      throw methodNotAllowed(request.method);
  }
}

/** One page of the integration's users for a GET list or a POST .search, projected, managers with `$ref`. */
export async function queryUsers(scim: ScimRequest, parameters: ListParameters): Promise<QueryResult> {
  const result = await scim.services.scimUsers.query(callOf(scim), parameters);
  const userLocationOf = callOf(scim).locationOf;
  return { ...result, resources: result.resources.map((resource) => projectResource(withManagerReference(resource, userLocationOf), parameters)) };
}

/**
 * One User as answered: its manager with `$ref` and the manager's displayName when the manager is a user this
 * integration sees (one point read, only for users that have a manager; lists leave the name out).
 */
async function answerUser(scim: ScimRequest, resource: Record<string, unknown>): Promise<Record<string, unknown>> {
  const managerId = managerIdOf(resource);
  if (managerId === undefined) return resource;
  const call = callOf(scim);
  let displayName: string | undefined;
  try {
    const manager = await scim.services.scimUsers.get(call, managerId);
    if (typeof manager.displayName === 'string') displayName = manager.displayName;
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error; // not found, or not an id: no name to show
  }
  return withManagerReference(resource, call.locationOf, displayName);
}

export function requireId(id: string | undefined, method: string): string {
  if (id === undefined || id === '') throw methodNotAllowed(`${method} without a resource id`);
  return id;
}
