// The shapes the targeting routes answer (shared/admin-api/groups-api.ts, targeting-attributes-api.ts,
// audiences-api.ts), as far as the page reads them; written out for the same reason as admin-types.ts.

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
