import { app } from '@azure/functions';
import { adminEndpoint, AdminError } from '../shared/admin-api/admin-http.js';
import { deleteIntegration, integrationActivity, integrationConnectionCheck, renameIntegration } from '../shared/admin-api/integration-lifecycle-api.js';
import {
  createIntegration,
  integrationGroups,
  listAttributes,
  listOrGetIntegrations,
  secretTokenAction,
} from '../shared/admin-api/integrations-api.js';

export const adminIntegrations = adminEndpoint('integrations', (request, all) => {
  const method = request.method.toUpperCase();
  if (method === 'GET') return listOrGetIntegrations(request, all);
  if (method === 'POST') return createIntegration(request, all);
  if ((request.params.id ?? '') === '') throw new AdminError(405, 'methodNotAllowed', `${method} one integration: admin/integrations/{id}`);
  return method === 'PATCH' ? renameIntegration(request, all) : deleteIntegration(request, all);
});
export const adminIntegrationSecretToken = adminEndpoint('integrations.secretToken', secretTokenAction);
export const adminIntegrationConnectionCheck = adminEndpoint('integrations.connectionCheck', integrationConnectionCheck);
export const adminIntegrationActivity = adminEndpoint('integrations.activity', integrationActivity);
export const adminIntegrationAttributes = adminEndpoint('integrations.attributes', listAttributes);
export const adminIntegrationGroups = adminEndpoint('integrations.groups', integrationGroups);

app.http('adminIntegrations', {
  route: 'admin/integrations/{id?}',
  methods: ['GET', 'POST', 'PATCH', 'DELETE'],
  authLevel: 'anonymous',
  handler: adminIntegrations,
});
app.http('adminIntegrationConnectionCheck', {
  route: 'admin/integrations/{id}/connection-check',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: adminIntegrationConnectionCheck,
});
app.http('adminIntegrationActivity', {
  route: 'admin/integrations/{id}/activity',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: adminIntegrationActivity,
});
app.http('adminIntegrationSecretToken', {
  route: 'admin/integrations/{id}/secret-token/{action}',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: adminIntegrationSecretToken,
});
app.http('adminIntegrationAttributes', {
  route: 'admin/integrations/{id}/attributes',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: adminIntegrationAttributes,
});
app.http('adminIntegrationGroups', {
  route: 'admin/integrations/{id}/groups/{groupId?}',
  methods: ['GET', 'PATCH'],
  authLevel: 'anonymous',
  handler: adminIntegrationGroups,
});
