// Group memberships, one row per membership on each side so both "members of a group" and "groups of a member" are
// partition queries:
//   by group   PK m|<integration>|<group id>         RK <member id>
//   by member  PK u|<integration>|<member bucket>     RK <member id>|<group id>
// Adding or removing k members costs O(k) row operations, batched 100 to an entity-group transaction per partition
// (one partition on the group side, at most 4 on the member side). Both sides are idempotent, so a retried PATCH
// converges even if an earlier attempt stopped half-way.
//
// The group side is the source and the member side follows it. The two sides are in different partitions, so a
// concurrent add and remove of one membership interleave their four writes (the remove deletes the group side, the add
// writes both sides, the remove deletes the member side). Every change therefore writes the group side first, the
// member side next, then settles: it reads the group side again and, where the row is not what it wrote, makes the
// member side follow and reads again. Whoever writes a member-side row last has read the group side after that write
// and seen it agree, and any later group-side write is followed by its writer's own settle, so the sides agree once
// the writers are done.
import { createHash } from 'node:crypto';
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import type { MemberRow } from '../directory/model/group-record.js';
import type { GroupMemberIds, GroupMemberRows, GroupMembers, MembershipStore } from '../directory/model/stores.js';
import { encodeKey, prefixUpperBound, ROW_KEYS_PER_QUERY, rowKeyQueryChunks } from './keys.js';
import { ConcurrentUpdateError, isNotFound } from './storage-errors.js';
import { forEachBounded, submitChunked, submitIgnoringGone } from './transactions.js';
import { MembershipCleanUpJournal } from './membership-clean-up-journal.js';

export type { MemberRow };

/**
 * Partitions of the member side per integration. Four keep a 100-member PATCH at five transactions while spreading
 * an integration's writes over 4 × 2,000 entities/s of partition throughput (Azure's published per-partition target).
 */
const MEMBER_BUCKETS = 4;
export const groupPartition = (integrationId: string, groupId: string): string => `m|${integrationId}|${groupId}`;
export function memberPartition(integrationId: string, memberId: string): string {
  const digest = createHash('sha1').update(memberId).digest();
  return `u|${integrationId}|${((digest[0] ?? 0) % MEMBER_BUCKETS).toString(16)}`;
}
export const memberRowPrefix = (memberId: string): string => `${encodeKey(memberId)}|`;

/** Member ids one range query of membersAmong covers at most. */
const RANGE_WINDOW = 100;
/** Row keys whose order is the same in JavaScript and in storage (code-unit order of printable ASCII). */
const ASCII_KEY = /^[\x20-\x7e]*$/;

/** Groups of one change settled at once (each settle runs its own reads in parallel). */
const GROUPS_SETTLED_AT_ONCE = 16;

/**
 * The changes merged by group, each member once: its row when added, undefined when removed (a transaction may not name
 * a row twice). Removals come first, so a member both removed and added is added; among additions the last one wins.
 */
function mergeChanges(changes: readonly GroupMemberRows[]): Map<string, Map<string, MemberRow | undefined>> {
  const byGroup = new Map<string, Map<string, MemberRow | undefined>>();
  const mergedOf = (groupId: string): Map<string, MemberRow | undefined> => {
    let merged = byGroup.get(groupId);
    if (merged === undefined) byGroup.set(groupId, (merged = new Map<string, MemberRow | undefined>()));
    return merged;
  };
  for (const { groupId, remove } of changes) for (const memberId of remove) mergedOf(groupId).set(memberId, undefined);
  for (const { groupId, add } of changes) for (const member of add) mergedOf(groupId).set(member.value, member);
  return byGroup;
}

/** Settling rounds before a membership that keeps flipping under concurrent writers is reported as a conflict. */
const MAX_SETTLE_ROUNDS = 8;

export class MembershipRepository implements MembershipStore {
  private readonly journal: MembershipCleanUpJournal;

  constructor(private readonly table: TableClient) {
    this.journal = new MembershipCleanUpJournal(table);
  }

  /**
   * Adds memberships: the group side, then the member side, then settles them. `afterWrites` (a caller's checks that
   * must follow both writes, such as whether each member still exists) runs alongside the settling reads.
   */
  async add(integrationId: string, groupId: string, members: MemberRow[], afterWrites?: () => Promise<void>): Promise<void> {
    await this.addToGroups(integrationId, [{ groupId, members }], afterWrites);
  }

  /** Adds memberships of several groups as one change (changeGroups). */
  async addToGroups(integrationId: string, adds: readonly GroupMembers[], afterWrites?: () => Promise<void>): Promise<void> {
    await this.changeGroups(integrationId, adds.map(({ groupId, members }) => ({ groupId, add: members, remove: [] })), afterWrites);
  }

  /** Removes memberships: the group side, then the member side, then settles them. */
  async remove(integrationId: string, groupId: string, memberIds: string[]): Promise<void> {
    await this.removeFromGroups(integrationId, [{ groupId, memberIds }]);
  }

  /** Removes memberships of several groups as one change (changeGroups). */
  async removeFromGroups(integrationId: string, removes: readonly GroupMemberIds[]): Promise<void> {
    await this.changeGroups(integrationId, removes.map(({ groupId, memberIds }) => ({ groupId, add: [], remove: memberIds })));
  }

  /**
   * Removes and adds memberships of several groups as one change: every group side (a group's removals and additions
   * in the same transactions), then every member side (rows of different groups share the member-side partitions, so
   * they share transactions too), then each group settled once. A member both removed and added is added, as if the
   * removals came first. `afterWrites` (a caller's checks that must follow both writes, such as whether each added
   * member still exists) runs alongside the settling reads.
   */
  async changeGroups(integrationId: string, changes: readonly GroupMemberRows[], afterWrites?: () => Promise<void>): Promise<void> {
    const byGroup = mergeChanges(changes);
    const groupSide: TransactionAction[] = [];
    const memberSide: TransactionAction[] = [];
    for (const [groupId, members] of byGroup) {
      for (const [memberId, member] of members) {
        if (member === undefined) {
          groupSide.push(['delete', { partitionKey: groupPartition(integrationId, groupId), rowKey: encodeKey(memberId) }]);
          memberSide.push(this.memberSideDelete(integrationId, groupId, memberId));
          continue;
        }
        const row: Record<string, unknown> = {
          partitionKey: groupPartition(integrationId, groupId),
          rowKey: encodeKey(member.value),
          value: member.value,
          type: member.type,
        };
        if (member.display !== undefined) row.display = member.display;
        groupSide.push(['upsert', row as { partitionKey: string; rowKey: string }, 'Replace']);
        memberSide.push(this.memberSideUpsert(integrationId, groupId, member.value));
      }
    }
    await submitIgnoringGone(this.table, groupSide);
    await submitIgnoringGone(this.table, memberSide);
    await Promise.all([
      forEachBounded([...byGroup], GROUPS_SETTLED_AT_ONCE, ([groupId, members]) =>
        this.settle(integrationId, groupId, new Map([...members].map(([memberId, member]) => [memberId, member !== undefined]))),
      ),
      afterWrites?.(),
    ]);
  }

  async isMember(integrationId: string, groupId: string, memberId: string): Promise<boolean> {
    try {
      await this.table.getEntity(groupPartition(integrationId, groupId), encodeKey(memberId));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /** Members of a group, streamed one storage page at a time. */
  async *members(integrationId: string, groupId: string, pageSize = 1000): AsyncGenerator<MemberRow[]> {
    const pk = groupPartition(integrationId, groupId);
    const pages = this.table
      .listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${pk}` } })
      .byPage({ maxPageSize: pageSize });
    for await (const page of pages) {
      yield page.map((row) => {
        const member: MemberRow = { value: String(row.value), type: row.type === 'Group' ? 'Group' : 'User' };
        if (typeof row.display === 'string') member.display = row.display;
        return member;
      });
    }
  }

  /** Ids of the groups (of this integration) that list the member directly. */
  async groupsOf(integrationId: string, memberId: string): Promise<string[]> {
    const pk = memberPartition(integrationId, memberId);
    const from = memberRowPrefix(memberId);
    const to = prefixUpperBound(from);
    const groups: string[] = [];
    const rows = this.table.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${pk} and RowKey ge ${from} and RowKey lt ${to}`, select: ['groupId'] },
    });
    for await (const row of rows) groups.push(String(row.groupId));
    return groups;
  }

  /** Removes every membership of the member in this integration's groups. */
  async removeMemberEverywhere(integrationId: string, memberId: string): Promise<void> {
    const groups = await this.groupsOf(integrationId, memberId);
    await forEachBounded(groups, 8, (groupId) => this.remove(integrationId, groupId, [memberId]));
  }

  /**
   * Empties a group, page by page. A group's rows are found from its group side, which goes first, so each chunk is
   * written to a clean-up journal before it is removed: a clean-up cut short between the two sides leaves a journal
   * entry, and the next clean-up of the group (a retried DELETE or PUT) settles those members before it goes on.
   */
  async removeAll(integrationId: string, groupId: string): Promise<void> {
    await this.finishCleanUps(integrationId, groupId);
    for await (const page of this.members(integrationId, groupId)) {
      await forEachBounded(this.journal.chunk(page.map((member) => member.value)), 4, async (memberIds) => {
        const entry = await this.journal.open(integrationId, groupId, memberIds);
        await this.remove(integrationId, groupId, memberIds);
        await this.journal.close(entry);
      });
    }
  }

  /** Settles the members of every clean-up of the group that stopped half-way, then closes their journal entries. */
  async finishCleanUps(integrationId: string, groupId: string): Promise<void> {
    for (const entry of await this.journal.openEntries(integrationId, groupId)) {
      await this.settle(integrationId, groupId, new Map(entry.memberIds.map((memberId) => [memberId, undefined])));
      await this.journal.close(entry);
    }
  }

  /**
   * Makes the member side of these memberships follow the group side, whatever either side holds now: what a change cut
   * short between the two sides leaves to whoever knows which members it touched (a Graph step's journal).
   */
  async settleMembers(integrationId: string, groupId: string, memberIds: readonly string[]): Promise<void> {
    await this.settle(integrationId, groupId, new Map(memberIds.map((memberId) => [memberId, undefined])));
  }

  /**
   * Makes the member side follow the group side. `wrote` holds what this caller last wrote on the member side for each
   * member (present or absent; undefined when unknown, e.g. after a crash): the group side is read, each member whose
   * member side differs from it is rewritten, and those are read again until the two agree.
   */
  private async settle(integrationId: string, groupId: string, wrote: Map<string, boolean | undefined>): Promise<void> {
    let pending = wrote;
    for (let round = 0; pending.size > 0; round++) {
      if (round === MAX_SETTLE_ROUNDS) throw new ConcurrentUpdateError(`memberships of group ${groupId} keep changing`);
      const present = await this.membersAmong(integrationId, groupId, [...pending.keys()]);
      const differing = [...pending].filter(([memberId, written]) => written !== present.has(memberId)).map(([memberId]) => memberId);
      const upserts = differing.filter((memberId) => present.has(memberId));
      const deletes = differing.filter((memberId) => !present.has(memberId));
      await Promise.all([
        submitChunked(this.table, upserts.map((memberId) => this.memberSideUpsert(integrationId, groupId, memberId))),
        submitIgnoringGone(this.table, deletes.map((memberId) => this.memberSideDelete(integrationId, groupId, memberId))),
      ]);
      pending = new Map(differing.map((memberId) => [memberId, present.has(memberId)]));
    }
  }

  /**
   * Which of these members the group side lists now. Many ids are read in windows of up to RANGE_WINDOW consecutive
   * row keys, each window's key range in one query when the group side holds few other rows there (a large add, or
   * most of a group); a window whose range holds more than twice its ids, and few ids, are read 14 to a query.
   */
  async membersAmong(integrationId: string, groupId: string, memberIds: string[]): Promise<Set<string>> {
    const pk = groupPartition(integrationId, groupId);
    const byKey = new Map(memberIds.map((memberId) => [encodeKey(memberId), memberId]));
    const present = new Set<string>();
    const rangeable = byKey.size > ROW_KEYS_PER_QUERY && [...byKey.keys()].every((key) => ASCII_KEY.test(key));
    const keys = rangeable ? [...byKey.keys()].sort() : [];
    const windows: string[][] = [];
    for (let index = 0; index < keys.length; index += RANGE_WINDOW) windows.push(keys.slice(index, index + RANGE_WINDOW));
    const unread: string[] = rangeable ? [] : [...byKey.keys()];
    await forEachBounded(windows, 8, async (window) => {
      if (!(await this.readRange(pk, window, present))) unread.push(...window.filter((key) => !present.has(byKey.get(key) as string)));
    });
    await forEachBounded(rowKeyQueryChunks(unread), 8, async (chunk) => {
      const rowKeys = chunk.map((key) => odata`RowKey eq ${key}`).join(' or ');
      const rows = this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: `${odata`PartitionKey eq ${pk}`} and (${rowKeys})`, select: ['value'] } });
      for await (const row of rows) present.add(String(row.value));
    });
    return present;
  }

  /**
   * One query for the group-side rows from the window's first key to its last, at most twice the window's size: adds
   * those of the window's members to `present`. False when the range holds more rows, so the members not seen are
   * undecided (the page answered may stop anywhere in the range).
   */
  private async readRange(pk: string, window: readonly string[], present: Set<string>): Promise<boolean> {
    const wanted = new Set(window);
    const filter = odata`PartitionKey eq ${pk} and RowKey ge ${window[0] ?? ''} and RowKey le ${window.at(-1) ?? ''}`;
    const pages = this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter, select: ['value'] } }).byPage({ maxPageSize: 2 * window.length });
    const page = await pages.next();
    if (page.done === true) return true;
    for (const row of page.value) if (wanted.has(encodeKey(String(row.value)))) present.add(String(row.value));
    return page.value.continuationToken === undefined;
  }

  private memberSideUpsert(integrationId: string, groupId: string, memberId: string): TransactionAction {
    return ['upsert', { partitionKey: memberPartition(integrationId, memberId), rowKey: memberRowPrefix(memberId) + groupId, groupId, memberId }, 'Replace'];
  }

  private memberSideDelete(integrationId: string, groupId: string, memberId: string): TransactionAction {
    return ['delete', { partitionKey: memberPartition(integrationId, memberId), rowKey: memberRowPrefix(memberId) + groupId }];
  }
}
