// What a step may answer and what the run keeps of it: counters add up, samples and errors keep their first entries
// (cut to a bounded length), the planner may turn a delta run into a full one and sees whether it is a dry run; an
// answer the run cannot keep (unknown counter, too many or oversized follow-ups, a reserved kind) fails the run with
// the reason instead of stranding it.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSettings } from '../../../shared/config.js';
import type { SyncRunRecord } from '../../../shared/storage/sync-run-repository.js';
import type { TableClients } from '../../../shared/storage/table-clients.js';
import { applyStepResult, RUN_REPORT_LIMITS, zeroCounters } from '../../../shared/sync-runs/run-results.js';
import { MAX_FOLLOW_UPS_PER_STEP, type SyncRunContext, type SyncStepResult } from '../../../shared/sync-runs/step-handler.js';
import type { SyncStepMessage } from '../../../shared/sync-runs/step-messages.js';
import { createSyncRunServices } from '../../../shared/sync-runs/sync-run-services.js';
import { createFreshTables, dropTables } from '../../support/fresh-tables.js';

let tables: TableClients;
beforeAll(async () => {
  tables = await createFreshTables();
});
afterAll(async () => {
  await dropTables(tables);
});

function emptyRun(): SyncRunRecord {
  return { integrationId: 'i', runId: 'r', kind: 'delta', dryRun: false, trigger: 'admin', status: 'running', phase: 0, outstandingSteps: 1, stepsCompleted: 0, queuedAt: '', counters: zeroCounters(), samples: {}, errors: [], errorCount: 0 };
}

describe('folding a step answer into the run', () => {
  it('adds counters, keeps the first samples and errors, counts every error, and records the kind', () => {
    const run = emptyRun();
    const at = new Date('2026-12-02T00:00:00Z');
    const long = 'x'.repeat(2000);
    for (let i = 0; i < 30; i++) {
      applyStepResult(run, { counters: { usersSeen: 2 }, samples: { unmatchedUsers: [`u${i}`] }, errors: [{ message: i === 0 ? long : `e${i}`, requestId: `r${i}` }] }, 'page', at);
    }
    applyStepResult(run, { kind: 'full' }, 'start', at);
    expect(run.counters.usersSeen).toBe(60);
    expect(run.samples.unmatchedUsers).toHaveLength(RUN_REPORT_LIMITS.samplesPerList);
    expect(run.samples.unmatchedUsers?.[0]).toBe('u0');
    expect(run.errors).toHaveLength(RUN_REPORT_LIMITS.errors);
    expect(run.errors[0]?.message).toHaveLength(RUN_REPORT_LIMITS.textLength);
    expect(run.errors[1]).toEqual({ message: 'e1', requestId: 'r1', stepKind: 'page', at: at.toISOString() });
    expect(run.errorCount).toBe(30);
    expect(run.kind).toBe('full');
    expect(run.stepsCompleted).toBe(31);
  });
});

describe('answers through the processor', () => {
  async function runWith(answer: (run: SyncRunContext) => SyncStepResult, dryRun = false) {
    const sent: SyncStepMessage[] = [];
    const contexts: SyncRunContext[] = [];
    const sync = createSyncRunServices({ tables }, parseSettings({ AzureWebJobsStorage: process.env.AzureWebJobsStorage }), {
      queue: { name: 'memory', send: (message) => Promise.resolve(void sent.push(message)) },
      handler: () => ({
        handle: (run) => {
          contexts.push(run);
          return Promise.resolve(answer(run));
        },
      }),
    });
    const integrationId = `i${randomBytes(6).toString('hex')}`;
    const started = await sync.runs.start({ integrationId, full: false, dryRun, trigger: 'admin' });
    const outcome = await sync.processor.process(sent[0], { dequeueCount: 1 }, { info: () => undefined, warn: () => undefined });
    return { outcome, run: await sync.runs.get(integrationId, started.runId), contexts, sent };
  }

  it('tells the planner the run it belongs to, and lets it make a delta run full', async () => {
    const { run, contexts } = await runWith(() => ({ kind: 'full' }), true);
    expect(contexts[0]).toMatchObject({ kind: 'delta', dryRun: true, phase: 0 });
    expect(run).toMatchObject({ kind: 'full', status: 'running', startedAt: expect.any(String) });
  });

  it.each<[string, SyncStepResult, RegExp]>([
    ['an unknown counter', { counters: { usersSeen: 1, groupsInvented: 2 } as never }, /unknown counter "groupsInvented"/],
    ['a negative counter', { counters: { usersSeen: -1 } }, /counter "usersSeen" is not a whole number/],
    ['an unknown sample list', { samples: { favourites: ['a'] } as never }, /unknown sample list "favourites"/],
    ['too many follow-ups', { followUps: Array.from({ length: MAX_FOLLOW_UPS_PER_STEP + 1 }, () => ({ kind: 'page', payload: {} })) }, /1001 follow-up steps/],
    ['a reserved kind', { followUps: [{ kind: 'drained', payload: {} }] }, /reserved kind "drained"/],
    ['a payload too big for a queue message', { followUps: [{ kind: 'page', payload: { blob: 'x'.repeat(60_000) } }] }, /bytes once encoded/],
    ['a malformed kind', { followUps: [{ kind: '', payload: {} }] }, /follow-up 0 \(kind/],
  ])('fails the run at once for %s', async (_what, answer, reason) => {
    const { outcome, run, sent } = await runWith(() => answer);
    expect(outcome.kind).toBe('runFailed');
    expect(run?.status).toBe('failed');
    expect(run?.failureReason).toMatch(reason);
    expect(sent).toHaveLength(1);
  });

  it('drops a poison message that is not a step', async () => {
    const sync = createSyncRunServices({ tables }, parseSettings({ AzureWebJobsStorage: process.env.AzureWebJobsStorage }), { queue: { name: 'memory', send: () => Promise.resolve() } });
    expect(await sync.processor.processPoison('garbage')).toMatchObject({ kind: 'dropped', reason: expect.stringContaining('not JSON') });
  });
});
