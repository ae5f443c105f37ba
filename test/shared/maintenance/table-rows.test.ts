// The checker's repairs never overwrite or delete a row that changed since it was read: each write is guarded by
// the ETag of the row it replaces and, for a derived copy, of the row it derives from.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIfAbsent, deleteIfUnchanged, pagesOf, putIfUnchanged, readRow } from '../../../shared/maintenance/table-rows.js';
import type { TableClients } from '../../../shared/storage/table-clients.js';
import { createFreshTables, dropTables } from '../../support/fresh-tables.js';

let tables: TableClients;
beforeAll(async () => {
  tables = await createFreshTables();
});
afterAll(async () => dropTables(tables));

const read = async (rowKey: string) => {
  const row = await readRow(tables.people, 'p', rowKey);
  if (row === undefined) throw new Error(`row ${rowKey} is missing`);
  return row;
};

describe('guarded repairs', () => {
  it('deletes a row only as it was read', async () => {
    await tables.people.createEntity({ partitionKey: 'p', rowKey: 'd', n: 1 });
    const before = await read('d');
    await tables.people.updateEntity({ partitionKey: 'p', rowKey: 'd', n: 2 }, 'Merge');
    expect(await deleteIfUnchanged(tables.people, before)).toBe(false);
    expect((await read('d')).n).toBe(2);
    expect(await deleteIfUnchanged(tables.people, await read('d'))).toBe(true);
    expect(await readRow(tables.people, 'p', 'd')).toBeUndefined();
    expect(await deleteIfUnchanged(tables.people, before)).toBe(false);
  });

  it('creates a row only where none is', async () => {
    expect(await createIfAbsent(tables.people, { partitionKey: 'p', rowKey: 'c', n: 1 })).toBe(true);
    expect(await createIfAbsent(tables.people, { partitionKey: 'p', rowKey: 'c', n: 2 })).toBe(false);
    expect((await read('c')).n).toBe(1);
  });

  it('replaces a row only as it was read, and only while the row it derives from is as read', async () => {
    await tables.people.createEntity({ partitionKey: 'p', rowKey: 'source', n: 1 });
    await tables.people.createEntity({ partitionKey: 'p', rowKey: 'copy', n: 0 });
    const source = await read('source');
    const copy = await read('copy');
    await tables.people.updateEntity({ partitionKey: 'p', rowKey: 'source', n: 2 }, 'Merge');
    expect(await putIfUnchanged(tables.people, { partitionKey: 'p', rowKey: 'copy', n: 1 }, copy, source)).toBe(false);
    expect((await read('copy')).n).toBe(0);
    expect(await putIfUnchanged(tables.people, { partitionKey: 'p', rowKey: 'copy', n: 2 }, copy, await read('source'))).toBe(true);
    expect((await read('copy')).n).toBe(2);
    expect(await putIfUnchanged(tables.people, { partitionKey: 'p', rowKey: 'copy', n: 3 }, copy)).toBe(false);
    expect(await putIfUnchanged(tables.people, { partitionKey: 'p', rowKey: 'fresh', n: 1 }, undefined, await read('source'))).toBe(true);
    expect(await putIfUnchanged(tables.people, { partitionKey: 'p', rowKey: 'fresh', n: 9 }, undefined)).toBe(false);
  });
});

describe('pagesOf', () => {
  it('walks a table in pages of the size asked, and a table that does not exist as empty', async () => {
    const pages: number[] = [];
    for await (const page of pagesOf(tables.people, 2)) pages.push(page.length);
    expect(pages.every((size) => size <= 2)).toBe(true);
    expect(pages.reduce((a, b) => a + b, 0)).toBe(4);
    await tables.people.deleteTable();
    const none: unknown[] = [];
    for await (const page of pagesOf(tables.people, 2)) none.push(...page);
    expect(none).toEqual([]);
    await tables.people.createTable();
  });
});
