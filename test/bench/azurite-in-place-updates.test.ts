// The Graph bench's Azurite writes a replace or a merge of an existing entity into the stored document instead of
// removing and re-inserting it: every answer (entities, ETags changing, 412 on a stale ETag, 404 on a missing entity,
// a failed transaction rolled back) must be Azurite's own.
import { TableClient, type TransactionAction } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inPlaceWriteCount, updateEntitiesInPlace } from '../../bench/azurite-in-place-updates.js';
import { type RunningAzurite, startAzurite } from '../../local/azurite.js';

/** Runs the same writes on a fresh table and answers what each returned and what the table holds at the end. */
async function scenario(azurite: RunningAzurite, tableName: string): Promise<unknown[]> {
  const table = TableClient.fromConnectionString(azurite.connectionString, tableName, { allowInsecureConnection: true });
  await table.createTable();
  const seen: unknown[] = [];
  const outcome = async (what: string, write: () => Promise<unknown>): Promise<void> => {
    try {
      await write();
      seen.push(`${what}: ok`);
    } catch (error) {
      seen.push(`${what}: ${(error as { statusCode?: number }).statusCode ?? String(error)}`);
    }
  };
  const etagOf = async (rowKey: string): Promise<string> => (await table.getEntity('p', rowKey)).etag;
  await table.createEntity({ partitionKey: 'p', rowKey: 'e1', a: 1, b: 'x' });
  const first = await etagOf('e1');
  await outcome('replace upsert', () => table.upsertEntity({ partitionKey: 'p', rowKey: 'e1', a: 2 }, 'Replace'));
  const second = await etagOf('e1');
  seen.push(`etag changed: ${first !== second}`);
  await outcome('merge upsert', () => table.upsertEntity({ partitionKey: 'p', rowKey: 'e1', c: true, when: new Date('2026-01-02T03:04:05Z') }, 'Merge'));
  await outcome('replace, stale etag', () => table.updateEntity({ partitionKey: 'p', rowKey: 'e1', a: 3 }, 'Replace', { etag: first }));
  await outcome('merge, stale etag', () => table.updateEntity({ partitionKey: 'p', rowKey: 'e1', a: 3 }, 'Merge', { etag: second }));
  await outcome('merge, current etag', async () => table.updateEntity({ partitionKey: 'p', rowKey: 'e1', d: 'y' }, 'Merge', { etag: await etagOf('e1') }));
  await outcome('replace, current etag', async () => table.updateEntity({ partitionKey: 'p', rowKey: 'e1', a: 4, d: 'z' }, 'Replace', { etag: await etagOf('e1') }));
  await outcome('replace, missing', () => table.updateEntity({ partitionKey: 'p', rowKey: 'missing', a: 1 }, 'Replace'));
  await outcome('merge, missing', () => table.updateEntity({ partitionKey: 'p', rowKey: 'missing', a: 1 }, 'Merge'));
  await table.createEntity({ partitionKey: 'p', rowKey: 'e2', keep: 'me' });
  const failing: TransactionAction[] = [
    ['upsert', { partitionKey: 'p', rowKey: 'e1', a: 99 }, 'Replace'],
    ['upsert', { partitionKey: 'p', rowKey: 'e2', extra: 1 }, 'Merge'],
    ['update', { partitionKey: 'p', rowKey: 'missing', a: 1 }, 'Replace'],
  ];
  await outcome('failing transaction', () => table.submitTransaction(failing));
  await outcome('transaction', () =>
    table.submitTransaction([
      ['upsert', { partitionKey: 'p', rowKey: 'e1', a: 5 }, 'Merge'],
      ['upsert', { partitionKey: 'p', rowKey: 'e2', keep: 'you' }, 'Replace'],
      ['upsert', { partitionKey: 'p', rowKey: 'e3', fresh: true }, 'Merge'],
    ]),
  );
  for await (const entity of table.listEntities()) {
    const { etag, timestamp, ...rest } = entity;
    seen.push({ ...rest, etagMatchesRead: etag === (await etagOf(String(entity.rowKey))), hasTimestamp: typeof timestamp === 'string' });
  }
  return seen;
}

describe('bench Azurite: in-place updates', () => {
  let azurite: RunningAzurite;
  beforeAll(async () => {
    azurite = await startAzurite({ inMemory: true, services: ['table'] });
  });
  afterAll(async () => azurite.stop());

  it('answers every write and read as Azurite does, without removing and re-inserting', async () => {
    const before = await scenario(azurite, 'asazurite');
    updateEntitiesInPlace();
    const counted = inPlaceWriteCount();
    const after = await scenario(azurite, 'inplace');
    expect(after).toEqual(before);
    expect(before).toContain('failing transaction: 404');
    expect(before).toContainEqual(expect.objectContaining({ rowKey: 'e2', keep: 'you' }));
    expect(before).not.toContainEqual(expect.objectContaining({ rowKey: 'e2', extra: 1 }));
    // Replace upsert, merge upsert, two writes with a current ETag, two in the failed transaction, two in the last.
    expect(inPlaceWriteCount() - counted).toBe(8);
  });
});
