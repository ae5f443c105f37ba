// The /Groups resource of one integration. Groups belong to their integration, start disabled for targeting, and
// have a displayName unique within the integration. Members are rows of their own (membership-repository.ts), so
// groups of 100,000 members are read page by page and changed k rows at a time.
import { randomBytes } from 'node:crypto';
import { conflict, notFound } from '../scim/errors.js';
import type { FilterNode } from '../scim/filter/index.js';
import { applyGroupPatch } from '../scim/patch/index.js';
import { parseGroupInput } from '../scim/resource-input.js';
import type { GroupRecord, GroupRepository } from '../storage/group-repository.js';
import type { IntegrationRecord } from '../storage/integration-repository.js';
import type { MemberRow, MembershipRepository } from '../storage/membership-repository.js';
import type { PeopleRepository } from '../storage/people-repository.js';
import { ConcurrentUpdateError, KeyTakenError } from '../storage/storage-errors.js';
import { forEachBounded } from '../storage/transactions.js';
import { matchesGroupFilter, pinnedAttribute, pinnedGroupId } from './group-filter.js';
import { MemberExistenceCache } from './member-existence-cache.js';
import { assertIfMatch, weakVersionTag } from './if-match.js';
import type { QueryOptions } from './scim-users.js';
import { assertGroupFits } from './scim-write-limits.js';
import { isVisible } from './user-view.js';
import { retryConcurrentUpdates } from './write-retries.js';

export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
/** Member ids checked for existence in parallel when members are added. */
const MEMBER_CHECK_PARALLELISM = 16;

export interface GroupCall {
  integration: IntegrationRecord;
  locationOf: (id: string) => string;
  userLocationOf: (id: string) => string;
  ifMatch?: string | undefined;
}

interface MemberInput {
  value: string;
  display?: string;
  type?: 'User' | 'Group';
}

type Resource = Record<string, unknown>;

/** A group for a response: the resource without members and, when wanted, its members page by page. */
export interface PagedGroup {
  resource: Resource;
  pages?: AsyncIterable<Resource[]>;
}

export interface GroupQueryResult {
  totalResults: number;
  groups: PagedGroup[];
}

export class ScimGroupService {
  constructor(
    private readonly groups: GroupRepository,
    private readonly memberships: MembershipRepository,
    private readonly people: PeopleRepository,
    private readonly knownMembers: MemberExistenceCache = new MemberExistenceCache(),
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The group, its members (when asked for) read page by page only as the response is written. */
  async get(call: GroupCall, id: string, includeMembers: boolean): Promise<PagedGroup> {
    const group = await this.require(call, id);
    return this.paged(call, group, includeMembers);
  }

  async query(call: GroupCall, options: QueryOptions & { includeMembers: boolean }): Promise<GroupQueryResult> {
    const integrationId = call.integration.id;
    const candidates = this.candidates(integrationId, options.filter);
    const found: GroupRecord[] = [];
    for await (const group of candidates) {
      const resource = this.resourceWithoutMembers(call, group);
      const matches =
        options.filter === undefined ||
        (await matchesGroupFilter(resource, options.filter, (memberId) => this.memberships.isMember(integrationId, group.id, memberId)));
      if (matches) found.push(group);
    }
    const page = found.slice(options.startIndex - 1, options.startIndex - 1 + options.count);
    return { totalResults: found.length, groups: page.map((group) => this.paged(call, group, options.includeMembers)) };
  }

  async create(call: GroupCall, body: unknown): Promise<Resource> {
    const { doc, members } = parseGroupInput(body);
    assertGroupFits(doc, members);
    const timestamp = this.now().toISOString();
    const group: GroupRecord = {
      id: randomBytes(16).toString('hex'),
      integrationId: call.integration.id,
      displayName: String(doc.displayName),
      enabled: false,
      created: timestamp,
      lastModified: timestamp,
      version: 1,
    };
    if (typeof doc.externalId === 'string') group.externalId = doc.externalId;
    // Written pending (version 0), shown once its members are in: a POST that stops half-way leaves nothing visible,
    // and its retry takes the pending group over instead of answering 409 for a group with some of its members.
    const pending = await this.createPending({ ...group, pending: true, version: 0 }, members.map((member) => member.value));
    await this.addMembers(call, pending.id, members);
    let created: GroupRecord;
    try {
      created = await this.groups.update(pending, group);
    } catch (error) {
      // Taken over meanwhile by another POST of the same displayName: that one wins.
      if (error instanceof ConcurrentUpdateError) throw conflict(`A group with displayName "${group.displayName}" already exists.`);
      throw error;
    }
    return this.render(call, created, true);
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
      if (holder?.pending !== true || attempt >= 2) throw conflict(`A group with displayName "${group.displayName}" already exists.`);
      try {
        // Guarded: a POST that shows its group meanwhile keeps it, and this one looks again (and answers 409).
        await this.groups.deleteIfUnchanged(holder);
      } catch (error) {
        if (error instanceof ConcurrentUpdateError) continue;
        throw error;
      }
      await this.memberships.remove(group.integrationId, holder.id, memberIds);
      await this.removeMembershipRowsOf(group.integrationId, holder.id);
    }
  }

  async patch(call: GroupCall, id: string, body: unknown): Promise<void> {
    await this.change(call, id, (group) => {
      const { doc, members } = applyGroupPatch({ displayName: group.displayName, ...(group.externalId === undefined ? {} : { externalId: group.externalId }) }, body);
      return { doc, delta: members };
    });
  }

  async replace(call: GroupCall, id: string, body: unknown): Promise<Resource> {
    const { doc, members } = parseGroupInput(body);
    const group = await this.change(call, id, () => ({ doc, delta: { removeAll: true, add: members, remove: [] } }));
    return this.render(call, group, true);
  }

  /**
   * Deletes the group row first (guarded; a racing rename or delete re-reads), then every membership row of it, on
   * either side. A PATCH adding members meanwhile checks the group after writing, so no row outlives the group; a
   * DELETE of a group already gone still clears its rows (an earlier attempt may have stopped half-way) and answers 404.
   */
  async delete(call: GroupCall, id: string): Promise<void> {
    const integrationId = call.integration.id;
    this.knownMembers.forget(integrationId, id);
    const deleted = await retryConcurrentUpdates(`group ${id}`, async () => {
      const group = await this.groups.get(integrationId, id);
      if (group === undefined) return false;
      assertIfMatch(call.ifMatch, weakVersionTag(group.version));
      await this.groups.delete(group);
      return true;
    });
    await this.removeMembershipRowsOf(integrationId, id);
    this.knownMembers.forget(integrationId, id);
    if (!deleted) throw notFound(`Resource ${id} not found`);
  }

  /** Every membership row of a deleted group, on either side: its members, and its places as a member of others. */
  private async removeMembershipRowsOf(integrationId: string, groupId: string): Promise<void> {
    await this.memberships.removeAll(integrationId, groupId);
    await this.memberships.removeMemberEverywhere(integrationId, groupId);
  }

  /** Admin: the integration's groups with their targeting switch. */
  async listForAdmin(integrationId: string): Promise<{ id: string; displayName: string; externalId?: string; enabled: boolean; created: string; lastModified: string }[]> {
    const groups = [];
    for await (const group of this.groups.list(integrationId)) {
      const { id, displayName, externalId, enabled, created, lastModified } = group;
      groups.push({ id, displayName, ...(externalId === undefined ? {} : { externalId }), enabled, created, lastModified });
    }
    return groups;
  }

  /** Admin: turn targeting on or off for a group. */
  async setEnabled(integrationId: string, id: string, enabled: boolean): Promise<GroupRecord | undefined> {
    return retryConcurrentUpdates(`group ${id}`, async () => {
      const group = await this.groups.get(integrationId, id);
      if (group === undefined) return undefined;
      return this.groups.update(group, { ...group, enabled, lastModified: this.now().toISOString() });
    });
  }

  /**
   * Applies a change: the group row first (ETag-guarded, retried; a displayName clash leaves everything as it was),
   * then the member rows, whose operations are idempotent.
   */
  private async change(
    call: GroupCall,
    id: string,
    compute: (group: GroupRecord) => { doc: Record<string, unknown>; delta: { removeAll: boolean; add: MemberInput[]; remove: string[] } },
  ): Promise<GroupRecord> {
    const integrationId = call.integration.id;
    const { saved, delta } = await retryConcurrentUpdates(`group ${id}`, async () => {
      const group = await this.require(call, id);
      assertIfMatch(call.ifMatch, weakVersionTag(group.version));
      const { doc, delta } = compute(group);
      assertGroupFits(doc, delta.add);
      const next: GroupRecord = { ...group, displayName: typeof doc.displayName === 'string' ? doc.displayName : group.displayName, lastModified: this.now().toISOString() };
      if (typeof doc.externalId === 'string') next.externalId = doc.externalId;
      else delete next.externalId;
      const unchanged = next.displayName === group.displayName && next.externalId === group.externalId;
      try {
        // Member-only PATCHes (most of Entra's) leave the group row alone, so they never contend on its ETag.
        return { saved: unchanged ? group : await this.groups.update(group, next), delta };
      } catch (error) {
        if (error instanceof KeyTakenError) throw conflict(`A group with displayName "${next.displayName}" already exists.`);
        throw error;
      }
    });
    if (delta.removeAll) await this.memberships.removeAll(integrationId, id);
    if (delta.remove.length > 0) await this.memberships.remove(integrationId, id, delta.remove);
    await this.addMembers(call, id, delta.add);
    return saved;
  }

  /**
   * Adds the members that exist in this integration (a visible user or one of its groups; unknown ids and the group
   * itself are ignored). Rows are written first and each member is checked after, with a fresh read, and so is the
   * group: a delete racing this write either comes before the check (which then takes the row back out) or after it
   * (and the deleter's clean-up, which runs after its delete, finds the row). The cache only guesses the type.
   */
  private async addMembers(call: GroupCall, groupId: string, members: MemberInput[]): Promise<void> {
    const integrationId = call.integration.id;
    const unique = new Map(members.filter((member) => member.value !== groupId).map((member) => [member.value, member]));
    if (unique.size === 0) return;
    const rows = [...unique.values()].map((member) => {
      const row: MemberRow = { value: member.value, type: member.type ?? this.knownMembers.get(integrationId, member.value) ?? 'User' };
      if (member.display !== undefined) row.display = member.display;
      return row;
    });
    await this.memberships.add(integrationId, groupId, rows);
    const gone: string[] = [];
    const retyped: MemberRow[] = [];
    await forEachBounded(rows, MEMBER_CHECK_PARALLELISM, async (row) => {
      const type = await this.memberType(integrationId, unique.get(row.value) as MemberInput);
      if (type === undefined) gone.push(row.value);
      else if (type !== row.type) retyped.push({ ...row, type });
    });
    if (gone.length > 0) await this.memberships.remove(integrationId, groupId, gone);
    if (retyped.length > 0) await this.memberships.add(integrationId, groupId, retyped);
    if ((await this.groups.get(integrationId, groupId, { includePending: true })) === undefined) {
      await this.memberships.remove(integrationId, groupId, rows.map((row) => row.value));
    }
  }

  /** What a member id is in this integration, read now (never from the cache, which only remembers the answer). */
  private async memberType(integrationId: string, member: MemberInput): Promise<'User' | 'Group' | undefined> {
    let type: 'User' | 'Group' | undefined;
    if (member.type !== 'Group') {
      const person = await this.people.getById(member.value);
      if (person !== undefined && isVisible(person, integrationId)) type = 'User';
    }
    if (type === undefined && member.type !== 'User' && (await this.groups.get(integrationId, member.value)) !== undefined) type = 'Group';
    if (type !== undefined) this.knownMembers.remember(integrationId, member.value, type);
    return type;
  }

  private async *candidates(integrationId: string, filter: FilterNode | undefined): AsyncGenerator<GroupRecord> {
    const id = filter === undefined ? undefined : pinnedGroupId(filter);
    if (id !== undefined) {
      const group = await this.groups.get(integrationId, id);
      if (group !== undefined) yield group;
      return;
    }
    const displayName = filter === undefined ? undefined : pinnedAttribute(filter, 'displayname');
    if (displayName !== undefined) {
      const group = await this.groups.findByDisplayName(integrationId, displayName);
      if (group !== undefined) yield group;
      return;
    }
    const externalId = filter === undefined ? undefined : pinnedAttribute(filter, 'externalid');
    if (externalId !== undefined) {
      yield* await this.groups.findByExternalId(integrationId, externalId);
      return;
    }
    yield* this.groups.list(integrationId);
  }

  private async require(call: GroupCall, id: string): Promise<GroupRecord> {
    const group = await this.groups.get(call.integration.id, id);
    if (group === undefined) throw notFound(`Resource ${id} not found`);
    return group;
  }

  private resourceWithoutMembers(call: GroupCall, group: GroupRecord): Resource {
    const resource: Resource = { schemas: [GROUP_SCHEMA], id: group.id };
    if (group.externalId !== undefined) resource.externalId = group.externalId;
    resource.displayName = group.displayName;
    resource.meta = {
      resourceType: 'Group',
      created: group.created,
      lastModified: group.lastModified,
      location: call.locationOf(group.id),
      version: weakVersionTag(group.version),
    };
    return resource;
  }

  /** The whole resource, members included (POST and PUT answers, whose members came in a bounded body). */
  private async render(call: GroupCall, group: GroupRecord, includeMembers: boolean): Promise<Resource> {
    const { resource, pages } = this.paged(call, group, includeMembers);
    if (pages === undefined) return resource;
    const members: Resource[] = [];
    for await (const page of pages) members.push(...page);
    return { ...resource, members };
  }

  private paged(call: GroupCall, group: GroupRecord, includeMembers: boolean): PagedGroup {
    const resource = this.resourceWithoutMembers(call, group);
    return includeMembers ? { resource, pages: this.memberPages(call, group) } : { resource };
  }

  /** Members as SCIM values, one storage page at a time; nothing is read until the first page is asked for. */
  private async *memberPages(call: GroupCall, group: GroupRecord): AsyncGenerator<Resource[]> {
    for await (const page of this.memberships.members(call.integration.id, group.id)) {
      yield page.map((member) => {
        const item: Resource = {
          value: member.value,
          $ref: member.type === 'Group' ? call.locationOf(member.value) : call.userLocationOf(member.value),
          type: member.type,
        };
        if (member.display !== undefined) item.display = member.display;
        return item;
      });
    }
  }
}
