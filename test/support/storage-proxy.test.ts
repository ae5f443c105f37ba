// The strict storage proxy the whole test run goes through answers a write that breaks Azure Table Storage's size
// limits as Azure would (status, error code, a failed change set for a transaction), where Azurite alone accepts
// several of them; what Azure accepts passes through, and the counting proxy still counts.
import { odata, RestError, TableClient, type TransactionAction } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startStorageProxy, type StorageProxy } from './storage-proxy.js';

const TABLE = 'strictProxyTest';
let strict: StorageProxy;
let viaProxy: TableClient;
let direct: TableClient;

const client = (connectionString: string): TableClient => TableClient.fromConnectionString(connectionString, TABLE, { allowInsecureConnection: true });

beforeAll(async () => {
  // A proxy of its own (the run's global one is the same code) so the test can read what it refused.
  strict = await startStorageProxy(inject('azuriteDirectConnectionString'), { strict: true });
  viaProxy = client(strict.connectionString);
  direct = client(inject('azuriteDirectConnectionString'));
  await direct.createTable();
});
afterAll(async () => {
  await direct.deleteTable();
  await strict.close();
});

let row = 0;
const nextKey = (): string => `r${++row}`;

/** `count` string properties of `chars` characters each (names p000, p001, …). */
function properties(count: number, chars: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`p${String(i).padStart(3, '0')}`, 'x'.repeat(chars)]));
}

/**
 * An entity of exactly `bytes` by Azure's formula (PartitionKey `p`): full 32,768-character properties with 4-character
 * names, and the rest split over two shorter ones.
 */
function entityOfSize(bytes: number, rowKey: string): { partitionKey: string; rowKey: string } & Record<string, string> {
  const entity: { partitionKey: string; rowKey: string } & Record<string, string> = { partitionKey: 'p', rowKey };
  const overhead = 8 + 2 * 4 + 4; // per property: 8 bytes, its 4-character name, a string's length
  const full = overhead + 2 * 32_768;
  let left = bytes - (4 + 2 * (1 + rowKey.length));
  const fullCount = Math.floor(left / full) - 1;
  for (let i = 0; i < fullCount; i++) entity[`q${String(i).padStart(3, '0')}`] = 'x'.repeat(32_768);
  left -= fullCount * full;
  const rest = (left - 2 * overhead) / 2;
  entity[`q${String(fullCount).padStart(3, '0')}`] = 'x'.repeat(Math.floor(rest / 2));
  entity[`q${String(fullCount + 1).padStart(3, '0')}`] = 'x'.repeat(rest - Math.floor(rest / 2));
  return entity;
}

async function refusal(write: Promise<unknown>): Promise<{ statusCode?: number; code?: string; message: string }> {
  const error = await write.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RestError);
  const rest = error as RestError;
  // A transaction's error carries the code; a single operation's has it from the x-ms-error-code header, as from Azure.
  const code = rest.code ?? (rest.details as { errorCode?: string } | undefined)?.errorCode;
  return { statusCode: rest.statusCode, ...(code === undefined ? {} : { code }), message: rest.message };
}

describe('strict storage proxy', () => {
  it('accepts what Azure accepts: 252 properties, 32,768-character strings, an entity of exactly 1 MiB', async () => {
    await viaProxy.createEntity({ partitionKey: 'p', rowKey: nextKey(), ...properties(252, 1) });
    await viaProxy.upsertEntity({ partitionKey: 'p', rowKey: nextKey(), s: 'x'.repeat(32_768) }, 'Replace');
    const key = nextKey();
    await viaProxy.createEntity(entityOfSize(1024 * 1024, key));
    expect(Object.keys(await viaProxy.getEntity('p', key))).toContain('q015');
    expect(strict.refused).toEqual([]);
  });

  it('refuses a 253rd property with TooManyProperties, which Azurite alone accepts', async () => {
    const entity = { partitionKey: 'p', rowKey: nextKey(), ...properties(253, 1) };
    expect(await refusal(viaProxy.createEntity(entity))).toMatchObject({ statusCode: 400, code: 'TooManyProperties' });
    await expect(direct.createEntity(entity)).resolves.toBeDefined();
  });

  it('refuses an entity one byte over 1 MiB by the formula with EntityTooLarge, which Azurite alone inserts', async () => {
    const entity = entityOfSize(1024 * 1024 + 2, nextKey());
    expect(await refusal(viaProxy.createEntity(entity))).toMatchObject({ statusCode: 400, code: 'EntityTooLarge' });
    expect(await refusal(viaProxy.upsertEntity(entity, 'Merge'))).toMatchObject({ statusCode: 400, code: 'EntityTooLarge' });
    await expect(direct.createEntity(entity)).resolves.toBeDefined();
  });

  it('fails a transaction as a failed change set naming the operation, and writes none of it', async () => {
    const first = nextKey();
    const actions: TransactionAction[] = [
      ['create', { partitionKey: 'p', rowKey: first, s: 'fine' }],
      ['upsert', entityOfSize(1024 * 1024 + 2, nextKey()), 'Replace'],
    ];
    const refused = await refusal(viaProxy.submitTransaction(actions));
    expect(refused).toMatchObject({ statusCode: 400, code: 'EntityTooLarge' });
    expect(refused.message).toMatch(/^1:/);
    await expect(direct.getEntity('p', first)).rejects.toMatchObject({ statusCode: 404 });
    await expect(direct.submitTransaction(actions)).resolves.toBeDefined(); // Azurite alone commits it
  });

  it('refuses long strings, binaries, keys and property names with Azure’s codes', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ partitionKey: 'p', rowKey: nextKey(), s: 'x'.repeat(32_769) }, 'PropertyValueTooLarge'],
      [{ partitionKey: 'p', rowKey: nextKey(), b: new Uint8Array(64 * 1024 + 1) }, 'PropertyValueTooLarge'],
      [{ partitionKey: 'p', rowKey: 'k'.repeat(513) }, 'KeyValueTooLarge'],
      [{ partitionKey: 'p', rowKey: nextKey(), ['n'.repeat(256)]: 1 }, 'PropertyNameTooLong'],
    ];
    for (const [entity, code] of cases) {
      expect(await refusal(viaProxy.createEntity(entity as { partitionKey: string; rowKey: string }))).toMatchObject({ statusCode: 400, code });
      expect(await refusal(viaProxy.submitTransaction([['upsert', entity as { partitionKey: string; rowKey: string }]]))).toMatchObject({ statusCode: 400, code });
    }
  });

  it('refuses a query filter of more than 15 comparisons, counting none inside string literals', async () => {
    const keys = (n: number): string => Array.from({ length: n }, (_, i) => odata`RowKey eq ${`k eq ${i}`}`).join(' or ');
    const query = (filter: string) => viaProxy.listEntities({ queryOptions: { filter } }).byPage().next();
    await expect(query(`${odata`PartitionKey eq ${'p'}`} and (${keys(14)})`)).resolves.toBeDefined();
    expect(await refusal(query(`${odata`PartitionKey eq ${'p'}`} and (${keys(15)})`))).toMatchObject({ statusCode: 400, code: 'InvalidInput' });
  });

  it('refuses a transaction body over 4 MiB as a whole with 413', async () => {
    // Five entities of 1,000,000 formula bytes each in CJK (3 UTF-8 bytes per character): 7.5 MB on the wire.
    const actions: TransactionAction[] = Array.from({ length: 5 }, () => ['upsert', { partitionKey: 'p', rowKey: nextKey(), ...Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`c${i}`, '漢'.repeat(32_000)])) }]);
    expect(await refusal(viaProxy.submitTransaction(actions))).toMatchObject({ statusCode: 413 });
    expect(strict.refused.at(-1)).toMatch(/\$batch RequestBodyTooLarge$/);
  });

  it('keeps counting requests when a counting proxy sits in front of it', async () => {
    const counting = await startStorageProxy(strict.connectionString);
    try {
      const chained = client(counting.connectionString);
      await chained.upsertEntity({ partitionKey: 'p', rowKey: nextKey(), s: 'fine' });
      await refusal(chained.createEntity({ partitionKey: 'p', rowKey: nextKey(), ...properties(253, 1) }));
      expect(counting.requests).toHaveLength(2);
      expect(counting.requests[0]).toMatch(/^PATCH \/devstoreaccount1\/strictProxyTest\(/);
    } finally {
      await counting.close();
    }
  });
});
