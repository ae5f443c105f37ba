// A targeting attribute: an attribute one data source imports (a path in its catalog), named by an admin and switched
// on for targeting; and the stores targeting reads and writes (shared/storage implements them).
import type { MemberRow } from './group-record.js';

export interface BackfillState {
  /** `done` once every person of the source was indexed after the attribute was created. */
  status: 'pending' | 'done';
  /** Where the next step of the backfill reads people from (a storage continuation token). */
  continuationToken?: string;
  /** People whose values the backfill has indexed so far. */
  indexedPeople: number;
}

export interface TargetingAttributeRecord {
  id: string;
  name: string;
  /** The data source (integration) the values come from. */
  integrationId: string;
  /** The data source attribute: a path in the integration's catalog, in the source's own notation. */
  path: string;
  enabled: boolean;
  created: string;
  lastModified: string;
  backfill: BackfillState;
  etag?: string;
}

/** How index rows of one attribute are matched against an audience condition. Values are normalised (valueKey). */
export type ValueMatch =
  | { kind: 'equals'; value: string }
  | { kind: 'oneOf'; values: string[] }
  | { kind: 'startsWith'; prefix: string }
  | { kind: 'present' };

/** The targeting attributes' definitions, with their names unique (case-insensitively). */
export interface TargetingAttributeStore {
  get(id: string): Promise<TargetingAttributeRecord | undefined>;
  list(): Promise<TargetingAttributeRecord[]>;
  create(record: TargetingAttributeRecord): Promise<TargetingAttributeRecord>;
  /** Guarded by the record's ETag (ConcurrentUpdateError), the name's uniqueness by KeyTakenError. */
  update(before: TargetingAttributeRecord, after: TargetingAttributeRecord): Promise<TargetingAttributeRecord>;
  delete(record: TargetingAttributeRecord): Promise<void>;
}

/** Index rows: which people have which (normalised) value of an attribute, read one person-id shard at a time. */
export interface ValueIndexStore {
  /** Adds and removes one person's rows of several attributes; idempotent. */
  change(personId: string, add: ValueRow[], remove: ValueRow[]): Promise<void>;
  /** Adds rows of many people (a backfill), batched by partition. */
  addMany(rows: (ValueRow & { personId: string })[]): Promise<void>;
  /** The ids of the people of the shard whose rows match. */
  peopleInShard(attributeId: string, shard: number, match: ValueMatch): Promise<string[]>;
  /** Every row of the attribute. */
  removeAttribute(attributeId: string): Promise<void>;
}

export interface ValueRow {
  attributeId: string;
  /** The normalised value (valueKey of attribute-values.ts). */
  value: string;
}

export interface MemberPage {
  members: MemberRow[];
  continuationToken?: string;
}

/** The group side of memberships, read by person-id range (audiences) and by page (the admin's member list). */
export interface GroupMemberIndex {
  /** The user members of the group whose ids lie in the range [from, to). */
  userIdsInRange(integrationId: string, groupId: string, range: { from: string; to: string }): Promise<string[]>;
  page(integrationId: string, groupId: string, options: { pageSize: number; continuationToken?: string }): Promise<MemberPage>;
}
