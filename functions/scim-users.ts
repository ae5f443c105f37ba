import { app } from '@azure/functions';
import { scimEndpoint } from '../shared/scim-api/scim-endpoint.js';
import { handleUsers } from '../shared/scim-api/users-api.js';

export const scimUsers = scimEndpoint('users', handleUsers);

app.http('scimUsers', {
  route: 'scim/{integrationId}/v2/Users/{id?}',
  methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  authLevel: 'anonymous',
  handler: scimUsers,
});
