// Retention of the provisioning log: entries are kept PROVISIONING_LOG_RETENTION_DAYS whole UTC days at least (at most
// one day more), then go by whole day partitions (provisioning-log-repository.ts). A daily timer prunes
// (functions/provisioning-log-retention.ts); pruneProvisioningLog is the same work for a test or a one-off run.
import type { InvocationContext, Timer } from '@azure/functions';
import { settings } from '../config.js';
import { logFault, logRequestOutcome, startRequestTimer } from '../observability/request-log.js';
import { services } from '../services.js';
import type { ProvisioningLog } from './provisioning-log.js';

/** When the retention timer runs: 03:30 UTC every day (after the Graph sync's default 02:00). */
export const PROVISIONING_LOG_RETENTION_SCHEDULE = '0 30 3 * * *';

const DAY_MS = 86_400_000;

/** The first UTC day (yyyymmdd) kept at `now`: the day `retentionDays` ago, so every entry stays that long at least. */
export function firstDayKept(now: Date, retentionDays: number): string {
  return new Date(now.getTime() - retentionDays * DAY_MS).toISOString().slice(0, 10).replaceAll('-', '');
}

export interface PruneResult {
  readonly firstDayKept: string;
  readonly rows: number;
  readonly partitions: number;
}

export async function pruneProvisioningLog(log: ProvisioningLog, retentionDays: number, now: Date = new Date()): Promise<PruneResult> {
  const firstDay = firstDayKept(now, retentionDays);
  return { firstDayKept: firstDay, ...(await log.prune(firstDay)) };
}

/** The timer's handler: prunes the process's log with the retention setting and logs one line of what went. */
export async function handleProvisioningLogRetentionTimer(_timer: Timer, context: InvocationContext): Promise<void> {
  const elapsed = startRequestTimer();
  const operation = 'provisioningLog.retention';
  try {
    const result = await pruneProvisioningLog((await services()).provisioningLog, settings().PROVISIONING_LOG_RETENTION_DAYS);
    logRequestOutcome(context, { operation, status: 200, durationMs: elapsed(), detail: `deleted ${result.rows} rows of ${result.partitions} day partitions before ${result.firstDayKept}` });
  } catch (error) {
    logRequestOutcome(context, { operation, status: 500, durationMs: elapsed(), correlationId: logFault(context, operation, error) });
    throw error;
  }
}
