// The groups of one data source (integration) and their memberships. Groups belong to their integration, start
// disabled for targeting, and have a displayName unique within the integration. Members are rows of their own
// (membership-repository.ts), so groups of 100,000 members are read page by page and changed k rows at a time.
// Protocol-neutral: fields and member ids in, GroupRecords and directory errors out (errors.ts); the SCIM service
// parses and renders around it, the Graph sync calls it too.
import { randomBytes } from 'node:crypto';
import { ConcurrentUpdateError, KeyTakenError } from '../storage/storage-errors.js';
import { NameTakenError, NotFoundError } from './errors.js';
import { assertIfMatch, weakVersionTag } from './if-match.js';
import type { MemberDepartures } from './member-departures.js';
import { MemberExistenceCache } from './member-existence-cache.js';
import { type GroupMembersChange, MembershipChanges } from './membership-changes.js';
import type { GroupRecord, MemberRow } from './model/group-record.js';
import type { GroupStore, MembershipStore, PeopleStore } from './model/stores.js';
import type { WriteOptions } from './person-directory.js';
import { assertGroupFits } from './write-limits.js';
import { retryConcurrentUpdates } from './write-retries.js';

/** Times a create takes over a pending group left by a request that stopped half-way before it answers NameTaken. */
const PENDING_TAKEOVER_ATTEMPTS = 3;

/** A member as a source names it: its id and, when the source says, its kind and display text. */
export interface MemberInput {
  value: string;
  display?: string;
  type?: 'User' | 'Group';
}

/** The fields of a group a source sets (all of them on each change: one left out is cleared). */
export interface GroupFields {
  displayName: string;
  externalId?: string;
  /** The group's kind, when its source says (Graph). */
  kind?: string;
  onPremisesSecurityIdentifier?: string;
}

/** The optional fields a source sets on a group, as a GroupRecord holds them. */
const OPTIONAL_FIELDS = ['externalId', 'kind', 'onPremisesSecurityIdentifier'] as const;

function withFields(group: GroupRecord, fields: GroupFields): GroupRecord {
  const next: GroupRecord = { ...group, displayName: fields.displayName };
  for (const name of OPTIONAL_FIELDS) {
    const value = fields[name];
    if (value !== undefined) next[name] = value;
    else delete next[name];
  }
  return next;
}

/** What a change does to the members: all removed first (a replace), then these removed, then these added. */
export interface MembershipDelta {
  removeAll: boolean;
  add: MemberInput[];
  remove: string[];
}

export interface AdminGroupView {
  id: string;
  displayName: string;
  externalId?: string;
  enabled: boolean;
  created: string;
  lastModified: string;
}

const nameTaken = (displayName: string): NameTakenError => new NameTakenError(`A group with displayName "${displayName}" already exists.`);

export class SourceGroups {
  constructor(
    private readonly groups: GroupStore,
    private readonly memberships: MembershipStore,
    private readonly people: Pick<PeopleStore, 'getById'>,
    private readonly departures: MemberDepartures,
    private readonly knownMembers: MemberExistenceCache = new MemberExistenceCache(),
    private readonly now: () => Date = () => new Date(),
  ) {
    this.membershipChanges = new MembershipChanges(groups, memberships, people, departures, knownMembers);
  }

  private readonly membershipChanges: MembershipChanges;

  get(integrationId: string, id: string): Promise<GroupRecord | undefined> {
    return this.groups.get(integrationId, id);
  }

  /** The group, or NotFoundError. */
  async require(integrationId: string, id: string): Promise<GroupRecord> {
    const group = await this.groups.get(integrationId, id);
    if (group === undefined) throw new NotFoundError(`Resource ${id} not found`);
    return group;
  }

  findByDisplayName(integrationId: string, displayName: string): Promise<GroupRecord | undefined> {
    return this.groups.findByDisplayName(integrationId, displayName);
  }

  findByExternalId(integrationId: string, externalId: string): Promise<GroupRecord[]> {
    return this.groups.findByExternalId(integrationId, externalId);
  }

  /** The groups carrying each of these externalIds (a bulk sync's page of groups, found together). */
  findByExternalIds(integrationId: string, externalIds: readonly string[]): Promise<Map<string, GroupRecord[]>> {
    return this.groups.findByExternalIds(integrationId, externalIds);
  }

  getMany(integrationId: string, ids: readonly string[]): Promise<Map<string, GroupRecord>> {
    return this.groups.getMany(integrationId, ids);
  }

  list(integrationId: string): AsyncIterable<GroupRecord> {
    return this.groups.list(integrationId);
  }

  isMember(integrationId: string, groupId: string, memberId: string): Promise<boolean> {
    return this.memberships.isMember(integrationId, groupId, memberId);
  }

  /** Which of these ids the group lists as members. */
  membersAmong(integrationId: string, groupId: string, memberIds: string[]): Promise<Set<string>> {
    return this.memberships.membersAmong(integrationId, groupId, memberIds);
  }

  /** The members, one storage page at a time. */
  members(integrationId: string, groupId: string): AsyncIterable<MemberRow[]> {
    return this.memberships.members(integrationId, groupId);
  }

  /** The ids of this source's groups a user or group is a direct member of. */
  groupsOf(integrationId: string, memberId: string): Promise<string[]> {
    return this.memberships.groupsOf(integrationId, memberId);
  }

  /**
   * Creates a group with its first members. Written pending (version 0), shown once its members are in: a create that
   * stops half-way leaves nothing visible, and its retry takes the pending group over instead of finding the name
   * taken by a group with some of its members.
   */
  async create(integrationId: string, fields: GroupFields, members: MemberInput[]): Promise<GroupRecord> {
    assertGroupFits(fields, members);
    const started = this.knownMembers.clock();
    const timestamp = this.now().toISOString();
    const group = withFields({ id: randomBytes(16).toString('hex'), integrationId, displayName: fields.displayName, enabled: false, created: timestamp, lastModified: timestamp, version: 1 }, fields);
    const pending = await this.createPending({ ...group, pending: true, version: 0 }, members.map((member) => member.value));
    await this.membershipChanges.apply(integrationId, [{ groupId: pending.id, add: members, remove: [] }]);
    try {
      const created = await this.groups.update(pending, group);
      this.knownMembers.remember(integrationId, created.id, 'Group', started);
      return created;
    } catch (error) {
      // Taken over meanwhile by another create of the same displayName: that one wins.
      if (error instanceof ConcurrentUpdateError) throw nameTaken(group.displayName);
      throw error;
    }
  }

  /**
   * Creates groups without members, several to a transaction (a bulk sync's new groups). With no members to add, a
   * group is written visible at once: its one transaction cannot stop half-way. Answers each group created, in the
   * order given, or undefined for one whose name may be taken (its transaction held a taken name, or an earlier group
   * of the list has the same name): the caller creates those one by one with create(), which tells.
   */
  async createAllEmpty(integrationId: string, fieldsList: readonly GroupFields[]): Promise<(GroupRecord | undefined)[]> {
    const timestamp = this.now().toISOString();
    const groups = fieldsList.map((fields) => {
      assertGroupFits(fields, []);
      return withFields({ id: randomBytes(16).toString('hex'), integrationId, displayName: fields.displayName, enabled: false, created: timestamp, lastModified: timestamp, version: 1 }, fields);
    });
    return this.groups.createAll(groups);
  }

  /**
   * Creates the pending group; a pending group already holding its displayName is taken over with its rows: those
   * found from the group side, and those of the members this request names (an earlier attempt of the same request
   * may have written their member side only).
   */
  private async createPending(group: GroupRecord, memberIds: string[]): Promise<GroupRecord> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.groups.create(group);
      } catch (error) {
        if (!(error instanceof KeyTakenError)) throw error;
      }
      const holder = await this.groups.findByDisplayName(group.integrationId, group.displayName, { includePending: true });
      if (holder?.pending !== true || attempt + 1 >= PENDING_TAKEOVER_ATTEMPTS) throw nameTaken(group.displayName);
      try {
        // Guarded: a create that shows its group meanwhile keeps it, and this one looks again (and is refused).
        await this.groups.deleteIfUnchanged(holder);
      } catch (error) {
        if (error instanceof ConcurrentUpdateError) continue;
        throw error;
      }
      await this.memberships.remove(group.integrationId, holder.id, memberIds);
      await this.removeMembershipRowsOf(group.integrationId, holder.id);
    }
  }

  /**
   * Applies a change computed from the current group (pure: it may run again after a lost race): the group row first
   * (version-guarded, retried; a displayName clash leaves everything as it was), then the member rows, whose
   * operations are idempotent.
   */
  async change(integrationId: string, id: string, compute: (group: GroupRecord) => { fields: GroupFields; delta: MembershipDelta }, options: WriteOptions = {}): Promise<GroupRecord> {
    const { saved, delta } = await retryConcurrentUpdates(`group ${id}`, async () => {
      const group = await this.require(integrationId, id);
      assertIfMatch(options.ifMatch, weakVersionTag(group.version));
      const { fields, delta } = compute(group);
      assertGroupFits(fields, delta.add);
      const next: GroupRecord = { ...withFields(group, fields), lastModified: this.now().toISOString() };
      const unchanged = next.displayName === group.displayName && OPTIONAL_FIELDS.every((name) => next[name] === group[name]);
      try {
        // Member-only changes (most of Entra's) leave the group row alone, so they never contend on its ETag.
        return { saved: unchanged ? group : await this.groups.update(group, next), delta };
      } catch (error) {
        if (error instanceof KeyTakenError) throw nameTaken(next.displayName);
        throw error;
      }
    });
    await this.changeMembers(integrationId, id, delta);
    return saved;
  }

  /** Adds, removes or replaces members in bulk (idempotent: a retried change converges). */
  async changeMembers(integrationId: string, groupId: string, delta: MembershipDelta): Promise<void> {
    if (delta.removeAll) await this.memberships.removeAll(integrationId, groupId);
    await this.membershipChanges.apply(integrationId, [{ groupId, add: delta.add, remove: delta.remove }]);
  }

  /**
   * Adds and removes members of several groups as one change (membership-changes.ts): the same rules and order per
   * group as changeMembers, with the member-side writes and the members' checks shared (idempotent).
   */
  async changeMembersOfGroups(integrationId: string, changes: readonly GroupMembersChange[]): Promise<void> {
    await this.membershipChanges.apply(integrationId, changes);
  }

  /**
   * Makes both sides of these members' memberships of the group agree again, as the group lists them: for a writer
   * whose earlier change of them may have stopped between the two sides (it diffed against the group side, so a
   * retry alone would not see what is missing on the other). Idempotent.
   */
  async settleMembers(integrationId: string, groupId: string, memberIds: readonly string[]): Promise<void> {
    if (memberIds.length > 0) await this.memberships.settleMembers(integrationId, groupId, memberIds);
  }

  /**
   * Deletes the group row first (version-guarded; a racing rename or delete re-reads), then every membership row of
   * it, on either side. A change adding members meanwhile checks the group after writing, so no row outlives the
   * group; removing a group already gone still clears its rows (an earlier attempt may have stopped half-way), then
   * throws NotFoundError.
   */
  async remove(integrationId: string, id: string, options: WriteOptions = {}): Promise<void> {
    this.knownMembers.forget(integrationId, id);
    const deleted = await retryConcurrentUpdates(`group ${id}`, async () => {
      const group = await this.groups.get(integrationId, id);
      if (group === undefined) return false;
      assertIfMatch(options.ifMatch, weakVersionTag(group.version));
      await this.departures.around([id], () => this.groups.delete(group));
      return true;
    });
    await this.removeMembershipRowsOf(integrationId, id);
    this.knownMembers.forget(integrationId, id);
    if (!deleted) throw new NotFoundError(`Resource ${id} not found`);
  }

  /** Every membership row of a deleted group, on either side: its members, and its places as a member of others. */
  private async removeMembershipRowsOf(integrationId: string, groupId: string): Promise<void> {
    await this.memberships.removeAll(integrationId, groupId);
    await this.memberships.removeMemberEverywhere(integrationId, groupId);
  }

  /** The integration's groups with their targeting switch. */
  async listForAdmin(integrationId: string): Promise<AdminGroupView[]> {
    const groups: AdminGroupView[] = [];
    for await (const group of this.groups.list(integrationId)) {
      const { id, displayName, externalId, enabled, created, lastModified } = group;
      groups.push({ id, displayName, ...(externalId === undefined ? {} : { externalId }), enabled, created, lastModified });
    }
    return groups;
  }

  /** Turns targeting on or off for a group. */
  async setEnabled(integrationId: string, id: string, enabled: boolean): Promise<GroupRecord | undefined> {
    return retryConcurrentUpdates(`group ${id}`, async () => {
      const group = await this.groups.get(integrationId, id);
      if (group === undefined) return undefined;
      return this.groups.update(group, { ...group, enabled, lastModified: this.now().toISOString() });
    });
  }
}
