// What a run reports, and how one committed step's answer is folded into it: counters add up, sample lists and
// errors keep their first entries only (a run over 100,000 users must not grow its row without bound).
import type { SyncRunError, SyncRunRecord } from '../storage/sync-run-repository.js';
import type { SyncStepError, SyncStepResult } from './step-handler.js';

export const SYNC_COUNTER_NAMES = [
  'usersSeen',
  'usersMatched',
  'usersUnmatched',
  'groupsSeen',
  'groupsCreated',
  'groupsUpdated',
  'groupsRemoved',
  'membershipsAdded',
  'membershipsRemoved',
  'attributesChanged',
  'graphRequests',
  'throttledWaits',
  'throttledWaitMs',
] as const;
export type SyncCounterName = (typeof SYNC_COUNTER_NAMES)[number];

export const SYNC_SAMPLE_NAMES = ['unmatchedUsers', 'changes'] as const;
export type SyncSampleName = (typeof SYNC_SAMPLE_NAMES)[number];

/** Entries kept per sample list, errors kept, and characters kept of one entry or message. */
export const RUN_REPORT_LIMITS = { samplesPerList: 20, errors: 20, textLength: 500 } as const;

export const zeroCounters = (): Record<SyncCounterName, number> =>
  Object.fromEntries(SYNC_COUNTER_NAMES.map((name) => [name, 0])) as Record<SyncCounterName, number>;

const clip = (text: string): string => (text.length > RUN_REPORT_LIMITS.textLength ? `${text.slice(0, RUN_REPORT_LIMITS.textLength - 1)}…` : text);

/** A problem in the step result that the planner must fix (a counter that is not a count, an unknown name). */
export function resultProblem(result: SyncStepResult): string | undefined {
  for (const [name, value] of Object.entries(result.counters ?? {})) {
    if (!(SYNC_COUNTER_NAMES as readonly string[]).includes(name)) return `unknown counter "${name}"`;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) return `counter "${name}" is not a whole number ≥ 0`;
  }
  for (const name of Object.keys(result.samples ?? {})) {
    if (!(SYNC_SAMPLE_NAMES as readonly string[]).includes(name)) return `unknown sample list "${name}"`;
  }
  return undefined;
}

export function runError(error: SyncStepError, stepKind: string, at: Date): SyncRunError {
  return { message: clip(error.message), ...(error.requestId === undefined ? {} : { requestId: error.requestId }), stepKind, at: at.toISOString() };
}

/** Records an error on the run: the first RUN_REPORT_LIMITS.errors are kept, all are counted. */
export function addRunError(run: SyncRunRecord, error: SyncRunError): void {
  if (run.errors.length < RUN_REPORT_LIMITS.errors) run.errors.push(error);
  run.errorCount += 1;
}

/** Folds one step's answer into the run (the caller writes it, once, with the step's marker). */
export function applyStepResult(run: SyncRunRecord, result: SyncStepResult, stepKind: string, at: Date): void {
  for (const [name, value] of Object.entries(result.counters ?? {})) run.counters[name] = (run.counters[name] ?? 0) + (value ?? 0);
  for (const [name, entries] of Object.entries(result.samples ?? {})) {
    const list = run.samples[name] ?? [];
    for (const entry of entries ?? []) if (list.length < RUN_REPORT_LIMITS.samplesPerList) list.push(clip(entry));
    run.samples[name] = list;
  }
  for (const error of result.errors ?? []) addRunError(run, runError(error, stepKind, at));
  if (result.kind !== undefined) run.kind = result.kind;
  run.stepsCompleted += 1;
}
