// The members table: each membership is a group-side row (the source: PK m|<integration>|<group>, carrying the
// member's type and display) and its member-side twin (PK u|<integration>|<bucket>). A group-side row needs an existing
// group, a member the integration can see (a visible person, or one of its groups) and its twin; a member-side row
// needs its group-side twin and the keys its member and group give it. A clean-up journal entry (PK c|…) is a group
// clean-up that stopped half-way: finishing it settles its members' two sides. A departure (PK d) records a member that
// left a view (directory/member-departures.ts): any such row is sound, since a member add only reads a departed member
// once more.
import { isVisible } from '../directory/user-view.js';
import { encodeKey } from '../storage/keys.js';
import { DEPARTURES_PARTITION, isDepartureRowKey } from '../storage/departure-repository.js';
import { entryMemberIds } from '../storage/membership-clean-up-journal.js';
import { groupPartition, memberPartition, memberRowPrefix, MembershipRepository } from '../storage/membership-repository.js';
import { at, type CheckContext, type RowCheck } from './check-context.js';
import { createIfAbsent, deleteIfUnchanged, readRow, type Row } from './table-rows.js';

const GROUP_SIDE = /^m\|([^|]+)\|(.+)$/s;
const MEMBER_SIDE = /^u\|([^|]+)\|/;
const CLEAN_UP = /^c\|([^|]+)\|(.+)$/s;

export const checkMembersRow: RowCheck = async (row, context) => {
  if (row.partitionKey === DEPARTURES_PARTITION && isDepartureRowKey(row.rowKey)) return;
  const groupSide = GROUP_SIDE.exec(row.partitionKey);
  if (groupSide !== null) return checkGroupSideRow(row, groupSide[1] ?? '', groupSide[2] ?? '', context);
  const memberSide = MEMBER_SIDE.exec(row.partitionKey);
  if (memberSide !== null) return checkMemberSideRow(row, memberSide[1] ?? '', context);
  const cleanUp = CLEAN_UP.exec(row.partitionKey);
  if (cleanUp !== null && entryMemberIds(row) !== undefined) {
    const [integrationId, groupId] = [cleanUp[1] ?? '', cleanUp[2] ?? ''];
    return context.report({ kind: 'unfinished-membership-clean-up', ...at('members', row), detail: `a clean-up of group ${groupId} stopped half-way` }, async () => {
      await new MembershipRepository(context.tables.members).finishCleanUps(integrationId, groupId);
      return true;
    });
  }
  return context.report({ kind: 'unknown-row', ...at('members', row), detail: 'no row of the members table has this partition key' });
};

async function checkGroupSideRow(row: Row, integrationId: string, groupId: string, context: CheckContext): Promise<void> {
  const memberId = String(row.value);
  if (row.rowKey !== encodeKey(memberId)) {
    return context.report({ kind: 'misplaced-row', ...at('members', row), detail: `the row holds member ${memberId}, whose row key is another` });
  }
  const twin = { partitionKey: memberPartition(integrationId, memberId), rowKey: memberRowPrefix(memberId) + groupId };
  const orphaned = !(await groupExists(integrationId, groupId, context))
    ? `group ${groupId} does not exist`
    : !(await memberVisible(integrationId, memberId, row.type === 'Group' ? 'Group' : 'User', context))
      ? `member ${memberId} is not in integration ${integrationId}'s view`
      : undefined;
  if (orphaned !== undefined) {
    return context.report({ kind: 'orphan-membership', ...at('members', row), detail: orphaned }, async () => {
      const twinRow = await readRow(context.tables.members, twin.partitionKey, twin.rowKey);
      if (twinRow !== undefined && !(await deleteIfUnchanged(context.tables.members, twinRow))) return false;
      return deleteIfUnchanged(context.tables.members, row);
    });
  }
  if ((await readRow(context.tables.members, twin.partitionKey, twin.rowKey)) !== undefined) return;
  await context.report(
    { kind: 'missing-member-side-row', table: 'members', ...twin, detail: `member ${memberId} of group ${groupId} has no member-side row` },
    () => createIfAbsent(context.tables.members, { ...twin, groupId, memberId }),
  );
}

async function checkMemberSideRow(row: Row, integrationId: string, context: CheckContext): Promise<void> {
  const groupId = String(row.groupId);
  const memberId = String(row.memberId);
  const placed = row.partitionKey === memberPartition(integrationId, memberId) && row.rowKey === memberRowPrefix(memberId) + groupId;
  const why = !placed
    ? `its keys do not match member ${memberId} and group ${groupId}`
    : (await readRow(context.tables.members, groupPartition(integrationId, groupId), encodeKey(memberId))) === undefined
      ? `group ${groupId} does not list member ${memberId}`
      : undefined;
  if (why === undefined) return;
  await context.report({ kind: 'stale-member-side-row', ...at('members', row), detail: why }, () => deleteIfUnchanged(context.tables.members, row));
}

function groupExists(integrationId: string, groupId: string, context: CheckContext): Promise<boolean> {
  return context.remember(`group|${integrationId}|${groupId}`, async () => (await context.groups.get(integrationId, groupId)) !== undefined);
}

function memberVisible(integrationId: string, memberId: string, type: 'User' | 'Group', context: CheckContext): Promise<boolean> {
  if (type === 'Group') return groupExists(integrationId, memberId, context);
  return context.remember(`user|${integrationId}|${memberId}`, async () => {
    const person = await context.people.getById(memberId);
    return person !== undefined && isVisible(person, integrationId);
  });
}
