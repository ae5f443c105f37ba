import { app } from '@azure/functions';
import { adminEndpoint } from '../shared/admin-api/admin-http.js';
import {
  createIntegration,
  integrationGroups,
  listAttributes,
  listOrGetIntegrations,
  secretTokenAction,
} from '../shared/admin-api/integrations-api.js';

export const adminIntegrations = adminEndpoint('integrations', (request, all) =>
  request.method.toUpperCase() === 'POST' ? createIntegration(request, all) : listOrGetIntegrations(request, all),
);
export const adminIntegrationSecretToken = adminEndpoint('integrations.secretToken', secretTokenAction);
export const adminIntegrationAttributes = adminEndpoint('integrations.attributes', listAttributes);
export const adminIntegrationGroups = adminEndpoint('integrations.groups', integrationGroups);

app.http('adminIntegrations', {
  route: 'admin/integrations/{id?}',
  methods: ['GET', 'POST'],
  authLevel: 'function',
  handler: adminIntegrations,
});
app.http('adminIntegrationSecretToken', {
  route: 'admin/integrations/{id}/secret-token/{action}',
  methods: ['POST'],
  authLevel: 'function',
  handler: adminIntegrationSecretToken,
});
app.http('adminIntegrationAttributes', {
  route: 'admin/integrations/{id}/attributes',
  methods: ['GET'],
  authLevel: 'function',
  handler: adminIntegrationAttributes,
});
app.http('adminIntegrationGroups', {
  route: 'admin/integrations/{id}/groups/{groupId?}',
  methods: ['GET', 'PATCH'],
  authLevel: 'function',
  handler: adminIntegrationGroups,
});
