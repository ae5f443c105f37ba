import { app } from '@azure/functions';
import { adminEndpoint } from '../shared/admin-api/admin-http.js';
import { graphSettingsRoute, graphTestConnectionRoute } from '../shared/admin-api/graph-integrations-api.js';

// A Graph integration's settings (creating one goes through POST admin/integrations with "method": "graph").
export const adminGraphIntegrationSettings = adminEndpoint('integrations.graph', graphSettingsRoute);

app.http('adminGraphIntegrationSettings', {
  route: 'admin/integrations/{id}/graph',
  methods: ['GET', 'PUT'],
  authLevel: 'anonymous',
  handler: adminGraphIntegrationSettings,
});

// Signs in with the integration's stored credentials and tries one call of each kind the sync makes.
export const adminGraphTestConnection = adminEndpoint('integrations.graph.testConnection', graphTestConnectionRoute);

app.http('adminGraphTestConnection', {
  route: 'admin/integrations/{id}/graph/test-connection',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: adminGraphTestConnection,
});
