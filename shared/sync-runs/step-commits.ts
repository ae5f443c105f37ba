// Commits finished steps into their run. Every step of a run changes the run's row (counters, outstanding steps), so
// concurrent steps race for its ETag; to keep that race between instances only, the steps one process finishes while
// a commit of the same run is in flight wait and go together in the next one (a group commit): one read of the run and
// lock, one transaction with the run, every step's marker and the lock's renewal or release. A marker that already
// exists (another delivery of the step committed it) fails the transaction: the commit finds which, answers those as
// duplicates and tries again with the rest.
import { retryConcurrentUpdates } from '../directory/write-retries.js';
import {
  MAX_COMMIT_FOLLOW_UPS_JSON_CHARS,
  MAX_MARKERS_PER_COMMIT,
  StepAlreadyCommittedError,
  type StepMarkerRecord,
  type SyncRunRepository,
} from '../storage/sync-run-repository.js';
import { lockStanding } from './run-lock.js';
import { applyStepResult } from './run-results.js';
import type { SyncStepResult } from './step-handler.js';
import { childStepId, DRAINED_STEP, type SyncStepMessage } from './step-messages.js';
import { isEnded, type SyncRuns } from './sync-runs.js';

export type CommitOutcome =
  | { readonly kind: 'committed'; readonly marker: StepMarkerRecord; readonly runEnded: boolean }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'ended' }
  | { readonly kind: 'lostLock' };

interface PendingCommit {
  readonly message: SyncStepMessage;
  readonly result: SyncStepResult;
  readonly resolve: (outcome: CommitOutcome) => void;
  readonly reject: (error: unknown) => void;
}

type BatchOutcome =
  | { readonly kind: 'written'; readonly markers: Map<PendingCommit, StepMarkerRecord>; readonly runEnded: boolean }
  | { readonly kind: 'ended' | 'lostLock' };

const followUpChars = (pending: PendingCommit): number => JSON.stringify(pending.result.followUps ?? []).length + 1024;

export class StepCommitter {
  private readonly waiting = new Map<string, PendingCommit[]>();

  constructor(
    private readonly repository: SyncRunRepository,
    private readonly runs: SyncRuns,
  ) {}

  commit(message: SyncStepMessage, result: SyncStepResult): Promise<CommitOutcome> {
    return new Promise((resolve, reject) => {
      const key = `${message.integrationId}/${message.runId}`;
      const queue = this.waiting.get(key);
      if (queue !== undefined) {
        queue.push({ message, result, resolve, reject });
        return;
      }
      this.waiting.set(key, [{ message, result, resolve, reject }]);
      void this.flush(key);
    });
  }

  /** Commits what waits for one run, batch after batch, until nothing waits. */
  private async flush(key: string): Promise<void> {
    for (let queue = this.waiting.get(key); queue !== undefined && queue.length > 0; queue = this.waiting.get(key)) {
      const batch = takeBatch(queue);
      try {
        await this.commitBatch(batch);
      } catch (error) {
        for (const pending of batch) pending.reject(error);
      }
    }
    this.waiting.delete(key);
  }

  private async commitBatch(batch: PendingCommit[]): Promise<void> {
    let left = batch;
    for (;;) {
      try {
        const outcome = await retryConcurrentUpdates(`run ${batch[0]?.message.runId ?? ''}`, () => this.write(left));
        for (const pending of left) {
          if (outcome.kind !== 'written') pending.resolve({ kind: outcome.kind });
          else {
            const marker = outcome.markers.get(pending);
            pending.resolve(marker === undefined ? { kind: 'duplicate' } : { kind: 'committed', marker, runEnded: outcome.runEnded });
          }
        }
        return;
      } catch (error) {
        if (!(error instanceof StepAlreadyCommittedError)) throw error;
        const { integrationId, runId } = left[0]?.message ?? { integrationId: '', runId: '' };
        const committed = await Promise.all(left.map(async (p) => (await this.repository.getMarker(integrationId, runId, p.message.stepId)) !== undefined));
        for (const [index, pending] of left.entries()) if (committed[index] === true) pending.resolve({ kind: 'duplicate' });
        left = left.filter((_, index) => committed[index] !== true);
        if (left.length === 0) return;
      }
    }
  }

  /** One attempt: read the run and lock, fold every step in, write it all in one transaction. */
  private async write(batch: readonly PendingCommit[]): Promise<BatchOutcome> {
    const first = batch[0]?.message;
    if (first === undefined) return { kind: 'written', markers: new Map(), runEnded: false };
    const [run, lock] = await Promise.all([this.repository.getRun(first.integrationId, first.runId), this.repository.getLock(first.integrationId)]);
    if (run === undefined || isEnded(run)) return { kind: 'ended' };
    const now = this.runs.now();
    const followUps = new Map<string, { kind: string; payload: SyncStepMessage['payload'] }[]>();
    const steps: PendingCommit[] = [];
    for (const pending of batch) {
      // Two deliveries of one step in one batch: the second is a duplicate of the first.
      if (followUps.has(pending.message.stepId)) continue;
      steps.push(pending);
      const requests = [...(pending.result.followUps ?? [])];
      followUps.set(pending.message.stepId, requests);
      applyStepResult(run, pending.result, pending.message.kind, now);
      run.outstandingSteps += requests.length - 1;
    }
    const ending = run.outstandingSteps === 0 && steps.some((p) => p.message.kind === DRAINED_STEP && (p.result.followUps ?? []).length === 0);
    if (run.outstandingSteps === 0 && !ending) {
      // Every step so far is done: the last step of this commit also sends the barrier of the phase.
      followUps.get(steps.at(-1)?.message.stepId ?? '')?.push({ kind: DRAINED_STEP, payload: { phase: run.phase } });
      run.phase += 1;
      run.outstandingSteps = 1;
    }
    const standing = lockStanding(lock, run.runId, now, ending, this.runs.lockOptions);
    if (!standing.held) return { kind: 'lostLock' };
    if (ending) {
      run.status = 'succeeded';
      run.endedAt = now.toISOString();
    }
    const markers = new Map(steps.map((pending) => [pending, markerOf(pending.message, followUps.get(pending.message.stepId) ?? [], now)]));
    await this.repository.writeRun(run, { markers: [...markers.values()], ...(standing.change === undefined ? {} : { lock: standing.change }) });
    return { kind: 'written', markers, runEnded: isEnded(run) };
  }
}

/** The next batch off the queue: at most MAX_MARKERS_PER_COMMIT steps and MAX_COMMIT_FOLLOW_UPS_JSON_CHARS of follow-ups. */
function takeBatch(queue: PendingCommit[]): PendingCommit[] {
  let count = 0;
  let chars = 0;
  while (count < queue.length && count < MAX_MARKERS_PER_COMMIT) {
    const size = followUpChars(queue[count] as PendingCommit);
    if (count > 0 && chars + size > MAX_COMMIT_FOLLOW_UPS_JSON_CHARS) break;
    chars += size;
    count += 1;
  }
  return queue.splice(0, count);
}

function markerOf(message: SyncStepMessage, requests: readonly { kind: string; payload: SyncStepMessage['payload'] }[], now: Date): StepMarkerRecord {
  const followUps: SyncStepMessage[] = requests.map((request, index) => ({
    v: 1,
    integrationId: message.integrationId,
    runId: message.runId,
    stepId: childStepId(message.stepId, index),
    kind: request.kind,
    payload: request.payload,
  }));
  return {
    integrationId: message.integrationId,
    runId: message.runId,
    stepId: message.stepId,
    kind: message.kind,
    committedAt: now.toISOString(),
    followUpsJson: JSON.stringify(followUps),
    followUpsEnqueued: followUps.length === 0,
  };
}
