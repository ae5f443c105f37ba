// Azurite in a process of its own for the benchmark: storage is a separate service in Azure, and on a 2-core
// machine an emulator sharing the host's event loop would charge its CPU to every request we measure.
// Run as a script (the child), it starts an in-memory Table service and reports the connection string over IPC.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startAzurite } from '../local/azurite.js';

interface Ready {
  connectionString: string;
}

export async function startAzuriteProcess(): Promise<{ connectionString: string; stop(): Promise<void> }> {
  const child = fork(fileURLToPath(import.meta.url), ['--child'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('message', (message) => resolve(message as Ready));
    child.once('exit', (code) => reject(new Error(`Azurite process exited with code ${code}`)));
  });
  return {
    connectionString: ready.connectionString,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

if (process.argv.includes('--child') && process.send !== undefined) {
  const azurite = await startAzurite({ inMemory: true, services: ['table'] });
  process.send({ connectionString: azurite.connectionString } satisfies Ready);
  process.on('SIGTERM', () => {
    void azurite.stop().finally(() => process.exit(0));
  });
  process.on('disconnect', () => {
    void azurite.stop().finally(() => process.exit(0));
  });
}
