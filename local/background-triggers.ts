// The local host's non-HTTP triggers: the timer functions on their schedules and the queue functions polling Azurite,
// started together after the HTTP host, listed in the banner, stopped on shutdown.
import type { Registry } from './functions-core.js';
import { QueueTriggerHost, readQueueHostSettings } from './queue-triggers.js';
import { TimerTriggerHost } from './timer-triggers.js';

export interface BackgroundTriggers {
  /** Banner lines: one per timer and queue function, and one per registered trigger type nobody runs. */
  describe(): string[];
  stop(): Promise<void>;
}

export interface StartBackgroundTriggersOptions {
  readonly registry: Registry;
  /** The project root (host.json). */
  readonly root: string;
  readonly setting: (name: string) => string | undefined;
  readonly log?: (line: string) => void;
}

export async function startBackgroundTriggers(options: StartBackgroundTriggersOptions): Promise<BackgroundTriggers> {
  const log = options.log ?? ((line: string) => console.log(line));
  const timers = new TimerTriggerHost({ registry: options.registry, setting: options.setting, log });
  const queues = new QueueTriggerHost({ registry: options.registry, connectionString: options.setting, settings: await readQueueHostSettings(options.root), log });
  await queues.ensureQueues();
  timers.start();
  queues.start();
  const served = new Set(['httptrigger', 'timertrigger', 'queuetrigger']);
  return {
    describe: () => [
      ...timers.describe().map((t) => `  timer  ${t.schedule.padEnd(20)} next ${t.next?.toISOString() ?? 'never'}  ${t.functionName}`),
      ...queues.describe().map((q) => `  queue  ${q.queueName.padEnd(20)} (Azurite)  ${q.functionName}`),
      ...options.registry.functions
        .filter((f) => !served.has(f.trigger.type.toLowerCase()))
        .map((f) => `  ${f.trigger.type} (not run by the local host)  ${f.name}`),
    ],
    async stop() {
      await Promise.all([timers.stop(), queues.stop()]);
    },
  };
}
