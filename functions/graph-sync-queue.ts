import { app } from '@azure/functions';
import { installGraphSyncPlanner } from '../shared/graph/sync/install.js';
import { POISON_QUEUE_NAME, SYNC_QUEUE_NAME } from '../shared/sync-runs/step-messages.js';
import { handleSyncPoisonMessage, handleSyncStepMessage } from '../shared/sync-runs/sync-triggers.js';

// The steps are planned by the Graph sync planner (shared/graph/sync), on this process's services.
installGraphSyncPlanner();

// One step of a Graph sync run per message (base64, the host's default messageEncoding; host.json extensions.queues).
app.storageQueue('graphSyncStep', {
  queueName: SYNC_QUEUE_NAME,
  connection: 'AzureWebJobsStorage',
  handler: handleSyncStepMessage,
});

// A step the host gave up on after maxDequeueCount tries: its run is marked failed.
app.storageQueue('graphSyncPoison', {
  queueName: POISON_QUEUE_NAME,
  connection: 'AzureWebJobsStorage',
  handler: handleSyncPoisonMessage,
});
