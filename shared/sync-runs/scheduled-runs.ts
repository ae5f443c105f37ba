// What the Graph sync timer does: start a run for every enabled Graph integration. An integration whose previous run
// still holds the lock is skipped (logged), and one integration's failure to start does not stop the others.
import type { IntegrationRecord } from '../directory/model/integration-record.js';
import type { IntegrationStore } from '../directory/model/stores.js';
import { SyncRunInProgressError, type SyncRuns } from './sync-runs.js';

export type ScheduledStart =
  | { readonly integrationId: string; readonly outcome: 'started'; readonly runId: string }
  | { readonly integrationId: string; readonly outcome: 'skipped'; readonly runningRunId: string }
  | { readonly integrationId: string; readonly outcome: 'failed'; readonly error: unknown };

/** Whether runs may go ahead for an integration: a Graph one, not paused (`enabled` absent counts as on), not being deleted. */
export function syncable(integration: IntegrationRecord): 'yes' | 'notGraph' | 'paused' | 'deleting' {
  if (integration.method !== 'graph') return 'notGraph';
  if (integration.status === 'deleting') return 'deleting';
  return integration.enabled === false ? 'paused' : 'yes';
}

export async function startScheduledRuns(integrations: Pick<IntegrationStore, 'list'>, runs: SyncRuns): Promise<ScheduledStart[]> {
  const due = (await integrations.list()).filter((integration) => syncable(integration) === 'yes');
  const starts: ScheduledStart[] = [];
  for (const { id } of due) {
    try {
      const run = await runs.start({ integrationId: id, full: false, dryRun: false, trigger: 'schedule' });
      starts.push({ integrationId: id, outcome: 'started', runId: run.runId });
    } catch (error) {
      if (error instanceof SyncRunInProgressError) starts.push({ integrationId: id, outcome: 'skipped', runningRunId: error.runningRunId });
      else starts.push({ integrationId: id, outcome: 'failed', error });
    }
  }
  return starts;
}
