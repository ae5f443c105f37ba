import { app } from '@azure/functions';
import { handleResourceTypes, handleSchemas, handleServiceProviderConfig } from '../shared/scim-api/discovery-api.js';
import { scimEndpoint } from '../shared/scim-api/scim-endpoint.js';

export const scimServiceProviderConfig = scimEndpoint('serviceProviderConfig', handleServiceProviderConfig);
export const scimResourceTypes = scimEndpoint('resourceTypes', handleResourceTypes);
export const scimSchemas = scimEndpoint('schemas', handleSchemas);

app.http('scimServiceProviderConfig', {
  route: 'scim/{integrationId}/v2/ServiceProviderConfig',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: scimServiceProviderConfig,
});
app.http('scimResourceTypes', {
  route: 'scim/{integrationId}/v2/ResourceTypes/{id?}',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: scimResourceTypes,
});
app.http('scimSchemas', {
  route: 'scim/{integrationId}/v2/Schemas/{id?}',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: scimSchemas,
});
