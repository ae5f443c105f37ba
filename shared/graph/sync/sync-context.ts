// What one step of a Graph sync run works with: the run, the integration's parsed settings, a Graph client whose
// counters the step reports, the directory's operations (people, groups) and the sync's own state rows. A dry run
// reads all of these and writes none of the directory, the catalog or the integration's state rows.
import type { PersonDirectory } from '../../directory/person-directory.js';
import type { SourceGroups } from '../../directory/source-groups.js';
import type { SyncStepError, SyncStepResult } from '../../sync-runs/step-handler.js';
import type { GraphClient } from '../graph-client.js';
import type { GraphIntegrationSettings } from '../graph-integration-settings.js';
import type { GraphSyncStateStore } from './sync-state-store.js';

export interface SyncContext {
  readonly integrationId: string;
  readonly runId: string;
  readonly dryRun: boolean;
  readonly settings: GraphIntegrationSettings;
  readonly client: GraphClient;
  readonly people: PersonDirectory;
  readonly groups: SourceGroups;
  readonly store: GraphSyncStateStore;
  readonly now: () => Date;
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
