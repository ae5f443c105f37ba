// The interface a sync planner implements to run on the queue: it receives one step of one run and answers what the
// step counted and which steps follow. The machinery (step-processor.ts) gives every follow-up its id, sends it,
// counts each step once however often it is delivered, and ends the run when nothing is left.
//
// A run begins with one `start` step. Whenever every step sent so far is committed, the machinery sends a `drained`
// step (payload `{ "phase": n }`, n = 0, 1, ...): a barrier where the planner may begin the next phase (answer its
// first steps) or finish (answer none: the run has succeeded). A step must be idempotent: it may be delivered again
// after it did its writes, and if so its answer may differ (only the committed answer counts).
import type { SyncRunKind } from '../storage/sync-run-repository.js';
import type { SyncCounterName, SyncSampleName } from './run-results.js';
import { DRAINED_STEP, START_STEP, type SyncStepRequest } from './step-messages.js';

export interface SyncRunContext {
  readonly integrationId: string;
  readonly runId: string;
  /** `full` when the admin asked for it; the planner may turn a `delta` run into `full` (SyncStepResult.kind). */
  readonly kind: SyncRunKind;
  /** Compute everything, write nothing to the directory. */
  readonly dryRun: boolean;
  readonly phase: number;
}

export interface SyncStep {
  readonly id: string;
  readonly kind: string;
  readonly payload: SyncStepRequest['payload'];
  /** 1 on the first delivery; MAX_DEQUEUE_COUNT on the last before the poison queue. */
  readonly dequeueCount: number;
}

export interface SyncStepError {
  readonly message: string;
  readonly requestId?: string;
}

export interface SyncStepResult {
  /** Steps to run next (at most MAX_FOLLOW_UPS_PER_STEP; each payload a small JSON value). */
  readonly followUps?: readonly SyncStepRequest[];
  /** Added to the run's counters. */
  readonly counters?: Partial<Record<SyncCounterName, number>>;
  /** Appended to the run's bounded sample lists (the first unmatched users, a dry run's first changes). */
  readonly samples?: Partial<Record<SyncSampleName, readonly string[]>>;
  /** Problems that did not stop the step (e.g. one group Graph refused), kept with Graph's request id. */
  readonly errors?: readonly SyncStepError[];
  /** What the run turned out to be (a delta run without a usable delta link becomes `full`). */
  readonly kind?: SyncRunKind;
}

export interface SyncStepLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface SyncStepHandler {
  handle(run: SyncRunContext, step: SyncStep, log: SyncStepLog): Promise<SyncStepResult>;
}

/** A step that cannot succeed however often it is tried (a missing permission, a revoked secret): the run fails now. */
export class SyncStepFailedError extends Error {
  constructor(
    message: string,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'SyncStepFailedError';
  }
}

export const MAX_FOLLOW_UPS_PER_STEP = 1000;

/** Until a planner is installed, every run fails at once with this reason (rather than retrying five times). */
const noPlanner: SyncStepHandler = {
  handle: () => Promise.reject(new SyncStepFailedError('No Graph sync planner is installed in this version of the app.')),
};

let installed: SyncStepHandler = noPlanner;

/** The handler the queue function runs. */
export function syncStepHandler(): SyncStepHandler {
  return installed;
}

/** Installs the planner (at module load of the function app), or a test's handler; undefined restores the default. */
export function useSyncStepHandler(handler: SyncStepHandler | undefined): void {
  installed = handler ?? noPlanner;
}

export { DRAINED_STEP, START_STEP };
