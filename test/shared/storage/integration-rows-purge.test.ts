// The purge of a deleted integration's rows against Azurite: every key range it owns emptied a bounded page at a time,
// the range cursor only moving past empty ranges, a restart from an older cursor harmless, and another integration's
// rows (one whose id shares a prefix included) untouched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrationRowsRepository } from '../../../shared/storage/integration-rows-purge.js';
import type { TableClients } from '../../../shared/storage/table-clients.js';
import { createFreshTables, dropTables } from '../../support/fresh-tables.js';

let tables: TableClients;
beforeAll(async () => {
  tables = await createFreshTables();
});
afterAll(async () => dropTables(tables));

const GONE = 'aaaa0000aaaa0000aaaa0000aaaa0000';
const KEPT = 'aaaa0000aaaa0000aaaa0000aaaa00001'; // GONE is a prefix of it

async function seed(id: string): Promise<number> {
  const rows: [keyof TableClients, string, string][] = [
    ['groups', `g|${id}`, 'g:1'],
    ['groups', `g|${id}`, 'n:one'],
    ['groups', `g|${id}`, 'x:ext|1'],
    ['members', `m|${id}|1`, 'p1'],
    ['members', `m|${id}|1`, 'p2'],
    ['members', `m|${id}|2`, 'p1'],
    ['members', `u|${id}|0`, 'p1|1'],
    ['members', `u|${id}|3`, 'p2|1'],
    ['userindex', `${id}|displayName|ada`, 'p1'],
    ['userindex', `${id}|email|ada%40x`, 'p1'],
    ['attributes', id, 'username'],
    ['syncruns', id, 'lock'],
    ['people', 'b00', `s:${id}:ada`],
    ['people', 'b3f', `s:${id}:bob`],
  ];
  for (const [table, partitionKey, rowKey] of rows) await tables[table].createEntity({ partitionKey, rowKey, ref: 'x' });
  return rows.length;
}

async function count(id: string): Promise<number> {
  let found = 0;
  for (const table of Object.values(tables)) {
    for await (const entity of table.listEntities()) if (`${entity.partitionKey}/${entity.rowKey}`.split(/[|/:]/).includes(id)) found++;
  }
  return found;
}

describe('IntegrationRowsRepository', () => {
  it('empties every range of the integration in bounded pages, and only those', async () => {
    const seeded = await seed(GONE);
    const kept = await seed(KEPT);
    await tables.people.createEntity({ partitionKey: 'b00', rowKey: 'p:00abc', s_x: '{}' }); // a person row, not a pointer
    const purge = new IntegrationRowsRepository(tables);
    let range = 0;
    let total = 0;
    const ranges: number[] = [];
    for (let calls = 0; calls < 100; calls++) {
      const page = await purge.purgeNext(GONE, 2, range);
      if (page.deleted === 0) break;
      expect(page.deleted).toBeLessThanOrEqual(2);
      expect(page.range).toBeGreaterThanOrEqual(range);
      ranges.push(page.range);
      range = page.range;
      total += page.deleted;
    }
    expect(total).toBe(seeded);
    expect(new Set(ranges).size).toBeGreaterThanOrEqual(6);
    expect(await count(GONE)).toBe(0);
    expect(await count(KEPT)).toBe(kept);
    expect(await tables.people.getEntity('b00', 'p:00abc')).toBeDefined();
    // Restarting from the first range finds nothing more.
    expect(await purge.purgeNext(GONE, 2)).toEqual({ deleted: 0, range: 71 });
    expect(await purge.purgeNext('../bad', 2)).toEqual({ deleted: 0, range: 0 });
  });
});
