// `node dist/bench/table-call-cost.js [--calls N] [--rounds N]`: the CPU time one Table Storage call costs the
// calling process (process.cpuUsage(), one call at a time against an in-memory Azurite in a process of its own), for
// four clients: the SDK's TableClient as it comes, the same with the product's lean pipeline (the product's clients
// before lean-table-client.ts), the product's clients (shared/storage/table-clients.ts: LeanTableClient), and a bare
// HTTP GET signed with Shared Key (a floor for a point read: what any client must pay for the request itself).
// Rounds alternate between the clients; the median of the rounds is printed (docs/performance.md).
import { createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';
import { TableClient, type TransactionAction } from '@azure/data-tables';
import { parseSettings } from '../shared/config.js';
import { createTableClients, withEntityLimits, withLeanPipeline } from '../shared/storage/table-clients.js';
import { startAzuriteProcess } from './azurite-process.js';
import { percentile } from './stats.js';

const ROWS = 100;

interface PointReader {
  getEntity(partitionKey: string, rowKey: string): Promise<unknown>;
}

/** A point read as plain HTTP: Shared Key signature, keep-alive agent, JSON body parsed. */
function bareHttpReader(connectionString: string, tableName: string): PointReader {
  const parts = new Map(connectionString.split(';').filter(Boolean).map((part) => [part.slice(0, part.indexOf('=')), part.slice(part.indexOf('=') + 1)]));
  const endpoint = new URL(parts.get('TableEndpoint') ?? '');
  const account = parts.get('AccountName') ?? '';
  const key = Buffer.from(parts.get('AccountKey') ?? '', 'base64');
  const agent = new Agent({ keepAlive: true });
  return {
    getEntity: (partitionKey, rowKey) => {
      const path = `${endpoint.pathname.replace(/\/$/, '')}/${tableName}(PartitionKey='${encodeURIComponent(partitionKey)}',RowKey='${encodeURIComponent(rowKey)}')`;
      const date = new Date().toUTCString();
      const signature = createHmac('sha256', key).update(`GET\n\n\n${date}\n/${account}${path}`).digest('base64');
      const headers = { 'x-ms-date': date, 'x-ms-version': '2019-02-02', accept: 'application/json;odata=nometadata', dataserviceversion: '3.0', authorization: `SharedKey ${account}:${signature}` };
      return new Promise((resolve, reject) => {
        const outgoing = request({ agent, host: endpoint.hostname, port: endpoint.port, path, method: 'GET', headers }, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            if (response.statusCode === 200) resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
            else reject(new Error(`point read answered ${response.statusCode}`));
          });
        });
        outgoing.on('error', reject);
        outgoing.end();
      });
    },
  };
}

/** CPU microseconds per call of `call(i)`, `calls` times one after the other. */
async function cpuPerCall(calls: number, call: (i: number) => Promise<unknown>): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < calls; i++) await call(i);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / calls;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { calls: { type: 'string' }, rounds: { type: 'string' } } });
  const calls = Number(values.calls ?? 2_000);
  const rounds = Number(values.rounds ?? 5);
  const azurite = await startAzuriteProcess();
  try {
    const { connectionString } = azurite;
    const settings = parseSettings({ AzureWebJobsStorage: connectionString });
    const clients: Record<string, TableClient> = {
      'TableClient as it comes': TableClient.fromConnectionString(connectionString, 'costsdk', { allowInsecureConnection: true }),
      'SDK client, lean pipeline (product before)': withLeanPipeline(withEntityLimits(TableClient.fromConnectionString(connectionString, 'costpipe', { allowInsecureConnection: true }))),
      'LeanTableClient (product client, table-clients.ts)': createTableClients(settings, { tablePrefix: 'cost' }).people,
    };
    const rows: TransactionAction[] = Array.from({ length: ROWS }, (_, i) => ['upsert', { partitionKey: 'p', rowKey: `r${String(i).padStart(3, '0')}`, name: `user${i}@example.com`, active: true, n: i }]);
    for (const client of Object.values(clients)) {
      await client.createTable();
      await client.submitTransaction(rows);
    }
    const readers: Record<string, PointReader> = { ...clients, 'bare HTTP (floor)': bareHttpReader(connectionString, 'costsdk') };
    const rowKey = (i: number) => `r${String(i % ROWS).padStart(3, '0')}`;
    const results = new Map<string, { read: number[]; upsert: number[]; batch: number[] }>();
    for (let round = -1; round < rounds; round++) {
      for (const [name, reader] of Object.entries(readers)) {
        const client = clients[name];
        const read = await cpuPerCall(calls, (i) => reader.getEntity('p', rowKey(i)));
        const upsert = client === undefined ? Number.NaN : await cpuPerCall(calls / 4, (i) => client.upsertEntity({ partitionKey: 'u', rowKey: rowKey(i), n: i }, 'Replace'));
        const batch = client === undefined ? Number.NaN : await cpuPerCall(Math.max(1, calls / 40), () => client.submitTransaction(rows));
        if (round < 0) continue; // warm-up round
        const entry = results.get(name) ?? { read: [], upsert: [], batch: [] };
        entry.read.push(read);
        entry.upsert.push(upsert);
        entry.batch.push(batch);
        results.set(name, entry);
      }
    }
    const median = (values: number[]) => Math.round(percentile([...values].sort((a, b) => a - b), 50));
    console.log(`CPU µs per call (median of ${rounds} rounds of ${calls} point reads, ${calls / 4} upserts, ${Math.max(1, calls / 40)} transactions of ${ROWS}):`);
    console.log('| client | point read | upsert | transaction of 100 |\n| --- | ---: | ---: | ---: |');
    for (const [name, entry] of results) {
      const cell = (values: number[]) => (values.every(Number.isNaN) ? '-' : String(median(values)));
      console.log(`| ${name} | ${cell(entry.read)} | ${cell(entry.upsert)} | ${cell(entry.batch)} |`);
    }
  } finally {
    await azurite.stop();
  }
}

await main();
