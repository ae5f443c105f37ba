import { app } from '@azure/functions';
import { adminEndpoint } from '../shared/admin-api/admin-http.js';
import { getProvisioningLog } from '../shared/admin-api/provisioning-log-api.js';

export const adminProvisioningLog = adminEndpoint('integrations.provisioningLog', (request, all) => getProvisioningLog(request, all));

app.http('adminProvisioningLog', {
  route: 'admin/integrations/{id}/provisioning-log',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: adminProvisioningLog,
});
