// The groups table: per integration one partition holding each group row (the source) with its displayName
// uniqueness row and its externalId index row. Every group has both rows naming it (checked from the group), and every
// uniqueness or index row names a group whose current values put it there (checked from the row).
import { externalIdRowKey, nameRowKey } from '../storage/group-repository.js';
import { at, type CheckContext, type RowCheck } from './check-context.js';
import { deleteIfUnchanged, putIfUnchanged, readRow, type Row } from './table-rows.js';

const GROUP_PARTITION = /^g\|(.+)$/s;
const groupRowKey = (id: string): string => `g:${id}`;

export const checkGroupsRow: RowCheck = async (row, context) => {
  const integrationId = GROUP_PARTITION.exec(row.partitionKey)?.[1];
  if (integrationId !== undefined && row.rowKey.startsWith('g:')) return checkGroupRow(row, integrationId, context);
  if (integrationId !== undefined && row.rowKey.startsWith('n:')) return checkNameRow(row, context);
  if (integrationId !== undefined && row.rowKey.startsWith('x:')) return checkExternalIdRow(row, context);
  return context.report({ kind: 'unknown-row', ...at('groups', row), detail: 'no row of the groups table has these keys' });
};

async function checkGroupRow(row: Row, integrationId: string, context: CheckContext): Promise<void> {
  const id = String(row.id);
  if (row.rowKey !== groupRowKey(id)) {
    return context.report({ kind: 'misplaced-row', ...at('groups', row), detail: `the row holds group ${id}, whose row key is ${groupRowKey(id)}` });
  }
  if (!context.integrations.has(integrationId)) {
    await context.report({ kind: 'unknown-integration', ...at('groups', row), detail: `group ${id} belongs to integration ${integrationId}, which does not exist` });
  }
  await checkNamePresence(row, id, context);
  if (typeof row.externalId === 'string') await checkExternalIdPresence(row, id, row.externalId, context);
}

/** The group's displayName row must exist and name it. */
async function checkNamePresence(group: Row, id: string, context: CheckContext): Promise<void> {
  const rowKey = nameRowKey(String(group.displayName));
  const location = { table: 'groups' as const, partitionKey: group.partitionKey, rowKey };
  const existing = await readRow(context.tables.groups, group.partitionKey, rowKey);
  if (existing?.ref === id) return;
  if (existing !== undefined) {
    const holder = await groupOf(existing, context);
    if (holder !== undefined && nameRowKey(String(holder.displayName)) === rowKey) {
      return context.report({ kind: 'duplicate-group-name', ...location, detail: `groups ${String(holder.id)} and ${id} share this displayName` });
    }
  }
  const what = existing === undefined ? 'the row is missing' : `the row names ${String(existing.ref)}, which has another displayName`;
  await context.report({ kind: 'missing-group-name-row', ...location, detail: `group ${id} has this displayName but ${what}` }, () =>
    putIfUnchanged(context.tables.groups, { partitionKey: group.partitionKey, rowKey, ref: id }, existing, group),
  );
}

/** The group's externalId row must exist and name it. */
async function checkExternalIdPresence(group: Row, id: string, externalId: string, context: CheckContext): Promise<void> {
  const rowKey = externalIdRowKey(externalId, id);
  const existing = await readRow(context.tables.groups, group.partitionKey, rowKey);
  if (existing?.ref === id) return;
  await context.report(
    { kind: 'missing-group-external-id-row', table: 'groups', partitionKey: group.partitionKey, rowKey, detail: `group ${id} has an externalId but no row naming it` },
    () => putIfUnchanged(context.tables.groups, { partitionKey: group.partitionKey, rowKey, ref: id }, existing, group),
  );
}

async function checkNameRow(row: Row, context: CheckContext): Promise<void> {
  const group = await groupOf(row, context);
  if (group !== undefined && nameRowKey(String(group.displayName)) === row.rowKey) return;
  await reportStale('stale-group-name-row', row, group === undefined ? 'which does not exist' : 'whose displayName is another', context);
}

async function checkExternalIdRow(row: Row, context: CheckContext): Promise<void> {
  const group = await groupOf(row, context);
  if (group !== undefined && typeof group.externalId === 'string' && externalIdRowKey(group.externalId, String(group.id)) === row.rowKey) return;
  await reportStale('stale-group-external-id-row', row, group === undefined ? 'which does not exist' : 'whose externalId is another', context);
}

function reportStale(kind: 'stale-group-name-row' | 'stale-group-external-id-row', row: Row, why: string, context: CheckContext): Promise<void> {
  return context.report({ kind, ...at('groups', row), detail: `the row names group ${String(row.ref)}, ${why}` }, () => deleteIfUnchanged(context.tables.groups, row));
}

/** The group row a uniqueness or index row names (in the same partition). */
function groupOf(row: Row, context: CheckContext): Promise<Row | undefined> {
  return typeof row.ref === 'string' ? readRow(context.tables.groups, row.partitionKey, groupRowKey(row.ref)) : Promise.resolve(undefined);
}
