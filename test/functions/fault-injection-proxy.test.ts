// The fault proxy itself: each fault reaches the storage SDK the way the real one would, and a write forwarded before
// the fault is really applied upstream.
import { randomBytes } from 'node:crypto';
import { RestError, TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseSettings } from '../../shared/config.js';
import { createTableClients, ensureTables, type TableClients } from '../../shared/storage/table-clients.js';
import { type FaultProxy, SDK_ATTEMPTS, startFaultProxy } from '../support/fault-proxy.js';

let proxy: FaultProxy;
let tables: TableClients;
let direct: TableClient;

beforeAll(async () => {
  proxy = await startFaultProxy(String(process.env.AzureWebJobsStorage));
  const prefix = `t${randomBytes(5).toString('hex')}`;
  tables = createTableClients(parseSettings({ AzureWebJobsStorage: proxy.connectionString }), { tablePrefix: prefix });
  proxy.attach(tables);
  await ensureTables(tables);
  direct = TableClient.fromConnectionString(String(process.env.AzureWebJobsStorage), `${prefix}people`, { allowInsecureConnection: true });
});
afterAll(async () => {
  await Promise.all(Object.values(tables).map((table) => table.deleteTable()));
  await proxy.close();
});
beforeEach(() => {
  proxy.disarm();
  proxy.reset();
});

const entity = (rowKey: string) => ({ partitionKey: 'p', rowKey, value: rowKey });
const exists = async (rowKey: string): Promise<boolean> =>
  direct.getEntity('p', rowKey).then(
    () => true,
    (error: unknown) => {
      if (error instanceof RestError && error.statusCode === 404) return false;
      throw error;
    },
  );
const failure = (work: Promise<unknown>): Promise<unknown> => work.then(() => undefined, (error: unknown) => error);

describe('fault proxy', () => {
  it('counts every storage call, SDK retries included, names a batch by its table, and passes calls through while disarmed', async () => {
    await tables.people.createEntity(entity('plain'));
    await tables.people.getEntity('p', 'plain');
    expect(proxy.requests).toHaveLength(2);
    expect(proxy.requests[0]).toMatch(/^POST .*people$/);
    expect(proxy.requests[1]).toMatch(/^GET /);
    await tables.people.submitTransaction([['create', entity('in-batch')]]);
    expect(proxy.requests[2]).toMatch(/^POST .*\/\$batch t[0-9a-f]+people$/);
  });

  it('a single 503 is retried away by the SDK', async () => {
    proxy.arm({ fault: 'serverBusy', first: 1, count: 1 });
    await tables.people.createEntity(entity('busy'));
    expect(proxy.faulted).toEqual([1]);
    expect(proxy.requests).toHaveLength(2);
    expect(await exists('busy')).toBe(true);
  });

  it('a 500 on every attempt of a call fails it with the Azure error, nothing written', async () => {
    proxy.arm({ fault: 'serverError', first: 1, count: SDK_ATTEMPTS });
    const error = await failure(tables.people.createEntity(entity('error')));
    expect(error).toBeInstanceOf(RestError);
    expect((error as RestError).statusCode).toBe(500);
    expect((error as RestError).details).toMatchObject({ errorCode: 'InternalError' });
    expect(proxy.faulted).toEqual([1, 2, 3, 4]);
    expect(await exists('error')).toBe(false);
  });

  it('a crash fails every call from k on until disarmed, transactions included', async () => {
    proxy.arm({ fault: 'serverError', first: 2 });
    await tables.people.getEntity('p', 'plain').catch(() => undefined);
    const error = await failure(tables.people.submitTransaction([['create', entity('batched')]]));
    expect((error as RestError).statusCode).toBe(500);
    proxy.disarm();
    expect(await exists('batched')).toBe(false);
  });

  it('a timeout is given up by the client (an AbortError, not retried) and never reaches storage', async () => {
    proxy.arm({ fault: 'timeout', first: 1, count: 1 });
    const error = await failure(tables.people.createEntity(entity('held')));
    expect((error as Error).name).toBe('AbortError');
    expect(proxy.requests).toHaveLength(1);
    expect(await exists('held')).toBe(false);
  });

  it('a timeout after forwarding fails the call although storage applied it', async () => {
    proxy.arm({ fault: 'timeoutAfterForward', first: 1, count: 1 });
    const error = await failure(tables.people.createEntity(entity('applied-timeout')));
    expect((error as Error).name).toBe('AbortError');
    expect(await exists('applied-timeout')).toBe(true);
  });

  it('a reset before forwarding on every attempt fails the call with ECONNRESET, nothing written', async () => {
    proxy.arm({ fault: 'resetBeforeForward', first: 1, count: SDK_ATTEMPTS });
    const error = await failure(tables.people.createEntity(entity('reset')));
    expect((error as RestError).code).toBe('ECONNRESET');
    expect(await exists('reset')).toBe(false);
  });

  it('a reset after forwarding is retried by the SDK, which then meets its own applied write', async () => {
    proxy.arm({ fault: 'resetAfterForward', first: 1, count: 1 });
    const error = await failure(tables.people.createEntity(entity('applied-reset')));
    expect((error as RestError).statusCode).toBe(409);
    expect(proxy.requests).toHaveLength(2);
    expect(await exists('applied-reset')).toBe(true);
  });
});
