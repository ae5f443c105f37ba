// The app's single bootstrap (as in Microsoft's TypeScript quickstart): host-wide setup only.
import { app } from '@azure/functions';
import { setupTelemetry } from '../shared/observability/telemetry.js';
import { flushPendingProvisioningLogs } from '../shared/provisioning-log/provisioning-log.js';

setupTelemetry();
// HTTP streams (https://learn.microsoft.com/azure/azure-functions/node-http-stream): group GETs write their members
// page by page instead of holding a 100,000-member group in memory.
app.setup({ enableHttpStream: true });
// On a graceful shutdown the provisioning log writes what it still holds (it records off the requests' path).
app.hook.appTerminate(() => flushPendingProvisioningLogs());
