import { app } from '@azure/functions';
import { handleGroups } from '../shared/scim-api/groups-api.js';
import { scimEndpoint } from '../shared/scim-api/scim-endpoint.js';

export const scimGroups = scimEndpoint('groups', handleGroups);

app.http('scimGroups', {
  route: 'scim/{integrationId}/v2/Groups/{id?}',
  methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  authLevel: 'anonymous',
  handler: scimGroups,
});
