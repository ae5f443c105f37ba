// The storage baseline: how many point reads per second Table Storage (here Azurite, in this process) serves to
// `concurrency` workers using the SDK's TableClient directly, with no function code in between.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { TableClient, type TransactionAction } from '@azure/data-tables';
import { runPool } from './stats.js';

export interface RawReadOptions {
  connectionString: string;
  concurrency: number;
  /** Entities written first (default 5,000). */
  entities?: number;
  /** Reads to do at least (default: as many as fit in `minSeconds`). */
  minReads?: number;
  /** Keep reading at least this long (default 3 s). */
  minSeconds?: number;
}

export interface RawReadResult {
  reads: number;
  seconds: number;
  readsPerSecond: number;
  failures: number;
  firstError?: string;
}

const PARTITIONS = 50;
const BATCH = 100;

const keyOf = (i: number) => ({ partitionKey: `p${String(i % PARTITIONS).padStart(2, '0')}`, rowKey: `r${String(i).padStart(7, '0')}` });

async function fill(client: TableClient, count: number): Promise<void> {
  const byPartition = new Map<string, TransactionAction[]>();
  for (let i = 0; i < count; i++) {
    const key = keyOf(i);
    const list = byPartition.get(key.partitionKey) ?? [];
    list.push(['create', { ...key, userName: `user${i}@bench.example`, active: true, n: i }]);
    byPartition.set(key.partitionKey, list);
  }
  const batches: TransactionAction[][] = [];
  for (const actions of byPartition.values()) {
    for (let at = 0; at < actions.length; at += BATCH) batches.push(actions.slice(at, at + BATCH));
  }
  await runPool(batches, 8, async (batch) => {
    await client.submitTransaction(batch);
  });
}

/** Fills a scratch table, measures concurrent `getEntity` throughput, then drops the table. */
export async function measureRawReads(options: RawReadOptions): Promise<RawReadResult> {
  const entities = Math.max(1, options.entities ?? 5_000);
  const minReads = options.minReads ?? 0;
  const minMs = (options.minSeconds ?? 3) * 1000;
  const tableName = `benchraw${randomBytes(4).toString('hex')}`;
  const client = TableClient.fromConnectionString(options.connectionString, tableName, { allowInsecureConnection: true });
  await client.createTable();
  try {
    await fill(client, entities);
    // Warm-up: one read per worker so connection set-up is not measured.
    await runPool(Array.from({ length: options.concurrency }, (_, i) => i), options.concurrency, async (i) => {
      const key = keyOf(i % entities);
      await client.getEntity(key.partitionKey, key.rowKey);
    });

    let reads = 0;
    let failures = 0;
    let firstError: string | undefined;
    let cursor = 0;
    const started = performance.now();
    const keepGoing = () => reads + failures < minReads || performance.now() - started < minMs;
    const worker = async (): Promise<void> => {
      while (keepGoing()) {
        // A stride that is co-prime with the entity count spreads reads over partitions and rows.
        const key = keyOf((cursor++ * 7_919) % entities);
        try {
          await client.getEntity(key.partitionKey, key.rowKey);
          reads++;
        } catch (error) {
          failures++;
          firstError ??= error instanceof Error ? error.message : String(error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
    const seconds = (performance.now() - started) / 1000;
    return { reads, seconds, readsPerSecond: seconds > 0 ? reads / seconds : 0, failures, ...(firstError === undefined ? {} : { firstError }) };
  } finally {
    await client.deleteTable().catch(() => undefined);
  }
}
