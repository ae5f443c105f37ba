// Starting, reading and failing runs. A run starts by taking its integration's lock and writing its record in one
// transaction, then sending its `start` step; a second start while the lock is held is refused
// (SyncRunInProgressError: a 409 from the admin route, a skip with a log line from the timer). A lock whose run
// stopped committing steps expires; the run that takes it over marks the dead run failed.
import { randomBytes } from 'node:crypto';
import { retryConcurrentUpdates } from '../directory/write-retries.js';
import { ConcurrentUpdateError, KeyTakenError } from '../storage/storage-errors.js';
import type { SyncRunKind, SyncRunRecord, SyncRunRepository, SyncRunTrigger } from '../storage/sync-run-repository.js';
import { addRunError, runError, zeroCounters } from './run-results.js';
import { DEFAULT_LOCK_OPTIONS, isExpired, newLock, type SyncLockOptions } from './run-lock.js';
import { START_STEP, START_STEP_ID } from './step-messages.js';
import type { StepQueue } from './step-queue.js';

/** Run ids sort newest first: the milliseconds left until year 5138 in base 36 (9 digits), then 8 random hex digits. */
const RUN_ID_CLOCK_END_MS = 36 ** 9 - 1;
export const RUN_ID_PATTERN = /^[0-9a-z]{9}[0-9a-f]{8}$/;

/** The first 9 characters of the ids of runs queued at `at`: runs queued earlier have greater ids. */
export function runIdClock(at: Date): string {
  return (RUN_ID_CLOCK_END_MS - at.getTime()).toString(36).padStart(9, '0');
}

export function newRunId(now: Date): string {
  return runIdClock(now) + randomBytes(4).toString('hex');
}

export class SyncRunInProgressError extends Error {
  constructor(
    readonly integrationId: string,
    readonly runningRunId: string,
    readonly lockExpiresAt: string,
  ) {
    super(`Sync run ${runningRunId} of integration ${integrationId} is still in progress; a new run can start once it ends (or, if it stopped making progress, after ${lockExpiresAt}).`);
    this.name = 'SyncRunInProgressError';
  }
}

export interface StartRunInput {
  readonly integrationId: string;
  readonly full: boolean;
  readonly dryRun: boolean;
  readonly trigger: SyncRunTrigger;
}

export interface SyncRunsOptions {
  readonly now?: () => Date;
  readonly lock?: SyncLockOptions;
}

/** Reads of the lock before a start gives up (each lost a race to another start, which then normally holds it). */
const MAX_LOCK_ATTEMPTS = 5;

export const isEnded = (run: SyncRunRecord): boolean => run.status === 'succeeded' || run.status === 'failed';

export class SyncRuns {
  readonly now: () => Date;
  readonly lockOptions: SyncLockOptions;

  constructor(
    private readonly repository: SyncRunRepository,
    private readonly queue: StepQueue,
    options: SyncRunsOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.lockOptions = options.lock ?? DEFAULT_LOCK_OPTIONS;
  }

  /** Takes the integration's lock, records the run as queued and sends its first step. */
  async start(input: StartRunInput): Promise<SyncRunRecord> {
    const now = this.now();
    const run = this.newRun(input, now);
    const lock = newLock(input.integrationId, run.runId, now, this.lockOptions);
    const replaced = await this.takeLock(run, lock, now);
    if (replaced !== undefined) {
      await this.fail(input.integrationId, replaced, `The run stopped making progress: no step committed before its lock expired, and run ${run.runId} took over.`);
    }
    try {
      await this.queue.send({ v: 1, integrationId: input.integrationId, runId: run.runId, stepId: START_STEP_ID, kind: START_STEP, payload: {} });
    } catch (error) {
      await this.fail(input.integrationId, run.runId, 'The run could not send its first step to the queue.');
      throw error;
    }
    return run;
  }

  async get(integrationId: string, runId: string): Promise<SyncRunRecord | undefined> {
    if (!RUN_ID_PATTERN.test(runId)) return undefined;
    return this.repository.getRun(integrationId, runId);
  }

  async list(integrationId: string, top: number, after?: string): Promise<{ runs: SyncRunRecord[]; more: boolean }> {
    return this.repository.listRuns(integrationId, top, after);
  }

  /**
   * Marks a queued or running run failed with `reason` and releases its lock if it still holds it. Returns false when
   * the run is unknown or had already ended.
   */
  async fail(integrationId: string, runId: string, reason: string, details: { requestId?: string; stepKind?: string } = {}): Promise<boolean> {
    return retryConcurrentUpdates(`run ${runId}`, async () => {
      const [run, lock] = await Promise.all([this.repository.getRun(integrationId, runId), this.repository.getLock(integrationId)]);
      if (run === undefined || isEnded(run)) return false;
      const now = this.now();
      run.status = 'failed';
      run.endedAt = now.toISOString();
      run.failureReason = reason;
      addRunError(run, runError({ message: reason, ...(details.requestId === undefined ? {} : { requestId: details.requestId }) }, details.stepKind ?? 'run', now));
      await this.repository.writeRun(run, lock?.runId === runId && lock.releasedAt === undefined ? { lock: { release: lock, at: run.endedAt } } : {});
      return true;
    });
  }

  private newRun(input: StartRunInput, now: Date): SyncRunRecord {
    const kind: SyncRunKind = input.full ? 'full' : 'delta';
    return {
      integrationId: input.integrationId,
      runId: newRunId(now),
      kind,
      dryRun: input.dryRun,
      trigger: input.trigger,
      status: 'queued',
      phase: 0,
      outstandingSteps: 1,
      stepsCompleted: 0,
      queuedAt: now.toISOString(),
      counters: zeroCounters(),
      samples: {},
      errors: [],
      errorCount: 0,
    };
  }

  /** Writes the run with the lock; returns the id of a run whose expired lock it took over. */
  private async takeLock(run: SyncRunRecord, lock: ReturnType<typeof newLock>, now: Date): Promise<string | undefined> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.repository.getLock(run.integrationId);
      // A released lock is free at once, whatever the clock of the instance that released it said.
      if (current !== undefined && current.releasedAt === undefined && !isExpired(current, now)) throw new SyncRunInProgressError(run.integrationId, current.runId, current.expiresAt);
      try {
        await this.repository.createRunHoldingLock(run, lock, current);
        return current?.releasedAt === undefined ? current?.runId : undefined;
      } catch (error) {
        // Another start won the race for the lock: read it again, which refuses this start.
        if (!(error instanceof KeyTakenError) && !(error instanceof ConcurrentUpdateError)) throw error;
        if (attempt === MAX_LOCK_ATTEMPTS) throw error;
      }
    }
  }
}
