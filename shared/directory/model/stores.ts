// The repositories the directory writes through, as the directory needs them: shared/storage implements each with
// Table Storage (point reads, entity-group transactions, ETags). Every write that is guarded by what was read throws
// ConcurrentUpdateError when it lost a race, and a write of a key that must be unique throws KeyTakenError when it is
// held (shared/storage/storage-errors.ts); the directory retries or answers with its own errors (errors.ts).
import type { GroupRecord, MemberRow } from './group-record.js';
import type { IntegrationRecord } from './integration-record.js';
import type { PersonRecord } from './person-record.js';

export interface FindOptions {
  /** Check a co-located copy against the main row too (write paths; a match GET trusts the transactional copy). */
  verified?: boolean;
}

export interface PeoplePage {
  items: PersonRecord[];
  continuationToken?: string;
}

/** People, found by id and by the keys their names derive (model/person-record.ts). */
export interface PeopleStore {
  getById(id: string): Promise<PersonRecord | undefined>;
  /** By the organisation-wide name key (the Content Manager UPN, or the name a record was staged under). */
  findByNameKey(key: string, options?: FindOptions): Promise<PersonRecord | undefined>;
  /** By the Content Manager username key. */
  findByUsernameKey(key: string, options?: FindOptions): Promise<PersonRecord | undefined>;
  /** findByNameKey and findByUsernameKey of many keys at once (fewer round trips): the people found, by key. */
  findManyByNameKey(keys: readonly string[], options?: FindOptions): Promise<Map<string, PersonRecord>>;
  findManyByUsernameKey(keys: readonly string[], options?: FindOptions): Promise<Map<string, PersonRecord>>;
  /** By one integration's own name for the person. */
  findByScopedKey(integrationId: string, key: string, options?: FindOptions): Promise<PersonRecord | undefined>;
  /** Both of the above for one name, read together (one query: the two rows share the name's partition). */
  findByNameAndScopedKey(integrationId: string, key: string, options?: FindOptions): Promise<{ shared?: PersonRecord; own?: PersonRecord }>;
  create(person: PersonRecord): Promise<PersonRecord>;
  update(before: PersonRecord, after: PersonRecord): Promise<PersonRecord>;
  delete(person: PersonRecord): Promise<void>;
  /** A page of people in storage order (only Content Manager users with `cmOnly`). */
  page(options: { pageSize: number; continuationToken?: string; cmOnly?: boolean }): Promise<PeoplePage>;
  /** A page of the people holding a record (live or deleted) of this integration, in storage order. */
  pageWithSource(integrationId: string, options: { pageSize: number; continuationToken?: string }): Promise<PeoplePage>;
}

export interface IndexEntry {
  scope: string;
  attr: string;
  /** The value as it is compared: callers case-fold case-insensitive attributes before indexing and looking up. */
  value: string;
}

/** Secondary indexes of people by attribute value; rows are hints that readers check against the person. */
export interface UserIndexStore {
  /** The ids indexed under the entry; undefined when too many share it. */
  find(entry: IndexEntry): Promise<string[] | undefined>;
  /** Claims, before the person's write of `version`, the rows of the entries `after` has and `before` lacks. */
  addMissing(id: string, before: IndexEntry[], after: IndexEntry[], version: number): Promise<void>;
  /** Removes, once the person's version `version` is committed, the rows of entries `before` has and `after` lacks. */
  removeStale(id: string, before: IndexEntry[], after: IndexEntry[], version: number): Promise<void>;
  /** Removes the rows of a person that no longer exists (its id never comes back, so no writer needs them again). */
  removeAllOf(id: string, entries: IndexEntry[]): Promise<void>;
}

export interface GroupReadOptions {
  /** Also answer a pending group (see GroupRecord.pending). */
  includePending?: boolean;
}

/** One integration's groups, with displayName unique within it. */
export interface GroupStore {
  get(integrationId: string, id: string, options?: GroupReadOptions): Promise<GroupRecord | undefined>;
  findByDisplayName(integrationId: string, displayName: string, options?: GroupReadOptions): Promise<GroupRecord | undefined>;
  findByExternalId(integrationId: string, externalId: string): Promise<GroupRecord[]>;
  /** The groups carrying each of these externalIds, for a page of them at once (a bulk sync). */
  findByExternalIds(integrationId: string, externalIds: readonly string[]): Promise<Map<string, GroupRecord[]>>;
  /** The groups of these ids that exist, read together. */
  getMany(integrationId: string, ids: readonly string[]): Promise<Map<string, GroupRecord>>;
  /** The integration's groups carrying this on-premises SID (an index range, as externalId). */
  findByOnPremisesSid(integrationId: string, sid: string): Promise<GroupRecord[]>;
  list(integrationId: string): AsyncIterable<GroupRecord>;
  create(group: GroupRecord): Promise<GroupRecord>;
  /** Creates several groups in few transactions; undefined for each one not created (any name taken in its transaction). */
  createAll(groups: readonly GroupRecord[]): Promise<(GroupRecord | undefined)[]>;
  update(before: GroupRecord, after: GroupRecord): Promise<GroupRecord>;
  /** Deletes the group only as it was read (ConcurrentUpdateError otherwise). */
  deleteIfUnchanged(group: GroupRecord): Promise<void>;
  delete(group: GroupRecord): Promise<void>;
}

/** Members to add to one group, in a change of several groups. */
export interface GroupMembers {
  readonly groupId: string;
  readonly members: readonly MemberRow[];
}

/** Members to remove from one group, in a change of several groups. */
export interface GroupMemberIds {
  readonly groupId: string;
  readonly memberIds: readonly string[];
}

/** Members to remove from and add to one group, in a change of several groups. */
export interface GroupMemberRows {
  readonly groupId: string;
  readonly add: readonly MemberRow[];
  readonly remove: readonly string[];
}

/** Memberships of one integration's groups, idempotent in bulk, readable from either side. */
export interface MembershipStore {
  /**
   * Adds to several groups as one change (member-side rows of different groups share transactions). `afterWrites`
   * runs once both sides are written (alongside the store's own checks).
   */
  addToGroups(integrationId: string, adds: readonly GroupMembers[], afterWrites?: () => Promise<void>): Promise<void>;
  remove(integrationId: string, groupId: string, memberIds: string[]): Promise<void>;
  /** Removes from several groups as one change. */
  removeFromGroups(integrationId: string, removes: readonly GroupMemberIds[]): Promise<void>;
  /**
   * Removes from and adds to several groups as one change, each group's removals and additions written together (a
   * member both removed and added ends added). `afterWrites` runs once both sides are written.
   */
  changeGroups(integrationId: string, changes: readonly GroupMemberRows[], afterWrites?: () => Promise<void>): Promise<void>;
  isMember(integrationId: string, groupId: string, memberId: string): Promise<boolean>;
  /** Which of these ids the group lists as members (a few queries, not the whole group). */
  membersAmong(integrationId: string, groupId: string, memberIds: string[]): Promise<Set<string>>;
  /** The members, one storage page at a time. */
  members(integrationId: string, groupId: string): AsyncIterable<MemberRow[]>;
  groupsOf(integrationId: string, memberId: string): Promise<string[]>;
  removeMemberEverywhere(integrationId: string, memberId: string): Promise<void>;
  removeAll(integrationId: string, groupId: string): Promise<void>;
  /** Makes the member side of these memberships agree with the group side (after a change cut short between them). */
  settleMembers(integrationId: string, groupId: string, memberIds: readonly string[]): Promise<void>;
}

/**
 * The record of members (people and groups) that left a view: written by every change that takes one out, before it
 * commits (member-departures.ts), and read by member adds that trust what they saw of their members earlier.
 */
export interface DepartureStore {
  /** Records that these members left a view at `atMs` (the writer's clock, ms since the epoch). */
  record(memberIds: readonly string[], atMs: number): Promise<void>;
  /** The ids recorded from `fromMs` on; undefined when there are more than one read returns (the caller checks all). */
  since(fromMs: number): Promise<Set<string> | undefined>;
  /** Removes up to `maxRows` of the rows recorded before `beforeMs`. */
  pruneBefore(beforeMs: number, maxRows: number): Promise<void>;
}

export interface CatalogEntry {
  path: string;
  type: string;
  firstSeen: string;
  lastSeen: string;
}

/** Each integration's attribute catalog. */
export interface CatalogStore {
  record(integrationId: string, entries: { path: string; type: string }[], now: string): Promise<void>;
  list(integrationId: string): Promise<CatalogEntry[]>;
}

export interface IntegrationStore {
  get(id: string): Promise<IntegrationRecord | undefined>;
  list(): Promise<IntegrationRecord[]>;
  create(record: IntegrationRecord): Promise<IntegrationRecord>;
  update(record: IntegrationRecord): Promise<IntegrationRecord>;
  /** Deletes the row; with `etag`, only as it was read. */
  delete(id: string, etag?: string): Promise<void>;
}

/**
 * What an integration being deleted leaves behind outside its people: its groups with their name and index rows, its
 * memberships (both sides), its index rows, its catalog and its scoped name pointers. Nothing else writes them once the
 * integration is deleting, so they go by key range, a bounded page at a time.
 */
export interface IntegrationRowsPurge {
  /**
   * Deletes up to `limit` of the integration's rows, looking from key range `fromRange` on (the ranges before it are
   * empty); answers how many went (0: none are left) and the range they came from, where the next call starts.
   */
  purgeNext(integrationId: string, limit: number, fromRange?: number): Promise<{ deleted: number; range: number }>;
}
