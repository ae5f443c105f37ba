// Runs and their lock on Azurite, with a clock the test moves: overlapping starts refused, an expired lock taken over
// (its dead run marked failed), only the holder releasing it, runs listed newest first; and commits of concurrent steps
// from two processes losing no increment.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSettings } from '../../../shared/config.js';
import type { TableClients } from '../../../shared/storage/table-clients.js';
import { SyncRunRepository } from '../../../shared/storage/sync-run-repository.js';
import type { SyncStepHandler } from '../../../shared/sync-runs/step-handler.js';
import { createStepQueue, type StepQueue } from '../../../shared/sync-runs/step-queue.js';
import { type SyncStepMessage } from '../../../shared/sync-runs/step-messages.js';
import { createSyncRunServices, type SyncRunServices } from '../../../shared/sync-runs/sync-run-services.js';
import { newRunId, SyncRunInProgressError } from '../../../shared/sync-runs/sync-runs.js';
import { createFreshTables, dropTables } from '../../support/fresh-tables.js';

const HOUR = 60 * 60 * 1000;
let tables: TableClients;
let clock = new Date('2026-12-02T02:00:00Z');
const settings = parseSettings({ AzureWebJobsStorage: process.env.AzureWebJobsStorage });

/** A queue that keeps what is sent, so a test can hand the messages to processors itself. */
function memoryQueue(): StepQueue & { sent: SyncStepMessage[] } {
  const sent: SyncStepMessage[] = [];
  return { name: 'memory', sent, send: (message) => Promise.resolve(void sent.push(message)) };
}

function services(handler?: SyncStepHandler, queue: StepQueue = memoryQueue()): SyncRunServices {
  return createSyncRunServices({ tables }, settings, { queue, now: () => clock, lock: { ttlInMs: HOUR }, ...(handler === undefined ? {} : { handler: () => handler }) });
}

const integration = () => `i${randomBytes(6).toString('hex')}`;

beforeAll(async () => {
  tables = await createFreshTables();
});
afterAll(async () => {
  await dropTables(tables);
});

describe('the per-integration run lock', () => {
  it('refuses a second run while the first holds the lock, naming it', async () => {
    const { runs } = services();
    const id = integration();
    const first = await runs.start({ integrationId: id, full: false, dryRun: false, trigger: 'admin' });
    const second = runs.start({ integrationId: id, full: true, dryRun: true, trigger: 'schedule' });
    await expect(second).rejects.toBeInstanceOf(SyncRunInProgressError);
    await expect(second).rejects.toMatchObject({ runningRunId: first.runId });
    // Another integration is not affected.
    await expect(runs.start({ integrationId: integration(), full: false, dryRun: false, trigger: 'admin' })).resolves.toMatchObject({ status: 'queued' });
  });

  it('lets exactly one of many simultaneous starts through', async () => {
    const { runs } = services();
    const id = integration();
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => runs.start({ integrationId: id, full: false, dryRun: false, trigger: 'admin' })));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof SyncRunInProgressError)).toHaveLength(7);
  });

  it('expires when its run stops committing: the next start takes it over and marks the dead run failed', async () => {
    const { runs } = services();
    const id = integration();
    const dead = await runs.start({ integrationId: id, full: false, dryRun: false, trigger: 'schedule' });
    clock = new Date(clock.getTime() + HOUR - 1000);
    await expect(runs.start({ integrationId: id, full: false, dryRun: false, trigger: 'admin' })).rejects.toBeInstanceOf(SyncRunInProgressError);
    clock = new Date(clock.getTime() + 1000);
    const next = await runs.start({ integrationId: id, full: false, dryRun: false, trigger: 'admin' });
    expect(await runs.get(id, dead.runId)).toMatchObject({ status: 'failed', failureReason: expect.stringMatching(/stopped making progress.*took over/) });
    expect(await runs.get(id, next.runId)).toMatchObject({ status: 'queued' });
  });

  it('is released only by its holder', async () => {
    const { runs } = services();
    const repository = new SyncRunRepository(tables.syncruns);
    const id = integration();
    const old = await runs.start({ integrationId: id, full: false, dryRun: false, trigger: 'admin' });
    clock = new Date(clock.getTime() + 2 * HOUR);
    const holder = await runs.start({ integrationId: id, full: false, dryRun: false, trigger: 'admin' });
    // Failing the old run again (as its late poison message would) leaves the new holder's lock alone.
    await runs.fail(id, old.runId, 'late');
    expect(await repository.getLock(id)).toMatchObject({ runId: holder.runId });
    expect((await repository.getLock(id))?.releasedAt).toBeUndefined();
    expect(await runs.fail(id, holder.runId, 'stopped by the test')).toBe(true);
    expect(await repository.getLock(id)).toMatchObject({ runId: holder.runId, releasedAt: clock.toISOString() });
    expect(await runs.fail(id, holder.runId, 'twice')).toBe(false);
    // Free at once, even for an instance whose clock is a minute behind the one that released it.
    clock = new Date(clock.getTime() - 60_000);
    await expect(runs.start({ integrationId: id, full: false, dryRun: false, trigger: 'admin' })).resolves.toMatchObject({ status: 'queued' });
    clock = new Date(clock.getTime() + 60_000);
  });

  it('fails a run whose steps come back after another run took its expired lock', async () => {
    const queue = memoryQueue();
    const handler: SyncStepHandler = { handle: () => Promise.resolve({ followUps: [{ kind: 'page', payload: {} }] }) };
    const { runs, processor } = services(handler, queue);
    const id = integration();
    const run = await runs.start({ integrationId: id, full: false, dryRun: false, trigger: 'admin' });
    const log = { info: () => undefined, warn: () => undefined };
    await processor.process(queue.sent[0], { dequeueCount: 1 }, log);
    const repository = new SyncRunRepository(tables.syncruns);
    // The lock expired and was taken by a run of another process that stamped it as its own, outside this run.
    const lock = await repository.getLock(id);
    await tables.syncruns.updateEntity({ partitionKey: id, rowKey: 'lock', runId: newRunId(clock), expiresAt: new Date(clock.getTime() + HOUR).toISOString() }, 'Merge', { etag: lock?.etag ?? '*' });
    const outcome = await processor.process(queue.sent[1], { dequeueCount: 1 }, log);
    expect(outcome).toMatchObject({ kind: 'runFailed', reason: expect.stringMatching(/lost its lock/) });
    expect(await runs.get(id, run.runId)).toMatchObject({ status: 'failed' });
  });
});

describe('run records', () => {
  it('lists runs newest first, a page at a time', async () => {
    const { runs } = services();
    const id = integration();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      clock = new Date(clock.getTime() + 2 * HOUR);
      const run = await runs.start({ integrationId: id, full: i % 2 === 0, dryRun: false, trigger: 'admin' });
      ids.push(run.runId);
    }
    const first = await runs.list(id, 2);
    expect(first.runs.map((r) => r.runId)).toEqual([ids[4], ids[3]]);
    expect(first.more).toBe(true);
    const rest = await runs.list(id, 10, ids[3]);
    expect(rest.runs.map((r) => r.runId)).toEqual([ids[2], ids[1], ids[0]]);
    expect(rest.more).toBe(false);
    expect(rest.runs.map((r) => r.kind)).toEqual(['full', 'delta', 'full']);
  });

  it('keeps a step whose follow-ups fill several properties', async () => {
    const queue = memoryQueue();
    const followUps = Array.from({ length: 900 }, (_, index) => ({ kind: 'group', payload: { id: `${index}`.padStart(80, 'g') } }));
    const { runs, processor } = services({ handle: (_run, step) => Promise.resolve(step.kind === 'start' ? { followUps } : {}) }, queue);
    const id = integration();
    await runs.start({ integrationId: id, full: false, dryRun: false, trigger: 'admin' });
    const start = queue.sent[0] as SyncStepMessage;
    expect(await processor.process(start, { dequeueCount: 1 }, { info: () => undefined, warn: () => undefined })).toMatchObject({ kind: 'committed', followUps: 900 });
    const marker = await new SyncRunRepository(tables.syncruns).getMarker(id, start.runId, 'start');
    expect(JSON.parse(marker?.followUpsJson ?? '[]')).toHaveLength(900);
    expect(marker?.followUpsEnqueued).toBe(true);
    expect(queue.sent).toHaveLength(901);
  });
});

describe('commits of concurrent steps', () => {
  it('lose no increment when two processes commit many steps of one run at once', async () => {
    const queue = memoryQueue();
    const handler: SyncStepHandler = {
      handle: (_run, step) =>
        Promise.resolve(step.kind === 'start' ? { followUps: Array.from({ length: 60 }, (_, page) => ({ kind: 'page', payload: { page } })) } : step.kind === 'page' ? { counters: { usersSeen: 7, graphRequests: 1 } } : {}),
    };
    const one = services(handler, queue);
    const two = services(handler, queue);
    const id = integration();
    const run = await one.runs.start({ integrationId: id, full: false, dryRun: false, trigger: 'admin' });
    const log = { info: () => undefined, warn: () => undefined };
    await one.processor.process(queue.sent[0], { dequeueCount: 1 }, log);
    const pages = queue.sent.slice(1, 61);
    // Every page delivered to both processes at once (a duplicate of each), all concurrently.
    const outcomes = await Promise.all(pages.flatMap((page) => [one.processor.process(page, { dequeueCount: 1 }, log), two.processor.process(page, { dequeueCount: 1 }, log)]));
    expect(outcomes.filter((o) => o.kind === 'committed')).toHaveLength(60);
    expect(outcomes.filter((o) => o.kind === 'duplicate')).toHaveLength(60);
    const after = await one.runs.get(id, run.runId);
    expect(after).toMatchObject({ status: 'running', stepsCompleted: 61, outstandingSteps: 1, phase: 1 });
    expect(after?.counters).toMatchObject({ usersSeen: 420, graphRequests: 60 });
    // The last commit sent the barrier once.
    expect(queue.sent.filter((m) => m.kind === 'drained')).toHaveLength(1);
  });
});

// The queue client itself: created on first send.
describe('the step queue', () => {
  it('creates its queue on first use and sends base64', async () => {
    const name = `q${randomBytes(6).toString('hex')}`;
    const queue = createStepQueue(settings, name);
    await queue.send({ v: 1, integrationId: 'a1', runId: 'b2', stepId: 'start', kind: 'start', payload: { x: 'é' } });
    const { QueueClient } = await import('@azure/storage-queue');
    const client = new QueueClient(settings.AzureWebJobsStorage ?? '', name);
    const [message] = (await client.receiveMessages()).receivedMessageItems;
    expect(JSON.parse(Buffer.from(message?.messageText ?? '', 'base64').toString('utf8'))).toMatchObject({ payload: { x: 'é' } });
    await client.delete();
  });
});
