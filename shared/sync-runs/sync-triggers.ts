// The edges of the Graph sync's non-HTTP functions: the timer, the `graph-sync` queue trigger and its poison queue.
// Each adapts the trigger to the run machinery and writes one structured line per step or start (operation
// `sync.<what>`, the integration id, the outcome; the run id and step kind in the detail).
import type { InvocationContext, Timer } from '@azure/functions';
import { logFault, logRequestOutcome, startRequestTimer } from '../observability/request-log.js';
import { startScheduledRuns } from './scheduled-runs.js';
import type { SyncStepLog } from './step-handler.js';
import type { StepOutcome } from './step-processor.js';
import { syncRunServices } from './sync-run-services.js';

function stepLog(context: InvocationContext): SyncStepLog {
  const line = (message: string, fields?: Record<string, unknown>) => (fields === undefined ? message : `${message} ${JSON.stringify(fields)}`);
  return { info: (message, fields) => context.info(line(message, fields)), warn: (message, fields) => context.warn(line(message, fields)) };
}

function dequeueCountOf(context: InvocationContext): number {
  const count = Number(context.triggerMetadata?.dequeueCount ?? 1);
  return Number.isInteger(count) && count > 0 ? count : 1;
}

function describe(outcome: StepOutcome): { status: number; detail: string } {
  const step = outcome.message === undefined ? 'unreadable message' : `run ${outcome.message.runId} step ${outcome.message.kind} ${outcome.message.stepId}`;
  switch (outcome.kind) {
    case 'committed':
      return { status: 200, detail: `${step}: committed, ${outcome.followUps} follow-ups${outcome.runEnded ? ', run succeeded' : ''}` };
    case 'duplicate':
      return { status: 200, detail: `${step}: already committed by an earlier delivery` };
    case 'dropped':
      return { status: outcome.message === undefined ? 400 : 200, detail: `${step}: dropped, ${outcome.reason}` };
    case 'runFailed':
      return { status: 200, detail: `${step}: run failed: ${outcome.reason}` };
  }
}

async function logged(context: InvocationContext, operation: string, work: () => Promise<StepOutcome>): Promise<void> {
  const elapsed = startRequestTimer();
  try {
    const outcome = await work();
    const { status, detail } = describe(outcome);
    const integrationId = outcome.message?.integrationId;
    logRequestOutcome(context, { operation, status, durationMs: elapsed(), detail, ...(integrationId === undefined ? {} : { integrationId }) });
  } catch (error) {
    const correlationId = logFault(context, operation, error);
    logRequestOutcome(context, { operation, status: 500, durationMs: elapsed(), correlationId, detail: `delivery ${dequeueCountOf(context)} failed; the queue retries it` });
    throw error;
  }
}

/** The `graph-sync` queue trigger: one step. Throws to make the host retry (and, after the last try, poison) it. */
export async function handleSyncStepMessage(message: unknown, context: InvocationContext): Promise<void> {
  const { processor } = await syncRunServices();
  await logged(context, 'sync.step', () => processor.process(message, { dequeueCount: dequeueCountOf(context) }, stepLog(context)));
}

/** The `graph-sync-poison` queue trigger: the run of a step that kept failing is marked failed. */
export async function handleSyncPoisonMessage(message: unknown, context: InvocationContext): Promise<void> {
  const { processor } = await syncRunServices();
  await logged(context, 'sync.poison', () => processor.processPoison(message));
}

/** The timer: a run for every enabled Graph integration; an integration whose run is still going is skipped. */
export async function handleSyncTimer(_timer: Timer, context: InvocationContext): Promise<void> {
  const elapsed = startRequestTimer();
  const { integrations, runs } = await syncRunServices();
  const starts = await startScheduledRuns(integrations, runs);
  const count = (outcome: string) => starts.filter((start) => start.outcome === outcome).length;
  logRequestOutcome(context, {
    operation: 'sync.schedule',
    status: 200,
    durationMs: elapsed(),
    detail: `${starts.length} enabled Graph integrations: ${count('started')} started, ${count('skipped')} skipped, ${count('failed')} failed`,
  });
  for (const start of starts) {
    const base = { operation: 'sync.schedule', integrationId: start.integrationId, durationMs: elapsed() };
    if (start.outcome === 'started') logRequestOutcome(context, { ...base, status: 202, detail: `started run ${start.runId}` });
    if (start.outcome === 'skipped') logRequestOutcome(context, { ...base, status: 409, outcome: 'success', detail: `skipped: run ${start.runningRunId} is still in progress` });
    if (start.outcome === 'failed') logRequestOutcome(context, { ...base, status: 500, correlationId: logFault(context, 'sync.schedule', start.error), detail: 'could not start a run' });
  }
}
