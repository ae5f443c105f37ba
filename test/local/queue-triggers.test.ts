// The local queue host against Azurite, with a registration of its own: base64 decoding, JSON handed over parsed (text
// as text), the trigger metadata, deletion on success, retry with a growing dequeueCount, the poison queue after
// maxDequeueCount, and host.json's queue settings.
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueueClient } from '@azure/storage-queue';
import { describe, expect, it, vi } from 'vitest';
import type { FunctionRegistration, QueueTriggerBinding, Registry } from '../../local/functions-core.js';
import { DEFAULT_QUEUE_HOST_SETTINGS, QueueTriggerHost, readQueueHostSettings } from '../../local/queue-triggers.js';
import { MAX_DEQUEUE_COUNT } from '../../shared/sync-runs/step-messages.js';

const connection = process.env.AzureWebJobsStorage ?? '';

/** A registry holding one queue function (the process-wide one holds the app's). */
function registryWith(handler: (input: unknown, context: { triggerMetadata?: Record<string, unknown> }) => unknown): Registry {
  const registration: FunctionRegistration<QueueTriggerBinding> = {
    name: 'testQueue',
    metadata: { name: 'testQueue', bindings: { trigger: { type: 'queueTrigger', direction: 'in', queueName: 'work', connection: 'Storage' } } },
    trigger: { type: 'queueTrigger', name: 'trigger', direction: 'in', queueName: 'work', connection: 'Storage' },
    handler: handler as FunctionRegistration['handler'],
  };
  return { queueFunctions: () => [registration], hooks: () => [], appHookData: {} } as unknown as Registry;
}

async function hostFor(handler: Parameters<typeof registryWith>[0], settings = { ...DEFAULT_QUEUE_HOST_SETTINGS, visibilityTimeoutInSeconds: 0 }) {
  const prefix = `l${randomBytes(5).toString('hex')}`;
  const host = new QueueTriggerHost({ registry: registryWith(handler), connectionString: (name) => (name === 'Storage' ? connection : undefined), queueNamePrefix: prefix, settings, log: () => undefined });
  await host.ensureQueues();
  return { host, queue: new QueueClient(connection, `${prefix}work`), poison: new QueueClient(connection, `${prefix}work-poison`) };
}

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('the local queue host', () => {
  it('decodes base64, hands JSON over parsed and text as text, with the trigger metadata, and deletes what succeeded', async () => {
    const seen: unknown[] = [];
    const { host, queue } = await hostFor((input, context) => void seen.push({ input, dequeueCount: context.triggerMetadata?.dequeueCount, text: context.triggerMetadata?.queueTrigger }));
    await queue.sendMessage(base64('{"a":1,"é":"ü"}'));
    await queue.sendMessage(base64('plain text'));
    expect(await host.drain()).toBe(2);
    expect(seen).toEqual(
      expect.arrayContaining([
        { input: { a: 1, é: 'ü' }, dequeueCount: 1, text: '{"a":1,"é":"ü"}' },
        { input: 'plain text', dequeueCount: 1, text: 'plain text' },
      ]),
    );
    expect((await queue.peekMessages()).peekedMessageItems).toHaveLength(0);
  });

  it('retries a failing message and moves it to the poison queue after maxDequeueCount deliveries', async () => {
    const counts: number[] = [];
    const { host, queue, poison } = await hostFor((_input, context) => {
      counts.push(Number(context.triggerMetadata?.dequeueCount));
      throw new Error('always');
    });
    await queue.sendMessage(base64('{"n":1}'));
    await host.drain();
    expect(counts).toEqual([1, 2, 3, 4, 5]);
    expect((await queue.peekMessages()).peekedMessageItems).toHaveLength(0);
    expect((await poison.peekMessages()).peekedMessageItems.map((m) => m.messageText)).toEqual([base64('{"n":1}')]);
  });

  it('poisons a message that is not base64 without running the function', async () => {
    let calls = 0;
    const { host, queue, poison } = await hostFor(() => void (calls += 1));
    await queue.sendMessage('not base64!');
    await host.drain();
    expect(calls).toBe(0);
    expect((await poison.peekMessages()).peekedMessageItems.map((m) => m.messageText)).toEqual(['not base64!']);
  });

  // What a process holds for the queue is bounded by the batch, not by the queue's length (bench:graph fans a run out
  // into thousands of step messages).
  it('runs at most batchSize messages at once, however many are queued', async () => {
    let inFlight = 0;
    let mostInFlight = 0;
    const { host, queue } = await hostFor(
      async () => {
        mostInFlight = Math.max(mostInFlight, ++inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight -= 1;
      },
      { ...DEFAULT_QUEUE_HOST_SETTINGS, visibilityTimeoutInSeconds: 0, batchSize: 3 },
    );
    for (let n = 0; n < 8; n++) await queue.sendMessage(base64(`{"n":${n}}`));
    expect(await host.drain()).toBe(8);
    expect(mostInFlight).toBe(3);
  });

  // As the Functions host: running, it does not wait for a whole batch to finish; it fetches the next one once the
  // messages still running fall to newBatchThreshold, so at most batchSize + newBatchThreshold run at once.
  it('running, fetches the next batch when the running messages fall to newBatchThreshold, and never runs more than batchSize + newBatchThreshold', async () => {
    const gates: (() => void)[] = [];
    let running = 0;
    let mostRunning = 0;
    let finished = 0;
    const { host, queue } = await hostFor(
      async () => {
        mostRunning = Math.max(mostRunning, ++running);
        await new Promise<void>((resolve) => gates.push(resolve));
        running -= 1;
        finished += 1;
      },
      { ...DEFAULT_QUEUE_HOST_SETTINGS, visibilityTimeoutInSeconds: 0, batchSize: 4, newBatchThreshold: 2 },
    );
    for (let n = 0; n < 20; n++) await queue.sendMessage(base64(`{"n":${n}}`));
    host.start();
    try {
      await vi.waitFor(() => expect(running).toBe(4), { timeout: 10_000 });
      // One finishes: three still run, above the threshold, so no batch is fetched.
      gates.shift()?.();
      await vi.waitFor(() => expect(finished).toBe(1));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(running).toBe(3);
      // A second finishes: two run, the threshold, and the next batch of four comes while they still run.
      gates.shift()?.();
      await vi.waitFor(() => expect(running).toBe(6), { timeout: 10_000 });
      // Release the rest as they come; never more than six at once.
      await vi.waitFor(
        () => {
          while (gates.length > 0) gates.shift()?.();
          expect(finished).toBe(20);
        },
        { timeout: 20_000, interval: 20 },
      );
      expect(mostRunning).toBe(6);
    } finally {
      while (gates.length > 0) gates.shift()?.();
      await host.stop();
    }
  });

  it('leaves the text as it is with messageEncoding none', async () => {
    const seen: unknown[] = [];
    const { host, queue } = await hostFor((input) => void seen.push(input), { ...DEFAULT_QUEUE_HOST_SETTINGS, messageEncoding: 'none' });
    await queue.sendMessage('{"raw":true}');
    await host.drain();
    expect(seen).toEqual([{ raw: true }]);
  });
});

describe('host.json queue settings', () => {
  it('are the project host.json, whose maxDequeueCount the sync counts on', async () => {
    const settings = await readQueueHostSettings(join(import.meta.dirname, '..', '..'));
    expect(settings).toEqual({ messageEncoding: 'base64', maxDequeueCount: MAX_DEQUEUE_COUNT, visibilityTimeoutInSeconds: 30, batchSize: 16, newBatchThreshold: 8, maxPollingIntervalInMs: 2_000 });
  });

  it('fall back to the host defaults and read time spans with days', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hostjson-'));
    await writeFile(join(dir, 'host.json'), JSON.stringify({ version: '2.0' }));
    expect(await readQueueHostSettings(dir)).toEqual(DEFAULT_QUEUE_HOST_SETTINGS);
    await writeFile(join(dir, 'host.json'), JSON.stringify({ extensions: { queues: { visibilityTimeout: '1.00:01:05' } } }));
    expect((await readQueueHostSettings(dir)).visibilityTimeoutInSeconds).toBe(86_465);
    await writeFile(join(dir, 'host.json'), JSON.stringify({ extensions: { queues: { batchSize: 6 } } }));
    expect(await readQueueHostSettings(dir)).toMatchObject({ batchSize: 6, newBatchThreshold: 3 });
    await writeFile(join(dir, 'host.json'), JSON.stringify({ extensions: { queues: { batchSize: 6, newBatchThreshold: 1 } } }));
    expect(await readQueueHostSettings(dir)).toMatchObject({ batchSize: 6, newBatchThreshold: 1 });
    // maxPollingInterval: 1 minute unless set, never under the host's 100 ms.
    expect(DEFAULT_QUEUE_HOST_SETTINGS.maxPollingIntervalInMs).toBe(60_000);
    await writeFile(join(dir, 'host.json'), JSON.stringify({ extensions: { queues: { maxPollingInterval: '00:01:30' } } }));
    expect((await readQueueHostSettings(dir)).maxPollingIntervalInMs).toBe(90_000);
    await writeFile(join(dir, 'host.json'), JSON.stringify({ extensions: { queues: { maxPollingInterval: '00:00:00' } } }));
    expect((await readQueueHostSettings(dir)).maxPollingIntervalInMs).toBe(100);
    await writeFile(join(dir, 'host.json'), JSON.stringify({ extensions: { queues: { maxPollingInterval: '2000' } } }));
    await expect(readQueueHostSettings(dir)).rejects.toThrow(/maxPollingInterval "2000" is not a time span/);
    await writeFile(join(dir, 'host.json'), JSON.stringify({ extensions: { queues: { visibilityTimeout: '30s' } } }));
    await expect(readQueueHostSettings(dir)).rejects.toThrow(/not a time span/);
  });
});
