// The Graph sync's run machinery end to end on Azurite: runs started through the admin route, their steps carried by
// the real queue (base64 messages) to the registered queue function by the local queue host, with a fake planner.
import { QueueClient } from '@azure/storage-queue';
import { afterEach, describe, expect, it } from 'vitest';
import { SYNC_COUNTER_NAMES } from '../../shared/sync-runs/run-results.js';
import { encodeStepMessage } from '../../shared/sync-runs/step-messages.js';
import type { StepQueue } from '../../shared/sync-runs/step-queue.js';
import { startSyncHarness, type SyncHarness, type SyncHarnessOptions } from '../support/sync-run-harness.js';
import { fakeStepHandler } from '../support/sync-steps-fake.js';

let harness: SyncHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function start(options: SyncHarnessOptions): Promise<SyncHarness> {
  harness = await startSyncHarness(options);
  return harness;
}

async function postRun(h: SyncHarness, id: string, body: unknown = {}): Promise<Response> {
  return h.host.admin(`/integrations/${id}/sync-runs`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
}

async function startRun(h: SyncHarness, id: string, body: unknown = {}): Promise<string> {
  const response = await postRun(h, id, body);
  expect(response.status).toBe(202);
  return ((await response.json()) as { id: string }).id;
}

const runOf = (h: SyncHarness, id: string, runId: string) => h.host.adminJson(`/integrations/${id}/sync-runs/${runId}`);

const queueClient = (name: string) => new QueueClient(process.env.AzureWebJobsStorage ?? '', name);

describe('a sync run through the queue', () => {
  it('runs every step once, through two phases, and reports exact counts', async () => {
    const handler = fakeStepHandler({ pages: 30, membersPerPage: 3 });
    const h = await start({ handler });
    const id = await h.graphIntegration();
    const runId = await startRun(h, id, { full: true });

    const queued = await runOf(h, id, runId);
    expect(queued).toMatchObject({ id: runId, integrationId: id, kind: 'full', dryRun: false, trigger: 'admin', status: 'queued', start: null, end: null });

    await h.queues.drain();
    const run = await runOf(h, id, runId);
    expect(run.status).toBe('succeeded');
    expect(run.start).not.toBeNull();
    expect(run.end).not.toBeNull();
    // start + 30 pages + 90 members + drained(0) + finish + drained(1)
    expect(run.steps).toEqual({ completed: 124, outstanding: 0, phase: 2 });
    expect(Object.keys(run.counts).sort()).toEqual([...SYNC_COUNTER_NAMES].sort());
    expect(run.counts).toMatchObject({ graphRequests: 31, usersSeen: 300, usersMatched: 270, usersUnmatched: 30, membershipsAdded: 90, groupsRemoved: 2 });
    expect(run.samples.unmatchedUsers).toHaveLength(20);
    expect(run.errors).toEqual([{ message: 'group g1 could not be read', requestId: 'req-g1', stepKind: 'finish', at: expect.any(String) }]);
    expect(run.errorCount).toBe(1);
    expect(handler.calls.filter((call) => call.startsWith('drained'))).toEqual(['drained:{"phase":0}', 'drained:{"phase":1}']);
    expect(handler.calls).toHaveLength(124);

    // The lock went with the run: the next one starts.
    await startRun(h, id);
  });

  it('sends base64 JSON, as the host expects by default', async () => {
    const h = await start({ handler: fakeStepHandler({ pages: 0 }) });
    const id = await h.graphIntegration();
    const runId = await startRun(h, id);
    const { peekedMessageItems } = await queueClient(h.queueName).peekMessages();
    const text = peekedMessageItems[0]?.messageText ?? '';
    expect(JSON.parse(Buffer.from(text, 'base64').toString('utf8'))).toEqual({ v: 1, integrationId: id, runId, stepId: 'start', kind: 'start', payload: {} });
  });

  it('retries a step that failed and counts it once', async () => {
    const handler = fakeStepHandler({ pages: 4, transientFailures: { page: 3, start: 1 } });
    const h = await start({ handler });
    const id = await h.graphIntegration();
    const runId = await startRun(h, id);
    await h.queues.drain();
    const run = await runOf(h, id, runId);
    expect(run.status).toBe('succeeded');
    expect(run.counts.usersSeen).toBe(40);
    expect(run.counts.graphRequests).toBe(5);
    expect(handler.calls.filter((call) => call === 'start')).toHaveLength(2);
  });

  it('counts a step delivered twice once, and sends its follow-ups once', async () => {
    const handler = fakeStepHandler({ pages: 3 });
    const h = await start({ handler });
    const id = await h.graphIntegration();
    const runId = await startRun(h, id);
    const startMessage = { v: 1 as const, integrationId: id, runId, stepId: 'start', kind: 'start', payload: {} };
    await queueClient(h.queueName).sendMessage(encodeStepMessage(startMessage));
    await h.queues.drain();
    const run = await runOf(h, id, runId);
    expect(run.status).toBe('succeeded');
    expect(run.counts.graphRequests).toBe(4);
    expect(run.steps.completed).toBe(3 + 1 + 1 + 1 + 1);
  });

  it('finishes a run whose step died between its commit and sending its follow-ups', async () => {
    let failNextSend = false;
    const wrapQueue = (queue: StepQueue): StepQueue => ({
      name: queue.name,
      async send(message) {
        if (failNextSend && message.kind === 'page') {
          failNextSend = false;
          throw new Error('the instance died');
        }
        await queue.send(message);
      },
    });
    const handler = fakeStepHandler({ pages: 5 });
    const h = await start({ handler, wrapQueue });
    const id = await h.graphIntegration();
    const runId = await startRun(h, id);
    failNextSend = true;
    await h.queues.drain();
    const run = await runOf(h, id, runId);
    expect(run.status).toBe('succeeded');
    expect(run.counts.usersSeen).toBe(50);
    // The start step ran once: its second delivery re-sent the follow-ups from its marker.
    expect(handler.calls.filter((call) => call === 'start')).toHaveLength(1);
  });

  it('fails the run with the reason and Graph request id when a step keeps failing, and poisons the message', async () => {
    const handler = fakeStepHandler({ pages: 2, brokenKinds: ['page'] });
    const h = await start({ handler });
    const id = await h.graphIntegration();
    const runId = await startRun(h, id);
    await h.queues.drain();
    const run = await runOf(h, id, runId);
    expect(run.status).toBe('failed');
    expect(run.failureReason).toMatch(/^The "page" step failed 5 times \(its message goes to the poison queue\); last error: page keeps failing$/);
    expect(run.errors[0]).toMatchObject({ requestId: 'req-0000-fake', stepKind: 'page' });
    // 5 deliveries of the first page; the other page was dropped once the run had failed (or also poisoned).
    expect(handler.calls.filter((call) => call === 'page:{"page":0}').length).toBeLessThanOrEqual(5);
    // The poison trigger ran (and found the run already failed); the lock is free again.
    expect((await queueClient(`${h.queueName}-poison`).peekMessages()).peekedMessageItems).toHaveLength(0);
    await startRun(h, id);
  });

  it('fails the run at once for a step that cannot succeed', async () => {
    const handler = fakeStepHandler({ pages: 1, fatalKinds: ['start'] });
    const h = await start({ handler });
    const id = await h.graphIntegration();
    const runId = await startRun(h, id);
    await h.queues.drain();
    const run = await runOf(h, id, runId);
    expect(run).toMatchObject({ status: 'failed', failureReason: 'The "start" step failed: Graph refused: Authorization_RequestDenied' });
    expect(run.errors[0].requestId).toBe('req-fatal');
    expect(handler.calls).toEqual(['start']);
  });

  it('marks a run failed when its message reaches the poison queue by another way (its last delivery died)', async () => {
    const h = await start({ handler: fakeStepHandler({ pages: 1 }) });
    const id = await h.graphIntegration();
    const runId = await startRun(h, id);
    const message = { v: 1 as const, integrationId: id, runId, stepId: 'start', kind: 'start', payload: {} };
    const poison = queueClient(`${h.queueName}-poison`);
    await poison.createIfNotExists();
    await poison.sendMessage(encodeStepMessage(message));
    await h.sync.processor.processPoison(message);
    const run = await runOf(h, id, runId);
    expect(run).toMatchObject({ status: 'failed', failureReason: 'The "start" step was moved to the poison queue after 5 failed deliveries.' });
    await h.queues.drain();
    expect((await runOf(h, id, runId)).status).toBe('failed');
  });

  it('drops a message that is not a step without retrying it', async () => {
    const handler = fakeStepHandler({ pages: 0 });
    const h = await start({ handler });
    await queueClient(h.queueName).sendMessage(Buffer.from('{"hello":"world"}').toString('base64'));
    expect(await h.queues.drain()).toBe(1);
    expect(handler.calls).toEqual([]);
  });
});
