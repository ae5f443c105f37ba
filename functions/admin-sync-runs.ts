import { app } from '@azure/functions';
import { adminEndpoint } from '../shared/admin-api/admin-http.js';
import { syncRunsOperation } from '../shared/sync-runs/sync-runs-api.js';

export const adminSyncRuns = adminEndpoint('integrations.syncRuns', syncRunsOperation);

app.http('adminSyncRuns', {
  route: 'admin/integrations/{id}/sync-runs/{runId?}',
  methods: ['GET', 'POST'],
  authLevel: 'anonymous',
  handler: adminSyncRuns,
});
