// Anything under a Tenant URL that is not a SCIM endpoint we serve: a SCIM error envelope rather than the host's
// empty 404, so a client sees what went wrong. /Bulk is a real SCIM endpoint we do not offer (Entra never uses it).
import type { HttpResponseInit } from '@azure/functions';
import { notFound, ScimError } from '../scim/errors.js';
import type { ScimRequest } from './scim-endpoint.js';

export function handleUnknownEndpoint(scim: ScimRequest): Promise<HttpResponseInit> {
  const rest = scim.request.params.rest ?? '';
  if (/^bulk\/?$/i.test(rest)) throw new ScimError(501, 'Bulk operations are not supported (ServiceProviderConfig.bulk.supported is false).');
  throw notFound(`There is no SCIM endpoint /${rest}; use /Users, /Groups, /Schemas, /ResourceTypes or /ServiceProviderConfig.`);
}
