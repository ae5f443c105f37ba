// The local timer host: %NAME% schedules from the app settings, the host's Timer object, runOnStartup, past-due runs.
import { describe, expect, it } from 'vitest';
import type { FunctionRegistration, Registry, TimerTriggerBinding } from '../../local/functions-core.js';
import { resolveSchedule, TimerTriggerHost } from '../../local/timer-triggers.js';

function registryWith(schedule: string, handler: (timer: unknown) => unknown, runOnStartup = false): Registry {
  const trigger: TimerTriggerBinding = { type: 'timerTrigger', name: 'timer', direction: 'in', schedule, runOnStartup };
  const registration: FunctionRegistration<TimerTriggerBinding> = { name: 'tick', metadata: { name: 'tick', bindings: { timer: trigger } }, trigger, handler: handler };
  return { timerFunctions: () => [registration], hooks: () => [], appHookData: {} } as unknown as Registry;
}

describe('timer schedules', () => {
  it('resolve %NAME% from the app settings and refuse a missing one', () => {
    expect(resolveSchedule('%S%', (name) => (name === 'S' ? '0 0 2 * * *' : undefined))).toBe('0 0 2 * * *');
    expect(resolveSchedule('0 */5 * * * *', () => undefined)).toBe('0 */5 * * * *');
    expect(() => resolveSchedule('%GRAPH_SYNC_SCHEDULE%', () => undefined)).toThrow('needs the app setting GRAPH_SYNC_SCHEDULE');
  });

  it('refuse an invalid schedule at start', () => {
    expect(() => new TimerTriggerHost({ registry: registryWith('0 0 2 * *', () => undefined), setting: () => undefined })).toThrow(/Invalid NCRONTAB/);
  });
});

describe('the local timer host', () => {
  it('fires when due with the host Timer object, once however late, then waits for the next occurrence', async () => {
    const timers: any[] = [];
    let now = new Date('2026-12-02T10:00:01Z');
    const host = new TimerTriggerHost({ registry: registryWith('0 */10 * * * *', (timer) => void timers.push(timer)), setting: () => undefined, now: () => now, log: () => undefined });
    expect(await host.runDue()).toEqual([]);
    now = new Date('2026-12-02T10:35:00Z');
    expect(await host.runDue()).toEqual(['tick']);
    expect(timers).toEqual([{ isPastDue: true, schedule: { adjustForDST: false }, scheduleStatus: { last: now.toISOString(), next: '2026-12-02T10:40:00.000Z', lastUpdated: now.toISOString() } }]);
    expect(await host.runDue()).toEqual([]);
    now = new Date('2026-12-02T10:40:00Z');
    expect(await host.runDue()).toEqual(['tick']);
    expect(timers[1]).toMatchObject({ isPastDue: false, scheduleStatus: { last: '2026-12-02T10:35:00.000Z', next: '2026-12-02T10:50:00.000Z' } });
  });

  it('runs a runOnStartup timer at start, and a failing handler does not stop it', async () => {
    let calls = 0;
    const lines: string[] = [];
    const host = new TimerTriggerHost({
      registry: registryWith('0 0 0 1 1 *', () => {
        calls += 1;
        throw new Error('boom');
      }, true),
      setting: () => undefined,
      log: (line) => lines.push(line),
    });
    host.start();
    await host.stop();
    expect(calls).toBe(1);
    expect(lines).toEqual(['[timer host] tick failed: boom']);
  });
});
