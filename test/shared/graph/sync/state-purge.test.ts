// A deleted integration's Graph sync state goes with it: the purge of its rows empties the planner's partition
// (delta links, user and group rows, run rows), and leaves another integration's alone.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GraphSyncStateStore } from '../../../../shared/graph/sync/sync-state-store.js';
import { IntegrationRowsRepository } from '../../../../shared/storage/integration-rows-purge.js';
import type { TableClients } from '../../../../shared/storage/table-clients.js';
import { createFreshTables, dropTables } from '../../../support/fresh-tables.js';

let tables: TableClients;
beforeAll(async () => {
  tables = await createFreshTables();
});
afterAll(async () => dropTables(tables));

async function seed(store: GraphSyncStateStore): Promise<void> {
  await store.setState({ usersDeltaLink: 'https://graph.microsoft.com/v1.0/users/delta?$deltatoken=x', lastFullAt: '2026-12-01T00:00:00Z' });
  await store.markUsersSeen('run1', false, [{ graphId: 'u1', personId: 'p1' }]);
  await store.markGroupsSeen('run1', false, [{ graphId: 'g1', groupId: 'group1' }]);
  await store.mergePlan('run1', { resync: true });
  await store.addChanged('run1', ['g1']);
}

it("purges the Graph sync state of a deleted integration, and only its", async () => {
  const gone = new GraphSyncStateStore(tables.syncruns, 'aaaa0000');
  const kept = new GraphSyncStateStore(tables.syncruns, 'aaaa00001');
  await seed(gone);
  await seed(kept);
  const purge = new IntegrationRowsRepository(tables);
  let range = 0;
  for (let page = 0; page < 50; page++) {
    const next = await purge.purgeNext('aaaa0000', 100, range);
    range = next.range;
    if (next.deleted === 0) break;
  }
  expect(await gone.getState()).toEqual({});
  expect(await gone.getUser('u1')).toBeUndefined();
  expect(await gone.getGroup('g1')).toBeUndefined();
  expect(await gone.getPlan('run1')).toEqual({});
  expect(await kept.getUser('u1')).toMatchObject({ personId: 'p1' });
  expect(await kept.getState()).toMatchObject({ lastFullAt: '2026-12-01T00:00:00Z' });
});
