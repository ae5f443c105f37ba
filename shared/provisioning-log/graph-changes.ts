// The entry point of the Graph sync into the provisioning log: one call per change it applied (or failed to apply) to
// one user or group of an integration. The sync run's id is the correlation id, so a row leads to its run
// (GET /api/admin/integrations/{id}/sync-runs/{runId}). Recording is buffered (provisioning-log.ts); a sync step that
// wants its entries written before it commits awaits `log.flush()`.
import type { RequestOutcome } from '../observability/request-log.js';
import type { ProvisioningOperation, ProvisioningResourceType } from './log-entry.js';
import type { ProvisioningLog } from './provisioning-log.js';

export interface GraphChange {
  readonly integrationId: string;
  /** The sync run that made the change. */
  readonly runId: string;
  readonly operation: ProvisioningOperation;
  readonly resourceType: ProvisioningResourceType;
  /** The resource's id in the directory (or, when it was never stored, its Graph object id). */
  readonly resourceId: string;
  /** The user's or group's displayName; never a userPrincipalName or mail. */
  readonly displayName?: string;
  readonly outcome: RequestOutcome;
  /** Graph's HTTP status when the change followed a Graph call that answered. */
  readonly status?: number;
  /** Graph's error code (`Request_ResourceNotFound`, …) or the sync's own error name of a failed change. */
  readonly errorCode?: string;
  /** When the change was applied; default now. */
  readonly at?: Date;
}

export function recordGraphChange(log: ProvisioningLog, change: GraphChange): void {
  log.record({
    at: (change.at ?? new Date()).toISOString(),
    integrationId: change.integrationId,
    source: 'graph',
    operation: change.operation,
    resourceType: change.resourceType,
    resourceId: change.resourceId,
    ...(change.displayName === undefined ? {} : { displayName: change.displayName }),
    ...(change.status === undefined ? {} : { status: change.status }),
    outcome: change.outcome,
    correlationId: change.runId,
    ...(change.errorCode === undefined ? {} : { errorType: change.errorCode }),
  });
}
