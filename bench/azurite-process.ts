// Azurite in a process of its own for the benchmark: storage is a separate service in Azure, and on a 2-core
// machine an emulator sharing the host's event loop would charge its CPU to every request we measure.
// Run as a script (the child), it starts an in-memory Table service (and the queue service when asked) and reports
// the connection string over IPC. With `countTableWrites`, the Table endpoint of that connection string is a counting
// proxy in the same child (storage-counter.ts), which answers how many entities were written so far.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type AzuriteService, startAzurite } from '../local/azurite.js';
import { startStorageCounter } from './storage-counter.js';

export interface AzuriteProcessOptions {
  /** Services besides the Table service (e.g. `queue`). */
  readonly services?: readonly AzuriteService[];
  /** Put a counting proxy in front of the Table endpoint (rows written, read over IPC). */
  readonly countTableWrites?: boolean;
}

export interface AzuriteProcess {
  connectionString: string;
  /** Entities written through the counting proxy so far (0 without `countTableWrites`). */
  tableWrites(): Promise<number>;
  stop(): Promise<void>;
}

interface Ready {
  connectionString: string;
}

export async function startAzuriteProcess(options: AzuriteProcessOptions = {}): Promise<AzuriteProcess> {
  const args = ['--child', `--services=${(options.services ?? ['table']).join(',')}`, ...(options.countTableWrites === true ? ['--count-writes'] : [])];
  const child = fork(fileURLToPath(import.meta.url), args, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('message', (message) => resolve(message as Ready));
    child.once('exit', (code) => reject(new Error(`Azurite process exited with code ${code}`)));
  });
  return {
    connectionString: ready.connectionString,
    tableWrites: () =>
      new Promise<number>((resolve) => {
        child.once('message', (message) => resolve((message as { rows: number }).rows));
        child.send({ kind: 'rows' });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

if (process.argv.includes('--child') && process.send !== undefined) {
  const services = (process.argv.find((arg) => arg.startsWith('--services='))?.slice('--services='.length) ?? 'table').split(',') as AzuriteService[];
  const azurite = await startAzurite({ inMemory: true, services });
  const counter = process.argv.includes('--count-writes') ? await startStorageCounter(azurite.connectionString, { keepLines: false }) : undefined;
  process.send({ connectionString: counter?.connectionString ?? azurite.connectionString } satisfies Ready);
  process.on('message', (message: { kind?: string }) => {
    if (message.kind === 'rows') process.send?.({ rows: counter?.rowsWritten() ?? 0 });
  });
  const stop = () => void Promise.all([counter?.close(), azurite.stop()]).finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
}
