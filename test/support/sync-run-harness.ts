// A test host with the sync run machinery on queues of its own: the real function registrations (admin route, timer,
// queue and poison triggers) run by the local queue host against the test run's Azurite, with a step handler and a
// clock the test chooses. Failed deliveries become visible again at once (visibilityTimeout 0) so `drain()` needs no
// waiting.
import { randomBytes } from 'node:crypto';
import { installFunctionsCore } from '../../local/functions-core.js';
import { DEFAULT_QUEUE_HOST_SETTINGS, QueueTriggerHost } from '../../local/queue-triggers.js';
import { parseSettings } from '../../shared/config.js';
import { PARTITION } from '../../shared/storage/integration-repository.js';
import type { SyncLockOptions } from '../../shared/sync-runs/run-lock.js';
import type { SyncStepHandler } from '../../shared/sync-runs/step-handler.js';
import { SYNC_QUEUE_NAME } from '../../shared/sync-runs/step-messages.js';
import { createStepQueue, type StepQueue } from '../../shared/sync-runs/step-queue.js';
import { createSyncRunServices, type SyncRunServices, useSyncRunServices } from '../../shared/sync-runs/sync-run-services.js';
import { startTestHost, type TestHost } from './test-host.js';

export interface SyncHarnessOptions {
  handler: SyncStepHandler;
  now?: () => Date;
  lock?: SyncLockOptions;
  /** Wraps the queue the machinery sends to (e.g. to make a send fail). */
  wrapQueue?: (queue: StepQueue) => StepQueue;
}

export interface SyncHarness {
  host: TestHost;
  sync: SyncRunServices;
  queues: QueueTriggerHost;
  /** The queue names of this harness: `<prefix>graph-sync` and its poison queue. */
  queueName: string;
  /** Creates an integration through the admin API and makes it a Graph integration (`method`, `enabled`). */
  graphIntegration(enabled?: boolean): Promise<string>;
  close(): Promise<void>;
}

export async function startSyncHarness(options: SyncHarnessOptions): Promise<SyncHarness> {
  const host = await startTestHost();
  const settings = parseSettings({ AzureWebJobsStorage: process.env.AzureWebJobsStorage });
  const prefix = `q${randomBytes(5).toString('hex')}`;
  const queueName = `${prefix}${SYNC_QUEUE_NAME}`;
  const queue = createStepQueue(settings, queueName);
  const sync = createSyncRunServices(host.services, settings, {
    queue: options.wrapQueue?.(queue) ?? queue,
    handler: () => options.handler,
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.lock === undefined ? {} : { lock: options.lock }),
  });
  useSyncRunServices(sync);
  const queues = new QueueTriggerHost({
    registry: installFunctionsCore(),
    connectionString: () => settings.AzureWebJobsStorage,
    queueNamePrefix: prefix,
    settings: { ...DEFAULT_QUEUE_HOST_SETTINGS, visibilityTimeoutInSeconds: 0 },
    log: process.env.SYNC_HARNESS_LOG === '1' ? (line) => console.log(line) : () => undefined,
  });
  await queues.ensureQueues();
  return {
    host,
    sync,
    queues,
    queueName,
    async graphIntegration(enabled = true) {
      const { id } = await host.createIntegration();
      await host.services.tables.integrations.updateEntity({ partitionKey: PARTITION, rowKey: id, method: 'graph', enabled }, 'Merge');
      return id;
    },
    async close() {
      useSyncRunServices(undefined);
      await host.close();
    },
  };
}
