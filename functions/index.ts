// The app's single bootstrap (as in Microsoft's TypeScript quickstart): host-wide setup only.
import { app } from '@azure/functions';
import { setupTelemetry } from '../shared/observability/telemetry.js';

setupTelemetry();
app.setup({ enableHttpStream: false });
