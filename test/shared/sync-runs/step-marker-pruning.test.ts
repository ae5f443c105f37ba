// Step markers of finished runs are pruned (on Azurite, through the real run machinery and queue): the run that ends
// deletes the markers of the integration's runs that ended more than STEP_MARKER_RETENTION_DAYS ago, keeps those of
// recent runs, and never touches a run that has not ended, however old; the run rows and their reports stay.
import { odata } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncRunRepository } from '../../../shared/storage/sync-run-repository.js';
import { START_STEP, START_STEP_ID } from '../../../shared/sync-runs/step-messages.js';
import { STEP_MARKER_RETENTION_DAYS, StepMarkerPruner } from '../../../shared/sync-runs/step-marker-pruning.js';
import { fakeStepHandler } from '../../support/sync-steps-fake.js';
import { startSyncHarness, type SyncHarness } from '../../support/sync-run-harness.js';

const DAY_MS = 86_400_000;
const T0 = Date.parse('2026-12-02T02:00:00Z');
let clock = new Date(T0);
let harness: SyncHarness;
let integrationId: string;

beforeAll(async () => {
  harness = await startSyncHarness({ handler: fakeStepHandler({ pages: 3, membersPerPage: 1 }), now: () => clock });
  integrationId = await harness.graphIntegration();
});
afterAll(async () => {
  await harness.close();
});

async function markers(runId: string): Promise<number> {
  let count = 0;
  const filter = odata`PartitionKey eq ${integrationId} and RowKey ge ${`step-${runId}-`} and RowKey lt ${`step-${runId}.`}`;
  for await (const _ of harness.host.services.tables.syncruns.listEntities({ queryOptions: { filter, select: ['RowKey'] } })) count += 1;
  return count;
}

async function runAt(time: number): Promise<string> {
  clock = new Date(time);
  const run = await harness.sync.runs.start({ integrationId, full: false, dryRun: false, trigger: 'admin' });
  await harness.queues.drain();
  expect((await harness.sync.runs.get(integrationId, run.runId))?.status).toBe('succeeded');
  return run.runId;
}

describe('pruning the step markers of finished runs', { timeout: 120_000 }, () => {
  it('deletes the markers of runs ended long ago when a run ends, keeping recent and unfinished runs and every report', async () => {
    const old = await runAt(T0 - 30 * DAY_MS);
    const oldMarkers = await markers(old);
    expect(oldMarkers).toBeGreaterThan(5);

    const recent = await runAt(T0 - 2 * DAY_MS);
    expect(await markers(old)).toBe(0);
    expect(await markers(recent)).toBeGreaterThan(5);
    // The run row and its report stay.
    expect(await harness.sync.runs.get(integrationId, old)).toMatchObject({ status: 'succeeded', counters: { usersSeen: 30 }, stepsCompleted: oldMarkers });

    // A run queued long ago that has not ended: its start step committed, the rest still queued.
    clock = new Date(T0 - 40 * DAY_MS);
    const unfinished = await harness.sync.runs.start({ integrationId, full: false, dryRun: false, trigger: 'admin' });
    const log = { info: () => undefined, warn: () => undefined };
    const outcome = await harness.sync.processor.process({ v: 1, integrationId, runId: unfinished.runId, stepId: START_STEP_ID, kind: START_STEP, payload: {} }, { dequeueCount: 1 }, log);
    expect(outcome.kind).toBe('committed');
    expect(await markers(unfinished.runId)).toBe(1);

    const pruner = new StepMarkerPruner(harness.host.services.tables.syncruns, new SyncRunRepository(harness.host.services.tables.syncruns));
    const pruned = await pruner.prune(integrationId, new Date(T0 + (STEP_MARKER_RETENTION_DAYS + 1) * DAY_MS));
    expect(pruned).toEqual({ runs: 1, markers: expect.any(Number) });
    expect(await markers(recent)).toBe(0);
    expect(await markers(unfinished.runId)).toBe(1);
    expect((await harness.sync.runs.get(integrationId, unfinished.runId))?.status).toBe('running');
    // Pruning again finds nothing more to delete.
    expect(await pruner.prune(integrationId, new Date(T0 + 60 * DAY_MS))).toEqual({ runs: 0, markers: 0 });
  });
});
