// The `graph-sync` queue kept in this process, for `npm run sync`: the run machinery sends its steps here instead of
// to Azure Storage, and drainSteps delivers them to the real step processor (the same one the queue trigger calls),
// several at a time, until none is left. A delivery that throws is tried again later, as the host would, and after
// MAX_DEQUEUE_COUNT tries goes through the poison handling (its run marked failed with the reason).
import { encodeStepMessage, MAX_DEQUEUE_COUNT, type SyncStepMessage } from '../shared/sync-runs/step-messages.js';
import type { SyncStepLog } from '../shared/sync-runs/step-handler.js';
import type { StepOutcome, SyncStepProcessor } from '../shared/sync-runs/step-processor.js';
import type { StepQueue } from '../shared/sync-runs/step-queue.js';

interface Delivery {
  readonly message: SyncStepMessage;
  /** Deliveries made so far. */
  readonly tries: number;
}

export class InProcessStepQueue implements StepQueue {
  readonly name = 'graph-sync (in process)';
  private readonly pending: Delivery[] = [];

  /** Encoded once, so a message the Azure queue would refuse (too large) fails here too. */
  send(message: SyncStepMessage): Promise<void> {
    encodeStepMessage(message);
    this.pending.push({ message, tries: 0 });
    return Promise.resolve();
  }

  get size(): number {
    return this.pending.length;
  }

  take(): Delivery | undefined {
    return this.pending.shift();
  }

  retry(delivery: Delivery): void {
    this.pending.push(delivery);
  }
}

export interface DrainOptions {
  /** Steps processed at once (default 8, as a few queue-triggered instances would). */
  readonly concurrency?: number;
  /** Wait before a failed step is delivered again (default 1 s; the host waits its visibility timeout). */
  readonly retryDelayMs?: number;
  readonly log?: SyncStepLog;
  /** After each delivery. */
  readonly onDelivery?: (outcome: StepOutcome | { kind: 'retry'; error: unknown }) => void;
}

const silent: SyncStepLog = { info: () => undefined, warn: () => undefined };

/** Delivers every queued step, and every step those send, until the queue is empty and no step is running. */
export async function drainSteps(processor: SyncStepProcessor, queue: InProcessStepQueue, options: DrainOptions = {}): Promise<void> {
  const log = options.log ?? silent;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  let running = 0;
  let waiters: (() => void)[] = [];
  const changed = () => new Promise<void>((resolve) => waiters.push(resolve));
  const notify = () => {
    const woken = waiters;
    waiters = [];
    for (const wake of woken) wake();
  };

  const deliver = async (delivery: Delivery): Promise<void> => {
    const dequeueCount = delivery.tries + 1;
    // (Awaited before the optional call: `f?.(await x)` skips `x` when there is no `f`.)
    let outcome: StepOutcome;
    try {
      outcome = await processor.process(delivery.message, { dequeueCount }, log);
    } catch (error) {
      if (dequeueCount >= MAX_DEQUEUE_COUNT) {
        const poisoned = await processor.processPoison(delivery.message);
        options.onDelivery?.(poisoned);
        return;
      }
      options.onDelivery?.({ kind: 'retry', error });
      if (retryDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, retryDelayMs * dequeueCount));
      queue.retry({ message: delivery.message, tries: dequeueCount });
      return;
    }
    options.onDelivery?.(outcome);
  };

  const worker = async (): Promise<void> => {
    for (;;) {
      const delivery = queue.take();
      if (delivery === undefined) {
        if (running === 0) return;
        await changed();
        continue;
      }
      running += 1;
      try {
        await deliver(delivery);
      } finally {
        running -= 1;
        notify();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 8) }, worker));
}
