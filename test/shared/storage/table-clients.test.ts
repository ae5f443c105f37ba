// The product's table clients: lean clients for both kinds of credential (lean-table-client.test.ts pins what they
// send), every per-call pipeline policy we do not need is left out (each costs CPU on every storage call,
// docs/performance.md), the ones that matter stay, and the clients still talk to storage.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseSettings } from '../../../shared/config.js';
import { LeanTableClient } from '../../../shared/storage/lean-table-client.js';
import { createTableClients, ensureTables, LEAN_PIPELINE_DROPS, TABLE_NAMES } from '../../../shared/storage/table-clients.js';

const settings = parseSettings({ AzureWebJobsStorage: process.env.AzureWebJobsStorage });

describe('table clients', () => {
  it('leave the tracing, redirect, form-data and multipart policies out of every pipeline, for both kinds of credential', () => {
    const identityBased = parseSettings({ AzureWebJobsStorage__tableServiceUri: 'https://account.table.core.windows.net', AZURE_CLIENT_ID: '00000000-0000-0000-0000-000000000000' });
    for (const config of [settings, identityBased]) {
      const clients = createTableClients(config);
      for (const name of TABLE_NAMES) {
        expect(clients[name]).toBeInstanceOf(LeanTableClient);
        const policies = clients[name].pipeline.getOrderedPolicies().map((policy) => policy.name);
        for (const dropped of LEAN_PIPELINE_DROPS) expect(policies).not.toContain(dropped);
        expect(policies).toEqual(expect.arrayContaining(['defaultRetryPolicy', 'setClientRequestIdPolicy', 'proxyPolicy', 'logPolicy']));
      }
    }
  });

  it('sign with the account key and still read, write and batch', async () => {
    const clients = createTableClients(settings, { tablePrefix: `tc${randomBytes(4).toString('hex')}` });
    expect(clients.people.pipeline.getOrderedPolicies().map((policy) => policy.name)).toContain('tablesNamedKeyCredentialPolicy');
    await ensureTables(clients);
    await clients.people.createEntity({ partitionKey: 'p', rowKey: 'a', n: 1 });
    await clients.people.submitTransaction([['upsert', { partitionKey: 'p', rowKey: 'b', n: 2 }], ['update', { partitionKey: 'p', rowKey: 'a', n: 3 }]]);
    expect((await clients.people.getEntity<{ n: number }>('p', 'a')).n).toBe(3);
    expect((await clients.people.getEntity<{ n: number }>('p', 'b')).n).toBe(2);
    await Promise.all(Object.values(clients).map((client) => client.deleteTable()));
  });
});
