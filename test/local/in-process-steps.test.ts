// The in-process `graph-sync` queue of `npm run sync`: the real run machinery (tables on the test run's Azurite), its
// steps delivered by drainSteps: follow-ups run until none is left, a step that throws is delivered again, and one that
// keeps throwing fails its run after MAX_DEQUEUE_COUNT deliveries, as the poison queue would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainSteps, InProcessStepQueue } from '../../local/in-process-steps.js';
import { parseSettings } from '../../shared/config.js';
import type { TableClients } from '../../shared/storage/table-clients.js';
import type { SyncStepHandler } from '../../shared/sync-runs/step-handler.js';
import { MAX_DEQUEUE_COUNT } from '../../shared/sync-runs/step-messages.js';
import { createSyncRunServices } from '../../shared/sync-runs/sync-run-services.js';
import { createFreshTables, dropTables } from '../support/fresh-tables.js';

let tables: TableClients;
beforeAll(async () => {
  tables = await createFreshTables();
});
afterAll(async () => {
  await dropTables(tables);
});

/** `start` fans out to three `work` steps; each `work` throws on its first `failures` deliveries, then counts a user. */
function handler(failures: number, deliveries: number[]): SyncStepHandler {
  return {
    handle(_run, step) {
      if (step.kind === 'start') return Promise.resolve({ followUps: [0, 1, 2].map((n) => ({ kind: 'work', payload: { n } })) });
      if (step.kind !== 'work') return Promise.resolve({});
      deliveries.push(step.dequeueCount);
      if (step.dequeueCount <= failures) return Promise.reject(new Error('a passing fault'));
      return Promise.resolve({ counters: { usersSeen: 1 } });
    },
  };
}

async function drained(integrationId: string, failures: number) {
  const queue = new InProcessStepQueue();
  const deliveries: number[] = [];
  const sync = createSyncRunServices({ tables }, parseSettings({ AzureWebJobsStorage: process.env.AzureWebJobsStorage }), { queue, handler: () => handler(failures, deliveries) });
  const run = await sync.runs.start({ integrationId, full: true, dryRun: false, trigger: 'cli' });
  await drainSteps(sync.processor, queue, { concurrency: 2, retryDelayMs: 0 });
  expect(queue.size).toBe(0);
  return { report: await sync.runs.get(integrationId, run.runId), deliveries };
}

describe('drainSteps', () => {
  it('runs every step and its follow-ups to the end of the run, delivering a failed step again', async () => {
    const { report, deliveries } = await drained('drainok', 2);
    expect(report).toMatchObject({ status: 'succeeded', outstandingSteps: 0, counters: { usersSeen: 3 } });
    expect(deliveries.sort()).toEqual([1, 1, 1, 2, 2, 2, 3, 3, 3]);
  });

  it('fails the run when a step keeps failing until its last delivery', async () => {
    const { report, deliveries } = await drained('drainpoison', Number.POSITIVE_INFINITY);
    expect(report?.status).toBe('failed');
    expect(report?.failureReason).toMatch(new RegExp(`"work" step failed ${MAX_DEQUEUE_COUNT} times.*a passing fault`));
    expect(Math.max(...deliveries)).toBe(MAX_DEQUEUE_COUNT);
  });
});
