// Pruning the step markers of finished runs. A marker (RowKey `step-<runId>-<stepId>` in the integration's partition
// of table `syncruns`, see storage/sync-run-repository.ts) is needed only while its run goes on: it makes a second
// delivery of a step a duplicate and keeps the follow-ups to re-send. Once a run has ended, every later delivery of its
// steps is dropped on the run's status before any marker is read, so its markers are dead weight (thousands per full
// run of a large tenant). When a run ends, the markers of the integration's runs that ended more than
// STEP_MARKER_RETENTION_DAYS ago are deleted; a run that has not ended (running, queued, or stuck holding its lock) is
// never touched, and the run rows with their reports stay.
//
// Run ids sort newest first by the time they were queued (sync-runs.ts), so the markers of runs queued before the
// cut-off are one key range at the end of the markers: the query reads only those, never a recent run's.
import { odata, type TableClient } from '@azure/data-tables';
import type { SyncRunRecord } from '../storage/sync-run-repository.js';
import { submitIgnoringGone } from '../storage/transactions.js';
import { runIdClock } from './sync-runs.js';

/** Days the markers of an ended run are kept (a late redelivery of one of its steps is dropped on the run's status anyway). */
export const STEP_MARKER_RETENTION_DAYS = 7;

const MARKER_PREFIX = 'step-';
const DAY_MS = 86_400_000;

export interface StepMarkerPruneResult {
  /** Runs whose markers were deleted. */
  readonly runs: number;
  readonly markers: number;
}

export class StepMarkerPruner {
  constructor(
    private readonly table: TableClient,
    private readonly runs: { getRun(integrationId: string, runId: string): Promise<SyncRunRecord | undefined> },
    private readonly retentionDays: number = STEP_MARKER_RETENTION_DAYS,
  ) {}

  /** Deletes the markers of the integration's runs that ended before `now` less the retention. */
  async prune(integrationId: string, now: Date): Promise<StepMarkerPruneResult> {
    const cutOff = now.getTime() - this.retentionDays * DAY_MS;
    const byRun = await this.markersQueuedBefore(integrationId, new Date(cutOff));
    let runs = 0;
    let markers = 0;
    for (const [runId, rowKeys] of byRun) {
      const run = await this.runs.getRun(integrationId, runId);
      // A run that has not ended keeps every marker, however old; one whose record is gone has nothing to protect.
      if (run !== undefined && (run.endedAt === undefined || (run.status !== 'succeeded' && run.status !== 'failed') || Date.parse(run.endedAt) > cutOff)) continue;
      await this.delete(integrationId, rowKeys);
      runs += 1;
      markers += rowKeys.length;
    }
    return { runs, markers };
  }

  /** The row keys of the markers of runs queued before `cutOff`, by run id. */
  private async markersQueuedBefore(integrationId: string, cutOff: Date): Promise<Map<string, string[]>> {
    const from = `${MARKER_PREFIX}${runIdClock(cutOff)}`;
    const filter = odata`PartitionKey eq ${integrationId} and RowKey ge ${from} and RowKey lt 'step.'`;
    const byRun = new Map<string, string[]>();
    for await (const entity of this.table.listEntities({ queryOptions: { filter, select: ['RowKey'] } })) {
      const rowKey = String(entity.rowKey);
      const runId = rowKey.slice(MARKER_PREFIX.length, rowKey.indexOf('-', MARKER_PREFIX.length));
      const keys = byRun.get(runId) ?? [];
      keys.push(rowKey);
      byRun.set(runId, keys);
    }
    return byRun;
  }

  private async delete(integrationId: string, rowKeys: readonly string[]): Promise<void> {
    // Another instance pruning the same run deleted some rows first: that chunk is deleted row by row.
    await submitIgnoringGone(this.table, rowKeys.map((rowKey) => ['delete', { partitionKey: integrationId, rowKey }]));
  }
}
