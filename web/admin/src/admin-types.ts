// The shapes the admin API answers (shared/admin-api/), as far as the page reads them. Written out here rather than
// imported: the browser build compiles web/ only, never server modules.

export interface Integration {
  id: string;
  displayName: string;
  userProvisioning: 'matchOnly' | 'create';
  tenantUrl: string;
  created: string;
  lastModified: string;
  /** 'scim' when absent (an older answer). */
  method?: 'scim' | 'graph';
  status: 'active' | 'deleting';
  /** After a rotation: until when the token it replaced is still accepted. */
  previousTokenValidUntil?: string;
  deletion?: { since: string; phase: string; people: number; rows: number };
}

export interface RotatedToken {
  secretToken: string;
  previousTokenValidUntil: string;
  gracePeriodHours: number;
}

export interface ConnectionCheck {
  ok: boolean;
  status: number | null;
  durationMs: number;
  detail: string;
}

export interface IntegrationActivity {
  lastProvisioning: { at: string; source: string; operation: string; resourceType: string; outcome: string; status?: number } | null;
  lastSyncRun: { runId: string; kind: string; status: string; queuedAt: string; endedAt?: string; errorCount: number } | null;
  lookbackDays: number;
}

export interface CreatedIntegration extends Integration {
  secretToken: string;
}

export interface AdminGroup {
  id: string;
  displayName: string;
  externalId?: string;
  enabled: boolean;
  created: string;
  lastModified: string;
}

export interface CatalogAttribute {
  path: string;
  type: string;
  firstSeen: string;
  lastSeen: string;
}

export interface ContentManagerUser {
  id: string;
  username: string;
  upn: string;
  displayName?: string;
  email?: string;
  created: string;
  lastModified: string;
}

export interface UserDetail extends ContentManagerUser {
  sources: { integrationId: string; attributes: Record<string, unknown>; groups: { id: string; displayName: string }[]; deleted: boolean }[];
}

export interface ProvisioningLogEntry {
  at: string;
  source: 'scim' | 'graph';
  operation: 'create' | 'replace' | 'update' | 'delete';
  resourceType: 'User' | 'Group';
  resourceId: string | null;
  displayName: string | null;
  status: number | null;
  outcome: 'success' | 'clientError' | 'fault';
  correlationId: string;
  errorType: string | null;
}

export interface ProvisioningLogPage {
  integrationId: string;
  /** The range read, after clamping to what retention keeps. */
  from: string;
  to: string;
  entries: ProvisioningLogEntry[];
  continuationToken?: string;
}

export interface SyncRun {
  id: string;
  integrationId: string;
  kind: 'full' | 'delta';
  dryRun: boolean;
  trigger: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  queued: string;
  start: string | null;
  end: string | null;
  counts: Record<string, number>;
  samples: Record<string, string[]>;
  errors: { message: string; requestId?: string; stepKind?: string; at?: string }[];
  errorCount: number;
  failureReason: string | null;
  steps: { completed: number; outstanding: number; phase: number };
}

export interface SyncRunPage {
  integrationId: string;
  runs: SyncRun[];
  /** The `after` of the next page. */
  next?: string;
}
