// The Graph sync's runs, in table `syncruns`, one partition per integration so that a run, its integration's lock and
// the markers of its steps change together in one entity-group transaction:
//   RowKey `lock`                      the integration's run lock: which run holds it and until when (ETag-guarded)
//   RowKey `run-<runId>`               a run: kind, status, times, counters, samples, errors, steps outstanding
//   RowKey `step-<runId>-<stepId>`     a step's commit marker, with the follow-up messages it produced
// Run ids sort newest first (see sync-runs/run-ids.ts), so listing a partition's `run-` range lists the newest runs.
import type { TableClient, TableEntityResult, TransactionAction } from '@azure/data-tables';
import { ConcurrentUpdateError, isConflict, isNotFound, isPreconditionFailed, KeyTakenError } from './storage-errors.js';

export type SyncRunStatus = 'queued' | 'running' | 'succeeded' | 'failed';
export type SyncRunKind = 'full' | 'delta';
export type SyncRunTrigger = 'schedule' | 'admin' | 'cli';

export interface SyncRunError {
  readonly message: string;
  /** Microsoft Graph's `request-id` of the failed request, when the error came from Graph. */
  readonly requestId?: string;
  readonly stepKind?: string;
  readonly at: string;
}

export interface SyncRunRecord {
  readonly integrationId: string;
  readonly runId: string;
  kind: SyncRunKind;
  readonly dryRun: boolean;
  readonly trigger: SyncRunTrigger;
  status: SyncRunStatus;
  /** How many times every step so far was done and a `drained` step began the next phase. */
  phase: number;
  /** Steps enqueued and not yet committed; the run is over when it reaches 0 after a `drained` step. */
  outstandingSteps: number;
  stepsCompleted: number;
  readonly queuedAt: string;
  startedAt?: string;
  endedAt?: string;
  counters: Record<string, number>;
  samples: Record<string, string[]>;
  /** The first errors (bounded); errorCount counts all of them. */
  errors: SyncRunError[];
  errorCount: number;
  failureReason?: string;
  etag?: string;
}

export interface SyncLockRecord {
  readonly integrationId: string;
  readonly runId: string;
  readonly acquiredAt: string;
  readonly expiresAt: string;
  /** Set when its run ended and let go of it (expiresAt is then the same time): no run died holding it. */
  readonly releasedAt?: string;
  etag?: string;
}

export interface StepMarkerRecord {
  readonly integrationId: string;
  readonly runId: string;
  readonly stepId: string;
  readonly kind: string;
  readonly committedAt: string;
  /** The follow-up step messages, as JSON text: re-sent if the step's delivery died before sending them. */
  readonly followUpsJson: string;
  followUpsEnqueued: boolean;
}

/**
 * What one commit does to the lock besides writing the run: extend it, or release it (the run ended). Both replace the
 * row guarded by the ETag the holder read (a transaction cannot guard a delete), so a released lock is a row that
 * expired at its release.
 */
export type LockChange = { readonly renew: SyncLockRecord } | { readonly release: SyncLockRecord; readonly at: string };

export const LOCK_ROW_KEY = 'lock';
const RUN_PREFIX = 'run-';
const runRowKey = (runId: string): string => `${RUN_PREFIX}${runId}`;
const markerRowKey = (runId: string, stepId: string): string => `step-${runId}-${stepId}`;

/** Follow-ups are stored in string properties of at most this many characters (a property holds 64 KiB of UTF-16). */
const FOLLOW_UP_CHUNK_CHARS = 30_000;
/** And at most this many characters in all, well inside an entity's 1 MiB. */
export const MAX_FOLLOW_UPS_JSON_CHARS = 12 * FOLLOW_UP_CHUNK_CHARS;
/** Follow-up characters of all markers of one commit, so the transaction stays under its 4 MiB body. */
export const MAX_COMMIT_FOLLOW_UPS_JSON_CHARS = 2 * 1024 * 1024;

/** Thrown when a commit finds a step's marker already written: another delivery of one of `stepIds` committed it. */
export class StepAlreadyCommittedError extends Error {
  constructor(readonly stepIds: readonly string[]) {
    super(`one of steps ${stepIds.join(', ')} is already committed`);
    this.name = 'StepAlreadyCommittedError';
  }
}

/** Markers written in one commit: the run, the lock and these stay within a transaction's 100 entities and 4 MiB. */
export const MAX_MARKERS_PER_COMMIT = 90;

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function parseJson<T>(value: unknown, fallback: T): T {
  if (typeof value !== 'string') return fallback;
  try {
    return JSON.parse(value) as T;
  } catch {
    return fallback;
  }
}

function runEntity(run: SyncRunRecord): Record<string, unknown> & { partitionKey: string; rowKey: string } {
  return {
    partitionKey: run.integrationId,
    rowKey: runRowKey(run.runId),
    kind: run.kind,
    dryRun: run.dryRun,
    trigger: run.trigger,
    status: run.status,
    phase: run.phase,
    outstandingSteps: run.outstandingSteps,
    stepsCompleted: run.stepsCompleted,
    queuedAt: run.queuedAt,
    startedAt: run.startedAt ?? '',
    endedAt: run.endedAt ?? '',
    countersJson: JSON.stringify(run.counters),
    samplesJson: JSON.stringify(run.samples),
    errorsJson: JSON.stringify(run.errors),
    errorCount: run.errorCount,
    failureReason: run.failureReason ?? '',
  };
}

function runFromEntity(entity: TableEntityResult<Record<string, unknown>>): SyncRunRecord {
  const optional = (value: unknown): string | undefined => (text(value) === '' ? undefined : text(value));
  const record: SyncRunRecord = {
    integrationId: String(entity.partitionKey),
    runId: String(entity.rowKey).slice(RUN_PREFIX.length),
    kind: entity.kind === 'full' ? 'full' : 'delta',
    dryRun: entity.dryRun === true,
    trigger: entity.trigger === 'schedule' || entity.trigger === 'cli' ? entity.trigger : 'admin',
    status: (['queued', 'running', 'succeeded', 'failed'] as const).find((s) => s === entity.status) ?? 'failed',
    phase: Number(entity.phase ?? 0),
    outstandingSteps: Number(entity.outstandingSteps ?? 0),
    stepsCompleted: Number(entity.stepsCompleted ?? 0),
    queuedAt: String(entity.queuedAt),
    counters: parseJson(entity.countersJson, {}),
    samples: parseJson(entity.samplesJson, {}),
    errors: parseJson(entity.errorsJson, []),
    errorCount: Number(entity.errorCount ?? 0),
  };
  const startedAt = optional(entity.startedAt);
  const endedAt = optional(entity.endedAt);
  const failureReason = optional(entity.failureReason);
  if (startedAt !== undefined) record.startedAt = startedAt;
  if (endedAt !== undefined) record.endedAt = endedAt;
  if (failureReason !== undefined) record.failureReason = failureReason;
  if (entity.etag !== undefined) record.etag = entity.etag;
  return record;
}

function lockEntity(lock: SyncLockRecord) {
  return { partitionKey: lock.integrationId, rowKey: LOCK_ROW_KEY, runId: lock.runId, acquiredAt: lock.acquiredAt, expiresAt: lock.expiresAt, releasedAt: lock.releasedAt ?? '' };
}

function markerEntity(marker: StepMarkerRecord) {
  const chunks: Record<string, string> = {};
  for (let index = 0; index * FOLLOW_UP_CHUNK_CHARS < marker.followUpsJson.length; index++) {
    chunks[`followUps${index}`] = marker.followUpsJson.slice(index * FOLLOW_UP_CHUNK_CHARS, (index + 1) * FOLLOW_UP_CHUNK_CHARS);
  }
  return {
    partitionKey: marker.integrationId,
    rowKey: markerRowKey(marker.runId, marker.stepId),
    kind: marker.kind,
    committedAt: marker.committedAt,
    followUpChunks: Object.keys(chunks).length,
    followUpsEnqueued: marker.followUpsEnqueued,
    ...chunks,
  };
}

/** Maps a failed ETag-guarded write (412, or 404 for a row that vanished) to ConcurrentUpdateError. */
function lostRace(error: unknown, what: string): unknown {
  return isPreconditionFailed(error) || isNotFound(error) ? new ConcurrentUpdateError(what) : error;
}

export class SyncRunRepository {
  constructor(private readonly table: TableClient) {}

  async getRun(integrationId: string, runId: string): Promise<SyncRunRecord | undefined> {
    try {
      return runFromEntity(await this.table.getEntity(integrationId, runRowKey(runId)));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** The integration's runs, newest first, `top` at a time; `after` is the last run id of the previous page. */
  async listRuns(integrationId: string, top: number, after?: string): Promise<{ runs: SyncRunRecord[]; more: boolean }> {
    if (!/^[a-z0-9]{1,64}$/.test(integrationId) || (after !== undefined && !/^[a-z0-9]{1,64}$/.test(after))) return { runs: [], more: false };
    const from = after === undefined ? `RowKey ge '${RUN_PREFIX}'` : `RowKey gt '${runRowKey(after)}'`;
    const filter = `PartitionKey eq '${integrationId}' and ${from} and RowKey lt 'run.'`;
    const runs: SyncRunRecord[] = [];
    const pages = this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } }).byPage({ maxPageSize: top + 1 });
    for await (const page of pages) {
      for (const entity of page) {
        if (runs.length === top) return { runs, more: true };
        runs.push(runFromEntity(entity));
      }
    }
    return { runs, more: false };
  }

  async getLock(integrationId: string): Promise<SyncLockRecord | undefined> {
    try {
      const entity = await this.table.getEntity<Record<string, unknown>>(integrationId, LOCK_ROW_KEY);
      const releasedAt = text(entity.releasedAt);
      return {
        integrationId,
        runId: String(entity.runId),
        acquiredAt: String(entity.acquiredAt),
        expiresAt: String(entity.expiresAt),
        ...(releasedAt === undefined || releasedAt === '' ? {} : { releasedAt }),
        etag: entity.etag,
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /**
   * Creates a run and takes the lock for it, atomically: the lock row is created, or (`replacing`, an expired lock)
   * replaced if it still has the ETag read. KeyTakenError: another run created the lock first; ConcurrentUpdateError:
   * another run replaced the expired lock first.
   */
  async createRunHoldingLock(run: SyncRunRecord, lock: SyncLockRecord, replacing?: SyncLockRecord): Promise<void> {
    const lockAction: TransactionAction =
      replacing === undefined ? ['create', lockEntity(lock)] : ['update', lockEntity(lock), 'Replace', { etag: replacing.etag ?? '*' }];
    try {
      await this.table.submitTransaction([lockAction, ['create', runEntity(run)]]);
    } catch (error) {
      if (isConflict(error)) throw new KeyTakenError(`lock of integration ${run.integrationId}`);
      throw lostRace(error, `the lock of integration ${run.integrationId}`);
    }
  }

  async getMarker(integrationId: string, runId: string, stepId: string): Promise<StepMarkerRecord | undefined> {
    try {
      const entity = await this.table.getEntity<Record<string, unknown>>(integrationId, markerRowKey(runId, stepId));
      const chunkCount = Number(entity.followUpChunks ?? 0);
      const followUpsJson = Array.from({ length: chunkCount }, (_, index) => text(entity[`followUps${index}`]) ?? '').join('');
      return { integrationId, runId, stepId, kind: String(entity.kind), committedAt: String(entity.committedAt), followUpsJson: followUpsJson === '' ? '[]' : followUpsJson, followUpsEnqueued: entity.followUpsEnqueued === true };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /**
   * One transaction: the run (guarded by its ETag), optionally new step markers and a change of the lock (guarded by
   * the lock's ETag). ConcurrentUpdateError: the run or the lock changed since read (re-read and retry);
   * StepAlreadyCommittedError: one of the markers exists (another delivery of that step committed it).
   */
  async writeRun(run: SyncRunRecord, options: { markers?: readonly StepMarkerRecord[]; lock?: LockChange } = {}): Promise<void> {
    const markers = options.markers ?? [];
    for (const marker of markers) {
      if (marker.followUpsJson.length > MAX_FOLLOW_UPS_JSON_CHARS) {
        throw new RangeError(`step ${marker.stepId} produced ${marker.followUpsJson.length} characters of follow-ups; at most ${MAX_FOLLOW_UPS_JSON_CHARS} are kept`);
      }
    }
    const actions: TransactionAction[] = [['update', runEntity(run), 'Replace', { etag: run.etag ?? '*' }]];
    for (const marker of markers) actions.push(['create', markerEntity(marker)]);
    const lock = options.lock;
    if (lock !== undefined) {
      const next = 'renew' in lock ? lock.renew : { ...lock.release, expiresAt: lock.at, releasedAt: lock.at };
      const held = 'renew' in lock ? lock.renew : lock.release;
      actions.push(['update', lockEntity(next), 'Replace', { etag: held.etag ?? '*' }]);
    }
    try {
      await this.table.submitTransaction(actions);
    } catch (error) {
      if (isConflict(error) && markers.length > 0) throw new StepAlreadyCommittedError(markers.map((m) => m.stepId));
      throw lostRace(error, `run ${run.runId}`);
    }
  }

  async markFollowUpsEnqueued(marker: StepMarkerRecord): Promise<void> {
    await this.table.updateEntity({ partitionKey: marker.integrationId, rowKey: markerRowKey(marker.runId, marker.stepId), followUpsEnqueued: true }, 'Merge');
  }
}
