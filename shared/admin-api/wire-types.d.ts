// The admin API's answers as they travel (JSON), as far as the admin page reads them: one import-free module that both
// the server (tsconfig.json, which checks the API's views against it: test/shared/admin-api/wire-types.test.ts and the
// declared types of the views) and the page (web/tsconfig.json, which compiles web/ only and may import nothing else)
// include. A declaration file, so the page's build emits nothing for it and its rootDir stays web/admin/src.

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

export interface GroupRef {
  integrationId: string;
  groupId: string;
}

export interface SourceGroup {
  integrationId: string;
  integrationName: string;
  id: string;
  displayName: string;
  externalId?: string;
  kind: string;
  enabled: boolean;
  lastModified: string;
  possibleDuplicates: (GroupRef & { displayName: string; reason: 'displayName' | 'onPremisesSid' })[];
}

export interface SourceGroupPage {
  groups: SourceGroup[];
  continuationToken?: string;
}

export interface GroupMemberPage {
  displayName: string;
  members: { value: string; type: 'User' | 'Group'; display?: string }[];
  continuationToken?: string;
}

export interface TargetingAttribute {
  id: string;
  name: string;
  integrationId: string;
  path: string;
  label: string;
  enabled: boolean;
  created: string;
  lastModified: string;
  backfill: { status: 'pending' | 'done'; indexedPeople: number };
}

export interface DataSourceAttribute {
  path: string;
  label: string;
  type: string;
  sampleValues: string[];
}

export interface AudienceAnswer {
  total: number;
  users: { id: string; upn?: string; displayName?: string; contentManagerUser: boolean }[];
  continuationToken?: string;
}
