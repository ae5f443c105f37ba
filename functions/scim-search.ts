import { app } from '@azure/functions';
import { scimEndpoint } from '../shared/scim-api/scim-endpoint.js';
import { handleGroupSearch, handleRootSearch, handleUserSearch } from '../shared/scim-api/search-api.js';

export const scimUsersSearch = scimEndpoint('users.search', handleUserSearch);
export const scimGroupsSearch = scimEndpoint('groups.search', handleGroupSearch);
export const scimRootSearch = scimEndpoint('search', handleRootSearch);

app.http('scimUsersSearch', {
  route: 'scim/{integrationId}/v2/Users/.search',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: scimUsersSearch,
});
app.http('scimGroupsSearch', {
  route: 'scim/{integrationId}/v2/Groups/.search',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: scimGroupsSearch,
});
app.http('scimRootSearch', {
  route: 'scim/{integrationId}/v2/.search',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: scimRootSearch,
});
