// UserIndexRepository against Azurite: one partition per (scope, attribute, value), written and pruned by diff.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableClients } from '../../../shared/storage/table-clients.js';
import { createFreshTables, dropTables } from '../../support/fresh-tables.js';
import { UserIndexRepository } from '../../../shared/storage/user-index-repository.js';
import type { IndexEntry } from '../../../shared/directory/model/stores.js';

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

const noEntries = (): Promise<IndexEntry[]> => Promise.resolve([]);
const entriesOf = (...entries: IndexEntry[]) => (): Promise<IndexEntry[]> => Promise.resolve(entries);

describe('UserIndexRepository', () => {
  it('finds the people indexed under a value', async () => {
    const value = unique('dept');
    const [a, b] = [newId(), newId()];
    await repo.addMissing(a, [], [entry('int1', 'displayName', value)]);
    await repo.addMissing(b, [], [entry('int1', 'displayName', value)]);
    expect((await repo.find(entry('int1', 'displayName', value)))?.sort()).toEqual([a, b].sort());
    expect(await repo.find(entry('int1', 'displayName', unique('none')))).toEqual([]);
  });

  it('keeps scopes, attributes and values apart, and compares values exactly', async () => {
    const value = unique('Same');
    const id = newId();
    await repo.addMissing(id, [], [entry('int1', 'externalId', value)]);
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
    await repo.addMissing(id, [], [entry('int1', 'externalId', odd), entry('int1', 'externalId', long)]);
    expect(await repo.find(entry('int1', 'externalId', odd))).toEqual([id]);
    expect(await repo.find(entry('int1', 'externalId', long))).toEqual([id]);
    expect(await repo.find(entry('int1', 'externalId', `${long}y`))).toEqual([]);
  });

  it('addMissing writes only the entries that `before` lacks, once each', async () => {
    const id = newId();
    const kept = entry('int1', 'email', unique('kept@x'));
    const fresh = entry('int1', 'email', unique('fresh@x'));
    const start = await rowCount();
    await repo.addMissing(id, [], [kept]);
    // Remove the kept row behind the repository's back: a diff-based write must not bring it back.
    await tables.userindex.deleteEntity(`int1|email|${kept.value}`, id);
    await repo.addMissing(id, [kept], [kept, fresh, { ...fresh }]);
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
    await repo.addMissing(id, [], [stay, go]);
    await repo.addMissing(other, [], [go]);
    await repo.removeStale(id, [stay, go, go, never], [stay], noEntries);
    expect(await repo.find(stay)).toEqual([id]);
    expect(await repo.find(go)).toEqual([other]);
    await expect(repo.removeStale(id, [go], [], noEntries)).resolves.toBeUndefined();
  });

  it('removeStale keeps a row the person has again by the time it is removed (a concurrent writer re-added it)', async () => {
    const id = newId();
    const value = entry('int1', 'externalId', unique('back'));
    await repo.addMissing(id, [], [value]);
    await repo.removeStale(id, [value], [], entriesOf(value));
    expect(await repo.find(value)).toEqual([id]);
  });

  it('removeStale fails its ETag when a writer reasserted the row after it was read', async () => {
    const id = newId();
    const value = entry('int1', 'externalId', unique('reasserted'));
    const [claim] = await repo.addMissing(id, [], [value]);
    // The remover reads the row, then the person (which does not have the value yet: the writer has not committed).
    await repo.removeStale(id, [value], [], async () => {
      await repo.reassert(id, [claim!], entriesOf(value)); // the writer commits and reasserts in between
      return [];
    });
    expect(await repo.find(value)).toEqual([id]);
  });

  it('reassert writes a row again that a removal took after the claim, while the person still has it', async () => {
    const id = newId();
    const value = entry('int1', 'email', unique('lost@x'));
    const [claim] = await repo.addMissing(id, [], [value]);
    await tables.userindex.deleteEntity(`int1|email|${value.value}`, id);
    await repo.reassert(id, [claim!], entriesOf(value));
    expect(await repo.find(value)).toEqual([id]);
    const [second] = await repo.addMissing(id, [], [value]);
    await tables.userindex.deleteEntity(`int1|email|${value.value}`, id);
    await repo.reassert(id, [second!], noEntries);
    expect(await repo.find(value)).toEqual([]);
  });

  it('moves a person from one value to another with addMissing then removeStale', async () => {
    const id = newId();
    const before = [entry('int1', 'email', unique('old@x')), entry('cm', 'email', unique('cm@x'))];
    const after = [entry('int1', 'email', unique('new@x')), before[1]!];
    await repo.addMissing(id, [], before);
    await repo.addMissing(id, before, after);
    await repo.removeStale(id, before, after, entriesOf(...after));
    expect(await repo.find(before[0]!)).toEqual([]);
    expect(await repo.find(after[0]!)).toEqual([id]);
    expect(await repo.find(before[1]!)).toEqual([id]);
  });
});
