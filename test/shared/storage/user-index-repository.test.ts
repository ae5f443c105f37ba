// UserIndexRepository against Azurite: one partition per (scope, attribute, value), written and pruned by diff.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableClients } from '../../../shared/storage/table-clients.js';
import { createFreshTables, dropTables } from '../../support/fresh-tables.js';
import { wrapTableMethod } from '../../support/table-method-wrap.js';
import { UserIndexRepository } from '../../../shared/storage/user-index-repository.js';
import type { IndexEntry } from '../../../shared/directory/model/stores.js';
import { ConcurrentUpdateError } from '../../../shared/storage/storage-errors.js';

let tables: TableClients;
let repo: UserIndexRepository;

beforeAll(async () => {
  tables = await createFreshTables();
  repo = new UserIndexRepository(tables.userindex);
});
afterAll(async () => {
  await dropTables(tables);
});

let counter = 0;
const newId = (): string => `${(counter++).toString(16).padStart(2, '0')}${randomBytes(15).toString('hex')}`;
/** A value unique to this test, so partitions do not leak between tests. */
const unique = (label: string): string => `${label}-${counter++}`;
const entry = (scope: string, attr: string, value: string): IndexEntry => ({ scope, attr, value });

async function rowCount(): Promise<number> {
  let n = 0;
  for await (const _row of tables.userindex.listEntities()) n++;
  return n;
}


describe('UserIndexRepository', () => {
  it('finds the people indexed under a value', async () => {
    const value = unique('dept');
    const [a, b] = [newId(), newId()];
    await repo.addMissing(a, [], [entry('int1', 'displayName', value)], 1);
    await repo.addMissing(b, [], [entry('int1', 'displayName', value)], 1);
    expect((await repo.find(entry('int1', 'displayName', value)))?.sort()).toEqual([a, b].sort());
    expect(await repo.find(entry('int1', 'displayName', unique('none')))).toEqual([]);
  });

  it('keeps scopes, attributes and values apart, and compares values exactly', async () => {
    const value = unique('Same');
    const id = newId();
    await repo.addMissing(id, [], [entry('int1', 'externalId', value)], 1);
    expect(await repo.find(entry('int1', 'externalId', value))).toEqual([id]);
    expect(await repo.find(entry('int2', 'externalId', value))).toEqual([]);
    expect(await repo.find(entry('cm', 'externalId', value))).toEqual([]);
    expect(await repo.find(entry('int1', 'email', value))).toEqual([]);
    expect(await repo.find(entry('int1', 'externalId', value.toLowerCase()))).toEqual([]);
    expect(await repo.find(entry('int1', 'externalId', `${value}x`))).toEqual([]);
  });

  it('indexes values with characters keys cannot hold, and long values', async () => {
    const odd = `${unique('a/b\\c#d?e%')}\u0001'|`;
    const long = `${unique('long')}${'x'.repeat(600)}`;
    const id = newId();
    await repo.addMissing(id, [], [entry('int1', 'externalId', odd), entry('int1', 'externalId', long)], 1);
    expect(await repo.find(entry('int1', 'externalId', odd))).toEqual([id]);
    expect(await repo.find(entry('int1', 'externalId', long))).toEqual([id]);
    expect(await repo.find(entry('int1', 'externalId', `${long}y`))).toEqual([]);
  });

  it('addMissing writes only the entries that `before` lacks, once each', async () => {
    const id = newId();
    const kept = entry('int1', 'email', unique('kept@x'));
    const fresh = entry('int1', 'email', unique('fresh@x'));
    const start = await rowCount();
    await repo.addMissing(id, [], [kept], 1);
    // Remove the kept row behind the repository's back: a diff-based write must not bring it back.
    await tables.userindex.deleteEntity(`int1|email|${kept.value}`, id);
    await repo.addMissing(id, [kept], [kept, fresh, { ...fresh }], 1);
    expect(await repo.find(kept)).toEqual([]);
    expect(await repo.find(fresh)).toEqual([id]);
    expect(await rowCount()).toBe(start + 1);
  });

  it('removeStale removes only the entries that `after` lacks and tolerates missing rows', async () => {
    const id = newId();
    const other = newId();
    const stay = entry('int1', 'displayName', unique('stay'));
    const go = entry('int1', 'displayName', unique('go'));
    const never = entry('int1', 'displayName', unique('never-written'));
    await repo.addMissing(id, [], [stay, go], 1);
    await repo.addMissing(other, [], [go], 1);
    await repo.removeStale(id, [stay, go, go, never], [stay], 2);
    expect(await repo.find(stay)).toEqual([id]);
    expect(await repo.find(go)).toEqual([other]);
    await expect(repo.removeStale(id, [go], [], 3)).resolves.toBeUndefined();
  });

  it('stamps each row with the version it was claimed for, and a claim only ever raises the stamp', async () => {
    const id = newId();
    const value = entry('int1', 'externalId', unique('stamped'));
    const stamp = async (): Promise<unknown> => (await tables.userindex.getEntity(`int1|externalId|${value.value}`, id)).v;
    await repo.addMissing(id, [], [value], 3);
    expect(await stamp()).toBe(3);
    await repo.addMissing(id, [], [value], 5); // a row left by an older claim: raised
    expect(await stamp()).toBe(5);
    await repo.addMissing(id, [], [value], 4); // a claim for an older version landing late: leaves it
    expect(await stamp()).toBe(5);
    await tables.userindex.upsertEntity({ partitionKey: `int1|externalId|${value.value}`, rowKey: id }, 'Replace'); // written before stamps
    await repo.addMissing(id, [], [value], 2);
    expect(await stamp()).toBe(2);
  });

  it('removeStale leaves a row claimed for a later version than the one that dropped the value (a writer brought it back)', async () => {
    const id = newId();
    const value = entry('int1', 'externalId', unique('back'));
    await repo.addMissing(id, [], [value], 1);
    await repo.addMissing(id, [], [value], 3); // version 2 dropped the value, version 3 brings it back
    await repo.removeStale(id, [value], [], 2);
    expect(await repo.find(value)).toEqual([id]);
    await repo.removeStale(id, [value], [], 3); // a version 3 without it (that claim's write lost): removed
    expect(await repo.find(value)).toEqual([]);
  });

  it('removeStale fails its ETag when a claim raised the row after it was read, and then leaves it', async () => {
    const id = newId();
    const value = entry('int1', 'externalId', unique('raised'));
    await repo.addMissing(id, [], [value], 1);
    let claimed = false;
    // The remover reads the row (stamped 1); before its delete, a writer claims the value for version 3.
    const racing = wrapTableMethod(tables.userindex, 'deleteEntity', async (call, args) => {
      if (!claimed) {
        claimed = true;
        await repo.addMissing(id, [], [value], 3);
      }
      return call(...args);
    });
    await new UserIndexRepository(racing).removeStale(id, [value], [], 2);
    expect(claimed).toBe(true);
    expect(await repo.find(value)).toEqual([id]);
  });

  it('a claim whose row is removed between its conflict and its read creates the row again', async () => {
    const id = newId();
    const value = entry('int1', 'email', unique('gone@x'));
    await repo.addMissing(id, [], [value], 1);
    const partitionKey = `int1|email|${value.value}`;
    let removed = false;
    const racing = wrapTableMethod(tables.userindex, 'getEntity', async (call, args) => {
      if (!removed) {
        removed = true;
        await tables.userindex.deleteEntity(partitionKey, id);
      }
      return call(...args);
    });
    await new UserIndexRepository(racing).addMissing(id, [], [value], 2);
    expect(removed).toBe(true);
    expect((await tables.userindex.getEntity(partitionKey, id)).v).toBe(2);
  });

  it('a claim whose row keeps changing under it gives up as a race for the writer to retry (ConcurrentUpdateError), not a fault', async () => {
    const id = newId();
    const value = entry('int1', 'email', unique('churn@x'));
    const partitionKey = `int1|email|${value.value}`;
    await repo.addMissing(id, [], [value], 1);
    let rewrites = 0;
    // Before every raise, another writer rewrites the row (same stamp, new ETag): the raise fails its ETag each time.
    const churning = wrapTableMethod(tables.userindex, 'updateEntity', async (call, args) => {
      rewrites++;
      await tables.userindex.upsertEntity({ partitionKey, rowKey: id, v: 1 }, 'Replace');
      return call(...args);
    });
    await expect(new UserIndexRepository(churning).addMissing(id, [], [value], 2)).rejects.toBeInstanceOf(ConcurrentUpdateError);
    expect(rewrites).toBe(8);
  });

  it('moves a person from one value to another with addMissing then removeStale', async () => {
    const id = newId();
    const before = [entry('int1', 'email', unique('old@x')), entry('cm', 'email', unique('cm@x'))];
    const after = [entry('int1', 'email', unique('new@x')), before[1]!];
    await repo.addMissing(id, [], before, 1);
    await repo.addMissing(id, before, after, 2);
    await repo.removeStale(id, before, after, 2);
    expect(await repo.find(before[0]!)).toEqual([]);
    expect(await repo.find(after[0]!)).toEqual([id]);
    expect(await repo.find(before[1]!)).toEqual([id]);
  });
});
