// Runs the registered storage-queue functions locally against Azurite queues the way the Functions host does
// (host.json `extensions.queues`): messages are received in batches with a visibility timeout, decoded per
// `messageEncoding` (base64 by default), handed over as parsed JSON when they are JSON, deleted on success, made
// visible again after `visibilityTimeout` on failure, and moved to `<queue>-poison` once a message has been
// delivered `maxDequeueCount` times. Running (`start`), it fetches the next batch once the messages still running
// fall to `newBatchThreshold`, so at most batchSize + newBatchThreshold run at once, as the host does. `pollOnce` and
// `drain` let tests run it without timers, one whole batch at a time.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type DequeuedMessageItem, QueueClient } from '@azure/storage-queue';
import { z } from 'zod';
import type { FunctionRegistration, QueueTriggerBinding, Registry } from './functions-core.js';
import { createInvocationContext, invokeFunction } from './invocation.js';

export interface QueueHostSettings {
  readonly messageEncoding: 'base64' | 'none';
  readonly maxDequeueCount: number;
  readonly visibilityTimeoutInSeconds: number;
  readonly batchSize: number;
  /** Running messages at or below which the next batch is fetched. */
  readonly newBatchThreshold: number;
  /** The longest wait between polls of an idle queue (the host backs off to it; 1 minute unless host.json says). */
  readonly maxPollingIntervalInMs: number;
}

/**
 * The host's defaults (https://learn.microsoft.com/azure/azure-functions/functions-bindings-storage-queue#hostjson-settings);
 * newBatchThreshold is batchSize / 2 on the Consumption plan (one instance's share: N × batchSize / 2 for N vCPUs
 * on the others).
 */
export const DEFAULT_QUEUE_HOST_SETTINGS: QueueHostSettings = { messageEncoding: 'base64', maxDequeueCount: 5, visibilityTimeoutInSeconds: 0, batchSize: 16, newBatchThreshold: 8, maxPollingIntervalInMs: 60_000 };

/** How long a received message stays invisible while its function runs (the host renews its lease; we do not). */
const PROCESSING_LEASE_SECONDS = 600;
/** The shortest wait between polls, which is also the host's lower bound for maxPollingInterval. */
const MIN_POLL_INTERVAL_MS = 100;

const timeSpanPattern = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})$/;

function timeSpanSeconds(value: string, name: string): number {
  const match = timeSpanPattern.exec(value);
  if (match === null) throw new Error(`host.json extensions.queues.${name} "${value}" is not a time span such as 00:00:30`);
  const [, days = '0', hours = '0', minutes = '0', seconds = '0'] = match;
  return ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(seconds);
}

const queuesSchema = z.object({
  extensions: z
    .object({
      queues: z
        .object({
          messageEncoding: z.enum(['base64', 'none']).optional(),
          maxDequeueCount: z.number().int().min(1).optional(),
          visibilityTimeout: z.string().optional(),
          maxPollingInterval: z.string().optional(),
          batchSize: z.number().int().min(1).max(32).optional(),
          newBatchThreshold: z.number().int().min(0).optional(),
        })
        .optional(),
    })
    .optional(),
});

/** host.json `extensions.queues`, with the host's defaults for what it leaves out. */
export async function readQueueHostSettings(root: string): Promise<QueueHostSettings> {
  const parsed = queuesSchema.parse(JSON.parse(await readFile(join(root, 'host.json'), 'utf8')));
  const queues = parsed.extensions?.queues ?? {};
  return {
    messageEncoding: queues.messageEncoding ?? DEFAULT_QUEUE_HOST_SETTINGS.messageEncoding,
    maxDequeueCount: queues.maxDequeueCount ?? DEFAULT_QUEUE_HOST_SETTINGS.maxDequeueCount,
    visibilityTimeoutInSeconds: queues.visibilityTimeout === undefined ? DEFAULT_QUEUE_HOST_SETTINGS.visibilityTimeoutInSeconds : timeSpanSeconds(queues.visibilityTimeout, 'visibilityTimeout'),
    batchSize: queues.batchSize ?? DEFAULT_QUEUE_HOST_SETTINGS.batchSize,
    newBatchThreshold: queues.newBatchThreshold ?? Math.floor((queues.batchSize ?? DEFAULT_QUEUE_HOST_SETTINGS.batchSize) / 2),
    maxPollingIntervalInMs:
      queues.maxPollingInterval === undefined ? DEFAULT_QUEUE_HOST_SETTINGS.maxPollingIntervalInMs : Math.max(MIN_POLL_INTERVAL_MS, 1000 * timeSpanSeconds(queues.maxPollingInterval, 'maxPollingInterval')),
  };
}

export interface QueueTriggerHostOptions {
  readonly registry: Registry;
  /** The value of a connection setting named by a binding (`AzureWebJobsStorage`). */
  readonly connectionString: (settingName: string) => string | undefined;
  readonly settings?: QueueHostSettings;
  /** Prepended to every queue name, so tests sharing one Azurite each poll queues of their own. */
  readonly queueNamePrefix?: string;
  readonly log?: (line: string) => void;
}

interface Listener {
  readonly registration: FunctionRegistration<QueueTriggerBinding>;
  readonly queue: QueueClient;
  readonly poison: QueueClient;
}

export class QueueTriggerHost {
  private readonly settings: QueueHostSettings;
  private readonly log: (line: string) => void;
  private readonly listeners: Listener[];
  private readonly registry: Registry;
  private loop: Promise<void> | undefined;
  private stopping = false;
  /** Each listener's wait between polls, ended early when a message finishes and by stop(). */
  private readonly wakers = new Set<() => void>();

  constructor(options: QueueTriggerHostOptions) {
    this.settings = options.settings ?? DEFAULT_QUEUE_HOST_SETTINGS;
    this.log = options.log ?? ((line) => console.log(line));
    this.listeners = options.registry.queueFunctions().map((registration) => {
      const settingName = registration.trigger.connection ?? 'AzureWebJobsStorage';
      const connection = options.connectionString(settingName);
      if (connection === undefined) throw new Error(`Queue function ${registration.name} needs the connection setting ${settingName}.`);
      const name = `${options.queueNamePrefix ?? ''}${registration.trigger.queueName}`;
      return { registration, queue: new QueueClient(connection, name), poison: new QueueClient(connection, `${name}-poison`) };
    });
    this.registry = options.registry;
  }

  /** Function name and queue of every queue-triggered function, for the banner. */
  describe(): { functionName: string; queueName: string }[] {
    return this.listeners.map(({ registration, queue }) => ({ functionName: registration.name, queueName: queue.name }));
  }

  /** Creates every polled queue (the host does too). */
  async ensureQueues(): Promise<void> {
    await Promise.all(this.listeners.map((listener) => listener.queue.createIfNotExists()));
  }

  /** Receives one batch from every queue and runs it; returns how many messages were handled. */
  async pollOnce(): Promise<number> {
    const counts = await Promise.all(this.listeners.map((listener) => this.pollQueue(listener)));
    return counts.reduce((sum, count) => sum + count, 0);
  }

  /** Polls until a round finds every queue empty (or `maxRounds` pass); for tests. Returns the messages handled. */
  async drain(maxRounds = 10_000): Promise<number> {
    let total = 0;
    for (let round = 0; round < maxRounds; round++) {
      const handled = await this.pollOnce();
      if (handled === 0) return total;
      total += handled;
    }
    throw new Error(`The queues were still not empty after ${maxRounds} rounds.`);
  }

  /**
   * Polls in the background, every queue on its own: a new batch as soon as the messages still running fall to
   * newBatchThreshold; while messages run and the queue is empty, again when one finishes or MIN_POLL_INTERVAL_MS
   * passes (a finishing step may have sent follow-ups); backing off to host.json's maxPollingInterval when nothing runs.
   */
  start(): void {
    if (this.loop !== undefined) return;
    this.stopping = false;
    this.loop = (async () => {
      await this.ensureQueues();
      await Promise.all(this.listeners.map((listener) => this.listen(listener)));
    })();
  }

  private async listen(listener: Listener): Promise<void> {
    const running = new Set<Promise<void>>();
    let idleMs: number = MIN_POLL_INTERVAL_MS;
    while (!this.stopping) {
      if (running.size > this.settings.newBatchThreshold) {
        await Promise.race(running);
        continue;
      }
      const received = await this.receive(listener).catch((error: unknown) => {
        this.log(`[queue host] polling failed: ${(error as Error).message}`);
        return [];
      });
      for (const message of received) {
        const handled: Promise<void> = this.handle(listener, message)
          .catch((error: unknown) => this.log(`[queue host] ${listener.registration.name}: message ${message.messageId}: ${(error as Error).message}`))
          .finally(() => {
            running.delete(handled);
            for (const wake of [...this.wakers]) wake();
          });
        running.add(handled);
      }
      if (received.length > 0) {
        idleMs = MIN_POLL_INTERVAL_MS;
        continue;
      }
      idleMs = running.size > 0 ? MIN_POLL_INTERVAL_MS : Math.min(idleMs * 2, this.settings.maxPollingIntervalInMs);
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.wakers.delete(wake);
          resolve();
        };
        this.wakers.add(wake);
        setTimeout(wake, idleMs).unref();
      });
    }
    await Promise.all(running);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const wake of [...this.wakers]) wake();
    await this.loop;
    this.loop = undefined;
  }

  private async pollQueue(listener: Listener): Promise<number> {
    const received = await this.receive(listener);
    await Promise.all(received.map((message) => this.handle(listener, message)));
    return received.length;
  }

  private async receive(listener: Listener): Promise<DequeuedMessageItem[]> {
    const { receivedMessageItems } = await listener.queue.receiveMessages({ numberOfMessages: this.settings.batchSize, visibilityTimeout: PROCESSING_LEASE_SECONDS });
    return receivedMessageItems;
  }

  private async handle(listener: Listener, message: DequeuedMessageItem): Promise<void> {
    const { registration, queue } = listener;
    if (message.dequeueCount > this.settings.maxDequeueCount) return this.moveToPoison(listener, message);
    const decoded = this.decode(message.messageText);
    if (decoded === undefined) {
      this.log(`[queue host] ${registration.name}: message ${message.messageId} is not valid base64; moved to ${listener.poison.name}`);
      return this.moveToPoison(listener, message);
    }
    const context = createInvocationContext(registration, {
      log: this.log,
      triggerMetadata: {
        id: message.messageId,
        dequeueCount: message.dequeueCount,
        insertionTime: message.insertedOn.toISOString(),
        expirationTime: message.expiresOn.toISOString(),
        nextVisibleTime: message.nextVisibleOn.toISOString(),
        popReceipt: message.popReceipt,
        queueTrigger: decoded,
      },
    });
    try {
      await invokeFunction(this.registry, registration, [parseLikeTheWorker(decoded)], context);
    } catch (error) {
      this.log(`[queue host] ${registration.name}: delivery ${message.dequeueCount} of message ${message.messageId} failed: ${(error as Error).message}`);
      if (message.dequeueCount >= this.settings.maxDequeueCount) return this.moveToPoison(listener, message);
      await queue.updateMessage(message.messageId, message.popReceipt, undefined, this.settings.visibilityTimeoutInSeconds);
      return undefined;
    }
    await queue.deleteMessage(message.messageId, message.popReceipt);
    return undefined;
  }

  /** As the host does: the original text to `<queue>-poison`, then off the queue. */
  private async moveToPoison(listener: Listener, message: DequeuedMessageItem): Promise<void> {
    await listener.poison.createIfNotExists();
    await listener.poison.sendMessage(message.messageText);
    await listener.queue.deleteMessage(message.messageId, message.popReceipt);
  }

  private decode(text: string): string | undefined {
    if (this.settings.messageEncoding === 'none') return text;
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
    return Buffer.from(text, 'base64').toString('utf8');
  }
}

/** The Node worker hands a string trigger over parsed when it is JSON (`tryJsonParse` in @azure/functions). */
function parseLikeTheWorker(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
