import { app } from '@azure/functions';
import { handleSyncTimer } from '../shared/sync-runs/sync-triggers.js';

// A run for every enabled Graph integration on the NCRONTAB schedule of app setting GRAPH_SYNC_SCHEDULE.
app.timer('graphSyncTimer', {
  schedule: '%GRAPH_SYNC_SCHEDULE%',
  handler: handleSyncTimer,
});
