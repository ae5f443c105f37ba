import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TableClient } from '@azure/data-tables';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startAzurite } from '../../local/azurite.js';

const tableClient = (connectionString: string, table: string) =>
  TableClient.fromConnectionString(connectionString, table, { allowInsecureConnection: true });

async function roundTrip(connectionString: string, table: string) {
  const client = tableClient(connectionString, table);
  await client.createTable();
  await client.upsertEntity({ partitionKey: 'p1', rowKey: 'r1', displayName: 'Ada', count: 3 });
  return client.getEntity<{ displayName: string; count: number }>('p1', 'r1');
}

describe('global test Azurite', () => {
  it('is provided to every test file and exported as AzureWebJobsStorage', async () => {
    const connectionString = inject('azuriteConnectionString');
    expect(process.env.AzureWebJobsStorage).toBe(connectionString);
    expect(connectionString).toMatch(/TableEndpoint=http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1/);
    const entity = await roundTrip(connectionString, 'globalRoundTrip');
    expect(entity).toMatchObject({ displayName: 'Ada', count: 3 });
  });
});

describe('startAzurite', () => {
  const directories: string[] = [];
  afterAll(async () => {
    await Promise.all(directories.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('round-trips an entity in memory on free ports, with all three endpoints', async () => {
    const azurite = await startAzurite({ inMemory: true });
    try {
      expect(azurite.connectionString).toContain('AccountName=devstoreaccount1;');
      expect(azurite.queueUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
      expect(azurite.blobUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
      expect(await roundTrip(azurite.connectionString, 'memoryRoundTrip')).toMatchObject({ displayName: 'Ada' });
    } finally {
      await azurite.stop();
    }
  });

  it('keeps table data under its location across a restart', async () => {
    const location = await mkdtemp(join(tmpdir(), 'azurite-test-'));
    directories.push(location);
    const first = await startAzurite({ location, services: ['table'] });
    try {
      await roundTrip(first.connectionString, 'persisted');
    } finally {
      await first.stop();
    }
    const second = await startAzurite({ location, services: ['table'] });
    try {
      expect(second.queueUrl).toBeUndefined();
      const entity = await tableClient(second.connectionString, 'persisted').getEntity('p1', 'r1');
      expect(entity).toMatchObject({ displayName: 'Ada', count: 3 });
    } finally {
      await second.stop();
    }
  });
});
