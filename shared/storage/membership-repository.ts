// Group memberships, one row per membership on each side so both "members of a group" and "groups of a member" are
// partition queries:
//   by group   PK m|<integration>|<group id>         RK <member id>
//   by member  PK u|<integration>|<member bucket>     RK <member id>|<group id>
// Adding or removing k members costs O(k) row operations, batched 100 to an entity-group transaction per partition
// (one partition on the group side, at most 4 on the member side). Both sides are idempotent, so a retried PATCH
// converges even if an earlier attempt stopped half-way.
import { createHash } from 'node:crypto';
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { encodeKey, prefixUpperBound } from './keys.js';
import { isNotFound } from './storage-errors.js';
import { forEachBounded, submitChunked } from './transactions.js';

export interface MemberRow {
  value: string;
  type: 'User' | 'Group';
  display?: string;
}

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

export class MembershipRepository {
  constructor(private readonly table: TableClient) {}

  async add(integrationId: string, groupId: string, members: MemberRow[]): Promise<void> {
    const actions: TransactionAction[] = [];
    for (const member of members) {
      const row: Record<string, unknown> = {
        partitionKey: groupPartition(integrationId, groupId),
        rowKey: encodeKey(member.value),
        value: member.value,
        type: member.type,
      };
      if (member.display !== undefined) row.display = member.display;
      actions.push(['upsert', row as { partitionKey: string; rowKey: string }, 'Replace']);
      actions.push([
        'upsert',
        { partitionKey: memberPartition(integrationId, member.value), rowKey: memberRowPrefix(member.value) + groupId, groupId, memberId: member.value },
        'Replace',
      ]);
    }
    await submitChunked(this.table, actions);
  }

  /**
   * Removes memberships, both sides. The side a clean-up finds rows by (`foundBy`) is deleted last, so a removal cut
   * short leaves rows that the next clean-up still finds: a group's members are found on the group side, a member's
   * groups on the member side.
   */
  async remove(integrationId: string, groupId: string, memberIds: string[], foundBy: 'group' | 'member' = 'member'): Promise<void> {
    const groupSide: TransactionAction[] = [];
    const memberSide: TransactionAction[] = [];
    for (const memberId of new Set(memberIds)) {
      groupSide.push(['delete', { partitionKey: groupPartition(integrationId, groupId), rowKey: encodeKey(memberId) }]);
      memberSide.push(['delete', { partitionKey: memberPartition(integrationId, memberId), rowKey: memberRowPrefix(memberId) + groupId }]);
    }
    const [first, last] = foundBy === 'group' ? [memberSide, groupSide] : [groupSide, memberSide];
    await this.deleteAll(first);
    await this.deleteAll(last);
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

  /** Empties a group, page by page. */
  async removeAll(integrationId: string, groupId: string): Promise<void> {
    for await (const page of this.members(integrationId, groupId)) {
      await this.remove(integrationId, groupId, page.map((m) => m.value), 'group');
    }
  }

  /** Batch deletes; a chunk that fails because a row is already gone is retried row by row, ignoring 404s. */
  private async deleteAll(actions: TransactionAction[]): Promise<void> {
    await submitChunked(this.table, actions, async (chunk, error) => {
      if (!isNotFound(error)) throw error;
      await forEachBounded(chunk, 8, async (action) => {
        const entity = action[1];
        await this.table.deleteEntity(String(entity.partitionKey), String(entity.rowKey)).catch((e: unknown) => {
          if (!isNotFound(e)) throw e;
        });
      });
    });
  }
}
