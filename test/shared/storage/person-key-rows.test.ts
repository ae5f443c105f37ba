// PersonKeyRows.claim when the pointer it examines keeps changing under it (several concurrent renames of one user in
// one integration: each claims, releases or re-asserts the same pointer). Soak seed 20261203, history 7,208: a PATCH
// renaming a user to a name only that user ever had answered "Another user already has this userName." after the
// pointer changed three times in a row. A row that keeps changing is a race for the caller to retry, never a name
// taken; KeyTakenError only when the row was seen naming another live holder.
import { randomBytes } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PersonRecord } from '../../../shared/directory/model/person-record.js';
import { keyRowOf, PersonKeyRows } from '../../../shared/storage/person-key-rows.js';
import { ConcurrentUpdateError, KeyTakenError } from '../../../shared/storage/storage-errors.js';
import type { TableClients } from '../../../shared/storage/table-clients.js';
import { createFreshTables, dropTables } from '../../support/fresh-tables.js';
import { wrapTableMethod } from '../../support/table-method-wrap.js';

let tables: TableClients;

beforeAll(async () => {
  tables = await createFreshTables();
});
afterAll(async () => {
  await dropTables(tables);
});

/** The table with every pointer update preceded by another writer's rewrite of the same row (same ref, new ETag). */
function churning(table: TableClient, rewrites: { count: number }): TableClient {
  return wrapTableMethod(table, 'updateEntity', async (call, args) => {
    const [entity] = args as [{ partitionKey: string; rowKey: string; ref?: unknown }];
    rewrites.count++;
    await table.upsertEntity({ partitionKey: entity.partitionKey, rowKey: entity.rowKey, ref: entity.ref }, 'Replace');
    return call(...args);
  });
}

const person = (id: string, scopedKeys: string[]): PersonRecord => ({ id, sources: {}, nameKeys: [], scopedKeys, version: 1, created: '2026-12-03T00:00:00.000Z' });

describe('PersonKeyRows.claim', () => {
  it('a pointer of the claiming person that keeps changing under the claim is a race to retry, not a name taken', async () => {
    const id = randomBytes(16).toString('hex');
    const key = `intc:n0-${randomBytes(4).toString('hex')}@contoso.com`;
    const row = keyRowOf('s', key, 'bzz');
    // The pointer exists and names the claiming person, who does not hold the key (yet): a rename in flight.
    await tables.people.createEntity({ partitionKey: row.partitionKey, rowKey: row.rowKey, ref: id });
    const rewrites = { count: 0 };
    const keys = new PersonKeyRows(churning(tables.people, rewrites), () => Promise.resolve(person(id, [])));
    const claim = keys.claim(row, id);
    await expect(claim).rejects.toBeInstanceOf(ConcurrentUpdateError);
    await expect(claim).rejects.not.toBeInstanceOf(KeyTakenError);
    expect(rewrites.count).toBe(3);
    // Quiet again, the same claim takes the row.
    await expect(new PersonKeyRows(tables.people, () => Promise.resolve(person(id, []))).claim(row, id)).resolves.toEqual(expect.any(String));
  });

  it('a pointer naming another person who holds the key is a name taken', async () => {
    const [holder, claimer] = [randomBytes(16).toString('hex'), randomBytes(16).toString('hex')];
    const key = `intc:taken-${randomBytes(4).toString('hex')}@contoso.com`;
    const row = keyRowOf('s', key, 'bzz');
    await tables.people.createEntity({ partitionKey: row.partitionKey, rowKey: row.rowKey, ref: holder });
    const keys = new PersonKeyRows(tables.people, (id) => Promise.resolve(id === holder ? person(holder, [key]) : undefined));
    await expect(keys.claim(row, claimer)).rejects.toBeInstanceOf(KeyTakenError);
  });
});
