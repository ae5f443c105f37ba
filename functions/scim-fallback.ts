import { app } from '@azure/functions';
import { handleUnknownEndpoint } from '../shared/scim-api/fallback-api.js';
import { scimEndpoint } from '../shared/scim-api/scim-endpoint.js';

export const scimFallback = scimEndpoint('unknown', handleUnknownEndpoint);

app.http('scimFallback', {
  route: 'scim/{integrationId}/v2/{*rest}',
  methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  authLevel: 'anonymous',
  handler: scimFallback,
});
