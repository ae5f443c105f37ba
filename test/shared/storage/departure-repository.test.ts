// The departures record in the members table: one partition, keyed by time, read as a window and pruned from below.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DepartureRepository, departureRowKey, DEPARTURES_PARTITION, isDepartureRowKey } from '../../../shared/storage/departure-repository.js';
import type { TableClients } from '../../../shared/storage/table-clients.js';
import { createFreshTables, dropTables } from '../../support/fresh-tables.js';

let tables: TableClients;
let repo: DepartureRepository;

beforeAll(async () => {
  tables = await createFreshTables();
  repo = new DepartureRepository(tables.members);
});
afterAll(async () => dropTables(tables));

async function rowKeys(): Promise<string[]> {
  const keys: string[] = [];
  for await (const row of tables.members.listEntities({ queryOptions: { filter: `PartitionKey eq '${DEPARTURES_PARTITION}'` } })) keys.push(String(row.rowKey));
  return keys;
}

describe('DepartureRepository', () => {
  it('lists the members recorded from a time on, whatever their number of digits', async () => {
    await repo.record(['early'], 9_000);
    await repo.record(['a', 'b', 'a'], 10_000);
    await repo.record(['c'], 123_456);
    expect(await repo.since(10_000)).toEqual(new Set(['a', 'b', 'c']));
    expect(await repo.since(10_001)).toEqual(new Set(['c']));
    expect(await repo.since(200_000)).toEqual(new Set());
    expect((await rowKeys()).every(isDepartureRowKey)).toBe(true);
    expect(departureRowKey(10_000, 'a')).toBe('000000000010000|a');
  });

  it('answers undefined when the window holds more than one read returns', async () => {
    const ids = Array.from({ length: 1001 }, (_, i) => `many${i}`);
    await repo.record(ids, 50_000_000);
    expect(await repo.since(50_000_000)).toBeUndefined();
    expect(await repo.since(50_000_001)).toEqual(new Set());
  });

  it('prunes at most the rows asked for, oldest first, and a second pruner of the same rows does no harm', async () => {
    await repo.pruneBefore(10_000_000, 1);
    expect(await rowKeys()).not.toContain(departureRowKey(9_000, 'early'));
    await Promise.all([repo.pruneBefore(10_000_000, 10), repo.pruneBefore(10_000_000, 10)]);
    const left = await rowKeys();
    expect(left.filter((key) => key < departureRowKey(10_000_000, ''))).toEqual([]);
    expect(left).toHaveLength(1001);
  });
});
