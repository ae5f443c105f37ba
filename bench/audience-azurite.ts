// The audience bench's storage: an in-memory Azurite Table service in a process of its own (as azurite-process.ts:
// storage is a separate service in Azure, and on two cores an emulator on the bench's event loop would charge its CPU
// to every resolution measured), whose queries pinned to one partition read only that partition, as Azure's do
// (azurite-partition-queries.ts). Run as a script (the child), it reports the connection string over IPC.
import { fileURLToPath } from 'node:url';
import { startAzurite } from '../local/azurite.js';
import { narrowPartitionQueries } from './azurite-partition-queries.js';
import { forkBenchChild } from './child-process.js';

export interface AudienceAzurite {
  connectionString: string;
  stop(): Promise<void>;
}

export async function startAudienceAzurite(): Promise<AudienceAzurite> {
  const { ready, stop } = await forkBenchChild<{ connectionString: string }>(fileURLToPath(import.meta.url), ['--audience-azurite'], ['ignore', 'ignore', 'inherit', 'ipc'], 'Azurite');
  return { connectionString: ready.connectionString, stop };
}

if (process.argv.includes('--audience-azurite') && process.send !== undefined) {
  narrowPartitionQueries();
  const azurite = await startAzurite({ inMemory: true, services: ['table'] });
  process.send({ connectionString: azurite.connectionString });
  const stop = (): void => void azurite.stop().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
}
