// The storage baselines, using the SDK's TableClient directly with no function code in between: how many point reads
// per second Table Storage (here Azurite) serves to `concurrency` workers, and how long one entity-group transaction
// of 100 new entities takes at that concurrency (what a 100-member group add is compared with).
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { TableClient, type TransactionAction } from '@azure/data-tables';
import { percentile, round, runPool } from './stats.js';

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

export interface BatchWriteOptions {
  connectionString: string;
  concurrency: number;
  /** Entities per transaction (default 100, Table Storage's maximum). */
  entitiesPerBatch?: number;
  /** Transactions to time (default: four per worker, at least 32). */
  batches?: number;
}

export interface BatchWriteResult {
  batches: number;
  entitiesPerBatch: number;
  /** Median time of one transaction, in ms. */
  p50Ms: number;
  failures: number;
}

/**
 * Times entity-group transactions of `entitiesPerBatch` new small entities (each batch its own partition, as a
 * group's member rows are), `concurrency` in flight as in the cycle's phases, in a scratch table dropped afterwards.
 */
export async function measureBatchWrites(options: BatchWriteOptions): Promise<BatchWriteResult> {
  const concurrency = Math.max(1, options.concurrency);
  const perBatch = Math.max(1, Math.min(BATCH, options.entitiesPerBatch ?? BATCH));
  const count = options.batches ?? Math.max(32, concurrency * 4);
  const tableName = `benchbatch${randomBytes(4).toString('hex')}`;
  const client = TableClient.fromConnectionString(options.connectionString, tableName, { allowInsecureConnection: true });
  await client.createTable();
  try {
    const batch = (partition: string): TransactionAction[] =>
      Array.from({ length: perBatch }, (_, i) => ['create', { partitionKey: partition, rowKey: `m${String(i).padStart(3, '0')}`, type: 'User', added: true }]);
    // Warm-up: one transaction per worker, so connection set-up is not timed.
    await runPool(Array.from({ length: concurrency }, (_, i) => i), concurrency, async (i) => {
      await client.submitTransaction(batch(`warm${i}`));
    });
    const times: number[] = [];
    let failures = 0;
    await runPool(Array.from({ length: count }, (_, i) => i), concurrency, async (i) => {
      const started = performance.now();
      try {
        await client.submitTransaction(batch(`g${String(i).padStart(5, '0')}`));
        times.push(performance.now() - started);
      } catch {
        failures++;
      }
    });
    times.sort((a, b) => a - b);
    return { batches: times.length, entitiesPerBatch: perBatch, p50Ms: round(percentile(times, 50), 1), failures };
  } finally {
    await client.deleteTable().catch(() => undefined);
  }
}

export interface BatchedInsertOptions {
  connectionString: string;
  /** Rows to insert. */
  rows: number;
  /** Transactions in flight. */
  concurrency: number;
}

/**
 * Inserts `rows` new small entities (the size of a membership row) as entity-group transactions of 100, spread over
 * many partitions, `concurrency` in flight, into a scratch table dropped afterwards: the rate at which storage takes
 * rows when nothing but batched inserts is asked of it.
 */
export async function measureBatchedInsertRate(options: BatchedInsertOptions): Promise<{ rows: number; seconds: number }> {
  const tableName = `benchinsert${randomBytes(4).toString('hex')}`;
  const client = TableClient.fromConnectionString(options.connectionString, tableName, { allowInsecureConnection: true });
  await client.createTable();
  try {
    const batches = Math.max(1, Math.ceil(options.rows / BATCH));
    const batch = (b: number): TransactionAction[] =>
      Array.from({ length: Math.min(BATCH, options.rows - b * BATCH) || 1 }, (_, i) => [
        'create',
        { partitionKey: `m|bench|${String(b).padStart(7, '0')}`, rowKey: `${randomBytes(8).toString('hex')}${i}`, value: `member-${b}-${i}`, type: 'User' },
      ]);
    const started = performance.now();
    let rows = 0;
    await runPool(Array.from({ length: batches }, (_, b) => b), Math.max(1, options.concurrency), async (b) => {
      const actions = batch(b);
      await client.submitTransaction(actions);
      rows += actions.length;
    });
    return { rows, seconds: (performance.now() - started) / 1000 };
  } finally {
    await client.deleteTable().catch(() => undefined);
  }
}
