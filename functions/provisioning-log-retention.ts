import { app } from '@azure/functions';
import { handleProvisioningLogRetentionTimer, PROVISIONING_LOG_RETENTION_SCHEDULE } from '../shared/provisioning-log/retention.js';

// Every day, the provisioning log's days older than PROVISIONING_LOG_RETENTION_DAYS go.
app.timer('provisioningLogRetention', {
  schedule: PROVISIONING_LOG_RETENTION_SCHEDULE,
  handler: handleProvisioningLogRetentionTimer,
});
