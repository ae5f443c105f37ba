import { app } from '@azure/functions';
import { adminEndpoint } from '../shared/admin-api/admin-http.js';
import { graphSettingsRoute } from '../shared/admin-api/graph-integrations-api.js';

// A Graph integration's settings (creating one goes through POST admin/integrations with "method": "graph").
export const adminGraphIntegrationSettings = adminEndpoint('integrations.graph', graphSettingsRoute);

app.http('adminGraphIntegrationSettings', {
  route: 'admin/integrations/{id}/graph',
  methods: ['GET', 'PUT'],
  authLevel: 'function',
  handler: adminGraphIntegrationSettings,
});
