// What one step of a Graph sync run works with: the run, the integration's parsed settings, a Graph client whose
// counters the step reports, the directory's operations (people, groups) and the sync's own state rows. A dry run
// reads all of these and writes none of the directory, the catalog or the integration's state rows. Every change a
// real run applies to a user or group is recorded in the provisioning log (logChange), with the run id as correlation.
import type { PersonDirectory } from '../../directory/person-directory.js';
import type { SourceGroups } from '../../directory/source-groups.js';
import { type GraphChange, recordGraphChange } from '../../provisioning-log/graph-changes.js';
import type { ProvisioningLog } from '../../provisioning-log/provisioning-log.js';
import type { SyncStepError, SyncStepResult } from '../../sync-runs/step-handler.js';
import type { GraphClient } from '../graph-client.js';
import type { GraphIntegrationSettings } from '../graph-integration-settings.js';
import type { GraphSyncStateStore } from './sync-state-store.js';

export interface SyncContext {
  readonly integrationId: string;
  readonly runId: string;
  /** The step's id within its run (what it records for a redelivery is kept under it). */
  readonly stepId: string;
  readonly dryRun: boolean;
  /** The step was delivered before and did not finish (membership-journal.ts). */
  readonly redelivered: boolean;
  readonly settings: GraphIntegrationSettings;
  readonly client: GraphClient;
  readonly people: PersonDirectory;
  readonly groups: SourceGroups;
  readonly store: GraphSyncStateStore;
  /** Where the changes the run applies are recorded. */
  readonly log: ProvisioningLog;
  readonly now: () => Date;
}

/**
 * Records one change the run applied to one user or group (one entry per resource: a group's memberships changed in
 * bulk are one `update` of the group). A dry run applies nothing and records nothing; no attribute value is recorded.
 */
export function logChange(ctx: SyncContext, change: Pick<GraphChange, 'operation' | 'resourceType' | 'resourceId' | 'displayName'>): void {
  if (ctx.dryRun) return;
  recordGraphChange(ctx.log, { integrationId: ctx.integrationId, runId: ctx.runId, outcome: 'success', ...change });
}

/** A step's answer as it is built: counters added up, samples and errors appended. */
export class StepTally {
  readonly counters: Record<string, number> = {};
  readonly unmatchedUsers: string[] = [];
  readonly changes: string[] = [];
  readonly errors: SyncStepError[] = [];

  add(name: NonNullable<keyof NonNullable<SyncStepResult['counters']>>, value = 1): void {
    if (value !== 0) this.counters[name] = (this.counters[name] ?? 0) + value;
  }

  /** A change the run made (or, dry, would make), for the report's first changes. */
  change(text: string): void {
    if (this.changes.length < 20) this.changes.push(text);
  }

  result(extra: Pick<SyncStepResult, 'followUps' | 'kind'> = {}): SyncStepResult {
    const samples: Record<string, string[]> = {};
    if (this.unmatchedUsers.length > 0) samples.unmatchedUsers = this.unmatchedUsers.slice(0, 20);
    if (this.changes.length > 0) samples.changes = this.changes;
    return {
      ...extra,
      counters: this.counters,
      ...(Object.keys(samples).length === 0 ? {} : { samples }),
      ...(this.errors.length === 0 ? {} : { errors: this.errors.slice(0, 20) }),
    };
  }
}
