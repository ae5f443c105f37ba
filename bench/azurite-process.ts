// Azurite in a process of its own for the benchmarks: storage is a separate service in Azure, and on a 2-core
// machine an emulator sharing the host's event loop would charge its CPU to every request we measure. Its queries
// pinned to one partition read only that partition, as Azure's do (azurite-partition-queries.ts): unpatched, Azurite
// evaluates every such filter over the whole table, so a group's settling reads during the Entra cycle's membership
// phase cost time in proportion to every membership written so far (a 100-member add took up to 38 s, p99, on an idle
// machine) and seeding the 100,000-member group grew quadratically.
// Run as a script (the child), it starts an in-memory Table service (and the queue service when asked) and reports
// the connection string over IPC. With `countTableWrites`, the Table endpoint of that connection string is a counting
// proxy in the same child (storage-counter.ts), which answers how many entities were written so far and
// its requests by kind.
import { fileURLToPath } from 'node:url';
import { type AzuriteService, startAzurite } from '../local/azurite.js';
import { updateEntitiesInPlace } from './azurite-in-place-updates.js';
import { narrowPartitionQueries } from './azurite-partition-queries.js';
import { forkBenchChild } from './child-process.js';
import { startStorageCounter } from './storage-counter.js';

export interface AzuriteProcessOptions {
  /** Services besides the Table service (e.g. `queue`). */
  readonly services?: readonly AzuriteService[];
  /** Put a counting proxy in front of the Table endpoint (rows written, read over IPC). */
  readonly countTableWrites?: boolean;
  /** Replace and merge existing entities in place, as Azure does (azurite-in-place-updates.ts). */
  readonly inPlaceUpdates?: boolean;
}

export interface TableCounts {
  /** Entities written through the counting proxy so far (0 without `countTableWrites`). */
  readonly rows: number;
  /** Its requests so far by kind (`GET people(key)`, `POST $batch members`, …). */
  readonly requests: Readonly<Record<string, number>>;
}

export interface AzuriteProcess {
  connectionString: string;
  /** What went through the counting proxy so far (nothing without `countTableWrites`). */
  tableCounts(): Promise<TableCounts>;
  stop(): Promise<void>;
}

interface Ready {
  connectionString: string;
}

export async function startAzuriteProcess(options: AzuriteProcessOptions = {}): Promise<AzuriteProcess> {
  const args = [
    '--child',
    `--services=${(options.services ?? ['table']).join(',')}`,
    ...(options.countTableWrites === true ? ['--count-writes'] : []),
    ...(options.inPlaceUpdates === true ? ['--in-place-updates'] : []),
  ];
  const { child, ready, stop } = await forkBenchChild<Ready>(fileURLToPath(import.meta.url), args, ['ignore', 'ignore', 'inherit', 'ipc'], 'Azurite');
  return {
    connectionString: ready.connectionString,
    tableCounts: () =>
      new Promise<TableCounts>((resolve) => {
        child.once('message', (message) => resolve(message as TableCounts));
        child.send({ kind: 'counts' });
      }),
    stop,
  };
}

if (process.argv.includes('--child') && process.send !== undefined) {
  const services = (process.argv.find((arg) => arg.startsWith('--services='))?.slice('--services='.length) ?? 'table').split(',') as AzuriteService[];
  narrowPartitionQueries();
  if (process.argv.includes('--in-place-updates')) updateEntitiesInPlace();
  const azurite = await startAzurite({ inMemory: true, services });
  const counter = process.argv.includes('--count-writes') ? await startStorageCounter(azurite.connectionString, { keepLines: false }) : undefined;
  process.send({ connectionString: counter?.connectionString ?? azurite.connectionString } satisfies Ready);
  process.on('message', (message: { kind?: string }) => {
    if (message.kind === 'counts') process.send?.({ rows: counter?.rowsWritten() ?? 0, requests: counter?.requestsByKind() ?? {} } satisfies TableCounts);
  });
  const stop = () => void Promise.all([counter?.close(), azurite.stop()]).finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
}
