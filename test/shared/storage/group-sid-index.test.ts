// GroupRepository against Azurite: a group's kind and on-premises SID are stored with it, and its SID index row
// (`s:<sid>|<id>`) is created, moved and deleted in the group's own transactions, so findByOnPremisesSid finds exactly
// the groups carrying the SID (two groups of one source may carry one: no uniqueness).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GroupRecord } from '../../../shared/directory/model/group-record.js';
import { GroupRepository, partitionOf } from '../../../shared/storage/group-repository.js';
import type { TableClients } from '../../../shared/storage/table-clients.js';
import { createFreshTables, dropTables } from '../../support/fresh-tables.js';

const NOW = '2026-01-01T00:00:00.000Z';
const SID = 'S-1-5-21-1004336348-1177238915-682003330-512';
let tables: TableClients;
let repo: GroupRepository;

beforeAll(async () => {
  tables = await createFreshTables();
  repo = new GroupRepository(tables.groups);
});
afterAll(async () => {
  await dropTables(tables);
});

const group = (displayName: string, fields: Partial<GroupRecord> = {}): GroupRecord => ({
  id: randomBytes(16).toString('hex'), integrationId: 'sids', displayName, enabled: false, created: NOW, lastModified: NOW, version: 1, ...fields,
});

async function sidRows(): Promise<string[]> {
  const rows: string[] = [];
  for await (const row of tables.groups.listEntities({ queryOptions: { filter: `PartitionKey eq '${partitionOf('sids')}' and RowKey ge 's:' and RowKey lt 's;'` } })) rows.push(String(row.rowKey));
  return rows.sort();
}

describe('the on-premises SID of a group', () => {
  it('is stored with its kind, indexed, moved and deleted with the group', async () => {
    const first = await repo.create(group('Sales', { kind: 'security', onPremisesSecurityIdentifier: SID }));
    const second = await repo.create(group('Sales (copy)', { kind: 'dynamic', onPremisesSecurityIdentifier: SID }));
    await repo.create(group('Plain'));
    expect(await repo.get('sids', first.id)).toMatchObject({ kind: 'security', onPremisesSecurityIdentifier: SID });
    expect((await repo.findByOnPremisesSid('sids', SID)).map((g) => g.id).sort()).toEqual([first.id, second.id].sort());
    // A SID that continues the one asked for is not a match.
    await repo.create(group('Longer', { onPremisesSecurityIdentifier: `${SID}|9` }));
    expect(await repo.findByOnPremisesSid('sids', SID)).toHaveLength(2);

    const moved = await repo.update(second, { ...second, onPremisesSecurityIdentifier: `${SID}0` });
    expect((await repo.findByOnPremisesSid('sids', SID)).map((g) => g.id)).toEqual([first.id]);
    expect((await repo.findByOnPremisesSid('sids', `${SID}0`)).map((g) => g.id)).toEqual([second.id]);
    const { onPremisesSecurityIdentifier: _sid, ...withoutSid } = moved;
    await repo.update(moved, withoutSid);
    expect(await repo.findByOnPremisesSid('sids', `${SID}0`)).toEqual([]);

    await repo.delete((await repo.get('sids', first.id)) as GroupRecord);
    expect(await repo.findByOnPremisesSid('sids', SID)).toEqual([]);
    expect(await sidRows()).toHaveLength(1);
  });
});
