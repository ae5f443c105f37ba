// Runs one delivery of one step message: skip it if its run ended or the step is already committed (a second
// delivery), else call the handler and commit its answer exactly once (step-commits.ts: the run's counters and
// outstanding steps, the step's marker with its follow-ups and the lock, in one transaction). Follow-ups are sent after
// the commit (so none can finish before the run counts them) and re-sent from the marker by a later delivery if this
// one died before.
// A failure is thrown back for the queue to retry; on the last delivery (MAX_DEQUEUE_COUNT), or for a
// SyncStepFailedError at once, the run is marked failed with the reason first.
// The commit that ends a run also prunes the step markers of the integration's runs that ended long enough ago
// (step-marker-pruning.ts); a pruning that fails is logged and left to the next run's end.
import { retryConcurrentUpdates } from '../directory/write-retries.js';
import { MAX_FOLLOW_UPS_JSON_CHARS, type StepMarkerRecord, type SyncRunRepository } from '../storage/sync-run-repository.js';
import { forEachBounded } from '../storage/transactions.js';
import { resultProblem } from './run-results.js';
import { StepCommitter } from './step-commits.js';
import type { StepMarkerPruner } from './step-marker-pruning.js';
import { MAX_FOLLOW_UPS_PER_STEP, SyncStepFailedError, type SyncStepHandler, type SyncStepLog, type SyncStepResult } from './step-handler.js';
import {
  childStepId,
  DRAINED_STEP,
  encodeStepMessage,
  MAX_DEQUEUE_COUNT,
  parseStepMessage,
  START_STEP,
  type SyncStepMessage,
  syncStepMessageSchema,
} from './step-messages.js';
import type { StepQueue } from './step-queue.js';
import { isEnded, type SyncRuns } from './sync-runs.js';

export type StepOutcome =
  | { readonly kind: 'committed'; readonly message: SyncStepMessage; readonly followUps: number; readonly runEnded: boolean }
  | { readonly kind: 'duplicate'; readonly message: SyncStepMessage }
  | { readonly kind: 'dropped'; readonly message?: SyncStepMessage; readonly reason: string }
  | { readonly kind: 'runFailed'; readonly message: SyncStepMessage; readonly reason: string };

export interface StepDelivery {
  /** 1 on the first delivery. */
  readonly dequeueCount: number;
}

/** Follow-ups sent at once after a commit. */
const PARALLEL_SENDS = 16;

const requestIdOf = (error: unknown): string | undefined => {
  const value = typeof error === 'object' && error !== null ? (error as { requestId?: unknown }).requestId : undefined;
  return typeof value === 'string' && value !== '' ? value : undefined;
};

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export class SyncStepProcessor {
  private readonly committer: StepCommitter;

  constructor(
    private readonly repository: SyncRunRepository,
    private readonly queue: StepQueue,
    private readonly runs: SyncRuns,
    private readonly handler: () => SyncStepHandler,
    private readonly maxDequeueCount: number = MAX_DEQUEUE_COUNT,
    private readonly markers?: Pick<StepMarkerPruner, 'prune'>,
  ) {
    this.committer = new StepCommitter(repository, runs);
  }

  async process(input: unknown, delivery: StepDelivery, log: SyncStepLog): Promise<StepOutcome> {
    const parsed = parseStepMessage(input);
    if (!parsed.ok) return { kind: 'dropped', reason: `not a sync step message (${parsed.problem})` };
    const message = parsed.message;
    const run = await this.repository.getRun(message.integrationId, message.runId);
    if (run === undefined) return { kind: 'dropped', message, reason: 'its run does not exist' };
    if (isEnded(run)) return { kind: 'dropped', message, reason: `its run has ${run.status}` };
    const marker = await this.repository.getMarker(message.integrationId, message.runId, message.stepId);
    if (marker !== undefined) return this.redelivered(marker, message);
    if (run.status === 'queued') await this.markRunning(message);

    let result: SyncStepResult;
    try {
      result = await this.handler().handle(
        { integrationId: run.integrationId, runId: run.runId, kind: run.kind, dryRun: run.dryRun, phase: run.phase },
        { id: message.stepId, kind: message.kind, payload: message.payload, dequeueCount: delivery.dequeueCount },
        log,
      );
      const problem = resultProblem(result) ?? followUpProblem(result, message);
      if (problem !== undefined) throw new SyncStepFailedError(`The "${message.kind}" step answered something the run cannot keep: ${problem}.`);
    } catch (error) {
      const lastTry = delivery.dequeueCount >= this.maxDequeueCount;
      if (!(error instanceof SyncStepFailedError) && !lastTry) throw error;
      const reason =
        error instanceof SyncStepFailedError
          ? `The "${message.kind}" step failed: ${error.message}`
          : `The "${message.kind}" step failed ${delivery.dequeueCount} times (its message goes to the poison queue); last error: ${messageOf(error)}`;
      const requestId = requestIdOf(error);
      await this.runs.fail(message.integrationId, message.runId, reason, { stepKind: message.kind, ...(requestId === undefined ? {} : { requestId }) });
      if (error instanceof SyncStepFailedError) return { kind: 'runFailed', message, reason };
      throw error;
    }
    return this.commit(message, result, log);
  }

  /** A message the host moved to the poison queue: its run, if still going, failed (its last delivery may have died). */
  async processPoison(input: unknown): Promise<StepOutcome> {
    const parsed = parseStepMessage(input);
    if (!parsed.ok) return { kind: 'dropped', reason: `not a sync step message (${parsed.problem})` };
    const message = parsed.message;
    const reason = `The "${message.kind}" step was moved to the poison queue after ${this.maxDequeueCount} failed deliveries.`;
    const failed = await this.runs.fail(message.integrationId, message.runId, reason, { stepKind: message.kind });
    return failed ? { kind: 'runFailed', message, reason } : { kind: 'dropped', message, reason: 'its run had already ended' };
  }

  private async redelivered(marker: StepMarkerRecord, message: SyncStepMessage): Promise<StepOutcome> {
    await this.sendFollowUps(marker);
    return { kind: 'duplicate', message };
  }

  private async markRunning(message: SyncStepMessage): Promise<void> {
    await retryConcurrentUpdates(`run ${message.runId}`, async () => {
      const run = await this.repository.getRun(message.integrationId, message.runId);
      if (run?.status !== 'queued') return;
      run.status = 'running';
      run.startedAt = this.runs.now().toISOString();
      await this.repository.writeRun(run);
    });
  }

  private async commit(message: SyncStepMessage, result: SyncStepResult, log: SyncStepLog): Promise<StepOutcome> {
    const outcome = await this.committer.commit(message, result);
    switch (outcome.kind) {
      case 'ended':
        return { kind: 'dropped', message, reason: 'its run ended while the step ran' };
      case 'duplicate': {
        const marker = await this.repository.getMarker(message.integrationId, message.runId, message.stepId);
        return marker === undefined ? { kind: 'duplicate', message } : this.redelivered(marker, message);
      }
      case 'lostLock': {
        const reason = 'The run lost its lock: no step committed before the lock expired, and another run may have started.';
        await this.runs.fail(message.integrationId, message.runId, reason, { stepKind: message.kind });
        return { kind: 'runFailed', message, reason };
      }
      case 'committed':
        await this.sendFollowUps(outcome.marker);
        if (outcome.runEnded) await this.pruneMarkers(message.integrationId, log);
        return { kind: 'committed', message, followUps: (JSON.parse(outcome.marker.followUpsJson) as unknown[]).length, runEnded: outcome.runEnded };
    }
  }

  private async pruneMarkers(integrationId: string, log: SyncStepLog): Promise<void> {
    if (this.markers === undefined) return;
    try {
      const pruned = await this.markers.prune(integrationId, this.runs.now());
      if (pruned.runs > 0) log.info('pruned the step markers of ended runs', { integrationId, ...pruned });
    } catch (error) {
      log.warn('could not prune the step markers of ended runs; the next run\'s end tries again', { integrationId, error: messageOf(error) });
    }
  }

  private async sendFollowUps(marker: StepMarkerRecord): Promise<void> {
    if (marker.followUpsEnqueued) return;
    const followUps = JSON.parse(marker.followUpsJson) as SyncStepMessage[];
    await forEachBounded(followUps, PARALLEL_SENDS, (followUp) => this.queue.send(followUp));
    await this.repository.markFollowUpsEnqueued(marker);
  }
}

/** Checked before the commit: what could not be sent or kept afterwards must fail the step, not strand the run. */
function followUpProblem(result: SyncStepResult, message: SyncStepMessage): string | undefined {
  const requests = result.followUps ?? [];
  if (requests.length > MAX_FOLLOW_UPS_PER_STEP) return `${requests.length} follow-up steps (at most ${MAX_FOLLOW_UPS_PER_STEP})`;
  let characters = 0;
  for (const [index, request] of requests.entries()) {
    if (request.kind === START_STEP || request.kind === DRAINED_STEP) return `a follow-up of the reserved kind "${request.kind}"`;
    const followUp: SyncStepMessage = { v: 1, integrationId: message.integrationId, runId: message.runId, stepId: childStepId(message.stepId, index), kind: request.kind, payload: request.payload };
    const shape = syncStepMessageSchema.safeParse(followUp);
    if (!shape.success) return `follow-up ${index} (${shape.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`;
    try {
      encodeStepMessage(followUp);
    } catch (error) {
      return messageOf(error);
    }
    characters += JSON.stringify(followUp).length + 1;
  }
  // Room for the `drained` step the machinery may add.
  if (characters + 300 > MAX_FOLLOW_UPS_JSON_CHARS) return `${characters} characters of follow-ups (at most ${MAX_FOLLOW_UPS_JSON_CHARS - 300})`;
  return undefined;
}
