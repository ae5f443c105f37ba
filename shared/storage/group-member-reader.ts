// The group side of memberships (membership-repository.ts: PK m|<integration>|<group>, RK the member's id) read for
// the admin API and audiences: a page of a group's members from a storage continuation token, and the user members
// whose ids lie in a range (a person-id shard is one RowKey range query).
import { odata, type TableClient } from '@azure/data-tables';
import type { MemberRow } from '../directory/model/group-record.js';
import type { GroupMemberIndex, MemberPage } from '../directory/model/targeting-attribute.js';
import { groupPartition } from './membership-repository.js';

const toMember = (row: { value?: unknown; type?: unknown; display?: unknown }): MemberRow => {
  const member: MemberRow = { value: String(row.value), type: row.type === 'Group' ? 'Group' : 'User' };
  if (typeof row.display === 'string') member.display = row.display;
  return member;
};

export class GroupMemberReader implements GroupMemberIndex {
  constructor(private readonly table: TableClient) {}

  async userIdsInRange(integrationId: string, groupId: string, range: { from: string; to: string }): Promise<string[]> {
    const pk = groupPartition(integrationId, groupId);
    const filter = odata`PartitionKey eq ${pk} and RowKey ge ${range.from} and RowKey lt ${range.to}`;
    const ids: string[] = [];
    for await (const page of this.table.listEntities<{ value?: unknown; type?: unknown }>({ queryOptions: { filter, select: ['value', 'type'] } }).byPage({ maxPageSize: 1000 })) {
      for (const row of page) if (row.type !== 'Group') ids.push(String(row.value));
    }
    return ids;
  }

  async page(integrationId: string, groupId: string, options: { pageSize: number; continuationToken?: string }): Promise<MemberPage> {
    const pk = groupPartition(integrationId, groupId);
    const pages = this.table
      .listEntities<{ value?: unknown; type?: unknown; display?: unknown }>({ queryOptions: { filter: odata`PartitionKey eq ${pk}`, select: ['value', 'type', 'display'] } })
      .byPage({ maxPageSize: options.pageSize, ...(options.continuationToken === undefined ? {} : { continuationToken: options.continuationToken }) });
    for await (const page of pages) {
      return { members: page.map(toMember), ...(page.continuationToken === undefined ? {} : { continuationToken: page.continuationToken }) };
    }
    return { members: [] };
  }
}
