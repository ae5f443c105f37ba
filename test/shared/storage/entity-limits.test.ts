// Azure's size limits as the storage layer checks them: the documented entity size formula, each limit at and just
// past its value, the transaction body estimate against the bytes the SDK really sends, the guard on every client
// createTableClients builds (nothing reaches storage), chunking by body size, and a person row's limits.
import { randomBytes } from 'node:crypto';
import { TableClient, type TransactionAction } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSettings } from '../../../shared/config.js';
import {
  assertEntityWithinLimits,
  assertTransactionWithinLimits,
  ENTITY_BYTES_BUDGET,
  EntityLimitError,
  entitySizeInBytes,
  TRANSACTION_BODY_BUDGET,
  transactionActionBytes,
} from '../../../shared/storage/entity-limits.js';
import { personToProperties, RecordTooLargeError } from '../../../shared/storage/person-entity.js';
import type { PersonRecord } from '../../../shared/directory/model/person-record.js';
import { createTableClients, ensureTables, type TableClients } from '../../../shared/storage/table-clients.js';
import { chunkByPartition, submitChunked } from '../../../shared/storage/transactions.js';
import { startStorageProxy, type StorageProxy } from '../../support/storage-proxy.js';

type Entity = { partitionKey: string; rowKey: string } & Record<string, unknown>;

function limitError(check: () => void): EntityLimitError | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    if (error instanceof EntityLimitError) return error;
    throw error;
  }
}

const codeOf = (entity: Entity): string | undefined => limitError(() => assertEntityWithinLimits(entity, 'people'))?.code;

/** String properties `p000…` of `chars` characters. */
const props = (count: number, chars = 1): Record<string, string> =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`p${String(i).padStart(3, '0')}`, 'x'.repeat(chars)]));

/** An entity of exactly `bytes` by the formula: PartitionKey `p`, RowKey `r`, 4-character property names. */
function entityOfSize(bytes: number): Entity {
  const entity: Entity = { partitionKey: 'p', rowKey: 'r' };
  let left = bytes - 8;
  for (let i = 0; left > 0; i++) {
    const chars = Math.min(32_000, (left - 20) / 2);
    entity[`q${String(i).padStart(3, '0')}`] = 'x'.repeat(chars);
    left -= 20 + 2 * chars;
  }
  return entity;
}

describe('entity size by Azure’s formula', () => {
  it('is 4 + 2 × key characters + per property 8 + 2 × name + the value’s size', () => {
    const entity = {
      partitionKey: 'pk',
      rowKey: 'rk',
      etag: 'W/"ignored"',
      name: 'Ada', // 8 + 8 + (6 + 4)
      n: 3, // 8 + 2 + 4 (Int32)
      d: 1.5, // 8 + 2 + 8 (Double)
      b: true, // 8 + 2 + 1
      big: 5n, // 8 + 6 + 8 (Int64)
      when: new Date(0), // 8 + 8 + 8
      bin: new Uint8Array(10), // 8 + 6 + 14
      g: { value: '00000000-0000-0000-0000-000000000000', type: 'Guid' }, // 8 + 2 + 16
      none: undefined,
    };
    expect(entitySizeInBytes(entity)).toBe(12 + 26 + 14 + 18 + 11 + 22 + 24 + 28 + 26);
    expect(entitySizeInBytes(entityOfSize(ENTITY_BYTES_BUDGET))).toBe(ENTITY_BYTES_BUDGET);
  });
});

describe('assertEntityWithinLimits', () => {
  it('accepts every limit exactly and refuses one past it, with Azure’s code', () => {
    const key = { partitionKey: 'p', rowKey: 'r' };
    const cases: [Entity, Entity, string][] = [
      [{ ...key, s: 'x'.repeat(32_768) }, { ...key, s: 'x'.repeat(32_769) }, 'PropertyValueTooLarge'],
      [{ ...key, b: new Uint8Array(65_536) }, { ...key, b: new Uint8Array(65_537) }, 'PropertyValueTooLarge'],
      [{ ...key, ...props(252) }, { ...key, ...props(253) }, 'TooManyProperties'],
      [{ partitionKey: 'p', rowKey: 'k'.repeat(512) }, { partitionKey: 'p', rowKey: 'k'.repeat(513) }, 'KeyValueTooLarge'],
      [{ ...key, ['n'.repeat(255)]: 1 }, { ...key, ['n'.repeat(256)]: 1 }, 'PropertyNameTooLong'],
      [entityOfSize(ENTITY_BYTES_BUDGET), entityOfSize(ENTITY_BYTES_BUDGET + 2), 'EntityTooLarge'],
    ];
    for (const [fits, tooLarge, code] of cases) {
      expect(codeOf(fits)).toBeUndefined();
      expect(codeOf(tooLarge)).toBe(code);
    }
  });

  it('names the table and the property, never a value', () => {
    const error = limitError(() => assertEntityWithinLimits({ partitionKey: 'b01', rowKey: 'u:ceo@contoso.com', cm: 'ceo@contoso.com'.repeat(3000) }, 'people'));
    expect(error?.message).toMatch(/^people: property cm: 45000 exceeds .* 32768 \(PropertyValueTooLarge\)$/);
    expect(error?.message).not.toContain('contoso');
  });

  it('refuses a transaction whose estimated body passes the budget, and checks each entity it writes', () => {
    const big = (i: number): TransactionAction => ['upsert', { partitionKey: 'p', rowKey: `r${i}`, s: '漢'.repeat(32_000) }];
    const fitting = Array.from({ length: 40 }, (_, i) => big(i));
    expect(limitError(() => assertTransactionWithinLimits(fitting, 'members'))).toBeUndefined();
    expect(limitError(() => assertTransactionWithinLimits([...fitting, big(40), big(41), big(42), big(43)], 'members'))?.code).toBe('RequestBodyTooLarge');
    expect(limitError(() => assertTransactionWithinLimits([['delete', { partitionKey: 'p', rowKey: 'r' }], ['create', { partitionKey: 'p', rowKey: 's', ...props(253) }]], 'members'))?.code).toBe('TooManyProperties');
  });
});

describe('on Azurite, behind the strict proxy', () => {
  let counting: StorageProxy;
  let tables: TableClients;

  beforeAll(async () => {
    counting = await startStorageProxy(String(process.env.AzureWebJobsStorage));
    tables = createTableClients(parseSettings({ AzureWebJobsStorage: counting.connectionString }), { tablePrefix: `l${randomBytes(5).toString('hex')}` });
    await ensureTables(tables);
  });
  afterAll(async () => {
    await Promise.all(Object.values(tables).map((table) => table.deleteTable()));
    await counting.close();
  });

  it('a client from createTableClients refuses every kind of write Azure would refuse before sending anything', async () => {
    const table = tables.groups;
    counting.reset();
    const oversized = { partitionKey: 'p', rowKey: 'r', displayName: 'x'.repeat(40_000) };
    await expect(table.createEntity(oversized)).rejects.toBeInstanceOf(EntityLimitError);
    await expect(table.upsertEntity(oversized, 'Replace')).rejects.toBeInstanceOf(EntityLimitError);
    await expect(table.updateEntity(oversized, 'Merge')).rejects.toBeInstanceOf(EntityLimitError);
    await expect(table.submitTransaction([['create', { partitionKey: 'p', rowKey: 'q' }], ['upsert', oversized]])).rejects.toMatchObject({ code: 'PropertyValueTooLarge' });
    expect(counting.requests).toEqual([]);
    await table.upsertEntity({ ...oversized, displayName: 'x'.repeat(32_768) }, 'Replace'); // the limit itself passes
    expect(counting.requests).toHaveLength(1);
  });

  it('estimates a transaction body at no less than the bytes the SDK sends', async () => {
    const sent: number[] = [];
    const measuring = TableClient.fromConnectionString(String(process.env.AzureWebJobsStorage), tables.members.tableName, {
      allowInsecureConnection: true,
      additionalPolicies: [
        {
          policy: {
            name: 'measureBody',
            sendRequest: async (request, next) => {
              if (request.url.endsWith('$batch') && typeof request.body === 'string') sent.push(Buffer.byteLength(request.body));
              return next(request);
            },
          },
          position: 'perCall',
        },
      ],
    });
    const values = ['plain', '漢字'.repeat(500), '"quoted\\"'.repeat(300), '\u0001\u0002 control', '🙂'.repeat(400), "it's %2F/#?"];
    const actions: TransactionAction[] = values.flatMap((value, i): TransactionAction[] => [
      ['upsert', { partitionKey: 'm|a|g', rowKey: `k${i}'%é`, value, n: i, big: 2 ** 40, ok: true, when: new Date(0), bin: new Uint8Array(300) }, 'Replace'],
      ['delete', { partitionKey: 'm|a|g', rowKey: `gone${i}` }],
    ]);
    await measuring.submitTransaction(actions.filter((action) => action[0] !== 'delete'));
    const estimate = actions.filter((action) => action[0] !== 'delete').reduce((sum, action) => sum + transactionActionBytes(action), 0);
    expect(sent).toHaveLength(1);
    expect(estimate).toBeGreaterThanOrEqual(sent[0] ?? Infinity);
    expect(estimate).toBeLessThan(2 * (sent[0] ?? 0) + 12 * 1024);
  });

  it('chunks a partition’s actions by body size as well as count, so a transaction of large rows stays under 4 MiB', async () => {
    // 100 member rows whose display is 32,000 characters escaped as \u0001 on the wire (6 bytes each): 19 MB in all.
    const actions: TransactionAction[] = Array.from({ length: 100 }, (_, i) => ['upsert', { partitionKey: 'm|a|big', rowKey: `r${i}`, display: '\u0001'.repeat(32_000) }, 'Replace']);
    const chunks = chunkByPartition(actions);
    expect(chunks.length).toBeGreaterThan(4);
    expect(chunks.flat()).toEqual(actions);
    for (const chunk of chunks) expect(chunk.reduce((sum, action) => sum + transactionActionBytes(action), 0)).toBeLessThanOrEqual(TRANSACTION_BODY_BUDGET);
    await submitChunked(tables.members, actions); // the strict proxy refuses any body over 4 MiB
    let stored = 0;
    for await (const _ of tables.members.listEntities({ queryOptions: { filter: "PartitionKey eq 'm|a|big'", select: ['RowKey'] } })) stored++;
    expect(stored).toBe(100);
  });
});

describe('a person row', () => {
  const person = (sources: Record<string, number>): PersonRecord => ({
    id: '0a' + 'f'.repeat(30),
    sources: Object.fromEntries(Object.entries(sources).map(([id, chars]) => [id, { doc: { userName: 'u@contoso.com', displayName: 'x'.repeat(chars) }, created: 't', lastModified: 't' }])),
    nameKeys: ['u%40contoso.com'],
    version: 1,
    created: 't',
  });

  it('holds several sources of up to 90,000 characters until together they pass 1 MiB', () => {
    const five = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`s${i}`, 89_000]));
    expect(() => personToProperties(person(five))).not.toThrow();
    const error = (() => {
      try {
        personToProperties(person({ ...five, s5: 89_000 }));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(RecordTooLargeError);
    expect((error as Error).message).toMatch(/all data sources together is too large/);
  });

  it('refuses more sources than a row has properties for', () => {
    const many = Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`s${i}`, 1]));
    expect(() => personToProperties(person(many))).toThrow(RecordTooLargeError);
    expect(() => personToProperties(person(Object.fromEntries(Object.entries(many).slice(0, 240))))).not.toThrow();
  });
});
