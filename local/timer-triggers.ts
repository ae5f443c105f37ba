// Runs the registered timer functions locally on their NCRONTAB schedules (UTC), as the Functions host does: a
// schedule `%NAME%` is read from the app setting NAME, the handler gets the host's Timer object, and `runOnStartup`
// fires once at start. `runDue(now)` lets tests fire what is due at a time they choose, without waiting.
import type { Timer } from '@azure/functions';
import { type NcrontabSchedule, nextOccurrence, parseNcrontab } from '../shared/sync-runs/ncrontab.js';
import type { FunctionRegistration, Registry, TimerTriggerBinding } from './functions-core.js';
import { createInvocationContext, invokeFunction } from './invocation.js';

export interface TimerTriggerHostOptions {
  readonly registry: Registry;
  /** App settings, for `%NAME%` schedules. */
  readonly setting: (name: string) => string | undefined;
  readonly now?: () => Date;
  readonly log?: (line: string) => void;
}

interface ScheduledTimer {
  readonly registration: FunctionRegistration<TimerTriggerBinding>;
  readonly schedule: NcrontabSchedule;
  last: Date | undefined;
  next: Date | undefined;
}

/** setTimeout's longest delay is about 24.8 days; we wake at least hourly and look again. */
const MAX_SLEEP_MS = 60 * 60 * 1000;

/** `%NAME%` → the app setting NAME; anything else as written. */
export function resolveSchedule(schedule: string, setting: (name: string) => string | undefined): string {
  const match = /^%([^%]+)%$/.exec(schedule.trim());
  if (match?.[1] === undefined) return schedule;
  const value = setting(match[1]);
  if (value === undefined || value.trim() === '') throw new Error(`The timer schedule ${schedule} needs the app setting ${match[1]}.`);
  return value;
}

export class TimerTriggerHost {
  private readonly timers: ScheduledTimer[];
  private readonly now: () => Date;
  private readonly log: (line: string) => void;
  private handle: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: TimerTriggerHostOptions) {
    this.now = options.now ?? (() => new Date());
    this.log = options.log ?? ((line) => console.log(line));
    const start = this.now();
    this.timers = options.registry.timerFunctions().map((registration) => {
      const schedule = parseNcrontab(resolveSchedule(registration.trigger.schedule, options.setting));
      return { registration, schedule, last: undefined, next: nextOccurrence(schedule, start) };
    });
  }

  /** Function name, schedule and next occurrence of every timer, for the banner. */
  describe(): { functionName: string; schedule: string; next: Date | undefined }[] {
    return this.timers.map((timer) => ({ functionName: timer.registration.name, schedule: timer.schedule.expression, next: timer.next }));
  }

  /** Runs every timer whose next occurrence is at or before `now` (once, however many were missed). */
  async runDue(now: Date = this.now()): Promise<string[]> {
    const due = this.timers.filter((timer) => timer.next !== undefined && timer.next.getTime() <= now.getTime());
    for (const timer of due) {
      const pastDue = timer.next !== undefined && now.getTime() - timer.next.getTime() > 1000;
      const next = nextOccurrence(timer.schedule, now);
      await this.invoke(timer, pastDue, next);
      timer.last = now;
      timer.next = next;
    }
    return due.map((timer) => timer.registration.name);
  }

  /** Fires the `runOnStartup` timers, then sleeps until each next occurrence. */
  start(): void {
    this.stopped = false;
    for (const timer of this.timers.filter((t) => t.registration.trigger.runOnStartup === true)) {
      this.running = this.running.then(() => this.invoke(timer, false, timer.next));
    }
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.handle !== undefined) clearTimeout(this.handle);
    this.handle = undefined;
    await this.running;
  }

  private schedule(): void {
    const nexts = this.timers.flatMap((timer) => (timer.next === undefined ? [] : [timer.next.getTime()]));
    if (nexts.length === 0) return;
    const delay = Math.min(Math.max(0, Math.min(...nexts) - this.now().getTime()), MAX_SLEEP_MS);
    this.handle = setTimeout(() => {
      this.running = this.running
        .then(() => this.runDue())
        .then(() => {
          if (!this.stopped) this.schedule();
        });
    }, delay);
    this.handle.unref();
  }

  private async invoke(timer: ScheduledTimer, isPastDue: boolean, next: Date | undefined): Promise<void> {
    const now = this.now();
    const input: Timer = {
      isPastDue,
      schedule: { adjustForDST: false },
      scheduleStatus: { last: (timer.last ?? now).toISOString(), next: (next ?? now).toISOString(), lastUpdated: now.toISOString() },
    };
    const context = createInvocationContext(timer.registration, { log: this.log });
    try {
      await invokeFunction(this.options.registry, timer.registration, [input], context);
    } catch (error) {
      this.log(`[timer host] ${timer.registration.name} failed: ${(error as Error).message}`);
    }
  }
}
