// Wiring of the sync run machinery of one process: the run repository on the `syncruns` table of the services, the
// `graph-sync` queue from the settings, the installed step handler. Functions ask for `syncRunServices()`; tests and
// the local host build their own with createSyncRunServices (a queue of their own, a clock they control).
import { type Settings, settings } from '../config.js';
import { type Services, services } from '../services.js';
import type { IntegrationStore } from '../directory/model/stores.js';
import { IntegrationRepository } from '../storage/integration-repository.js';
import { SyncRunRepository } from '../storage/sync-run-repository.js';
import type { SyncLockOptions } from './run-lock.js';
import { type SyncStepHandler, syncStepHandler } from './step-handler.js';
import { MAX_DEQUEUE_COUNT, SYNC_QUEUE_NAME } from './step-messages.js';
import { StepMarkerPruner } from './step-marker-pruning.js';
import { SyncStepProcessor } from './step-processor.js';
import { createStepQueue, type StepQueue } from './step-queue.js';
import { SyncRuns } from './sync-runs.js';

export interface SyncRunServices {
  readonly runs: SyncRuns;
  readonly processor: SyncStepProcessor;
  /** Read for their `method`, `enabled` and `status`: which integrations the timer and the admin route may run. */
  readonly integrations: Pick<IntegrationStore, 'get' | 'list'>;
  readonly queue: StepQueue;
}

export interface SyncRunServicesOptions {
  /** Default `graph-sync`; tests sharing one Azurite use a queue each. */
  readonly queueName?: string;
  readonly queue?: StepQueue;
  readonly now?: () => Date;
  readonly lock?: SyncLockOptions;
  /** Default: the installed handler (syncStepHandler()), looked up at every step. */
  readonly handler?: () => SyncStepHandler;
}

export function createSyncRunServices(all: Pick<Services, 'tables'>, config: Settings, options: SyncRunServicesOptions = {}): SyncRunServices {
  const repository = new SyncRunRepository(all.tables.syncruns);
  const queue = options.queue ?? createStepQueue(config, options.queueName ?? SYNC_QUEUE_NAME);
  const runs = new SyncRuns(repository, queue, {
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.lock === undefined ? {} : { lock: options.lock }),
  });
  const pruner = new StepMarkerPruner(all.tables.syncruns, repository);
  const processor = new SyncStepProcessor(repository, queue, runs, options.handler ?? syncStepHandler, MAX_DEQUEUE_COUNT, pruner);
  return { runs, processor, integrations: new IntegrationRepository(all.tables.integrations), queue };
}

let current: Promise<SyncRunServices> | undefined;

/** The sync run services of this process, on `services()` and `settings()`. */
export function syncRunServices(): Promise<SyncRunServices> {
  current ??= services()
    .then((all) => createSyncRunServices(all, settings()))
    .catch((error: unknown) => {
      current = undefined;
      throw error;
    });
  return current;
}

/** For tests and the local host: use these instead of building them from the process's services. */
export function useSyncRunServices(value: SyncRunServices | undefined): void {
  current = value === undefined ? undefined : Promise.resolve(value);
}
