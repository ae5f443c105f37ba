// A benchmark helper process (Azurite, the Graph fake): forked with an IPC channel, ready when its first message
// arrives (what it reports, e.g. its connection string), stopped with SIGTERM. It does not inherit this process's
// heap limit: that emulates the sync's instance (graph-sync-bench.ts), while a helper stands for a service of its own
// (Azurite holds every row of the Graph bench's default shape in memory, well over 1 GB).
import { type ChildProcess, fork, type StdioOptions } from 'node:child_process';

export interface BenchChild<Ready> {
  readonly child: ChildProcess;
  readonly ready: Ready;
  readonly stop: () => Promise<void>;
}

export async function forkBenchChild<Ready>(modulePath: string, args: string[], stdio: StdioOptions, what: string): Promise<BenchChild<Ready>> {
  const execArgv = process.execArgv.filter((arg) => !arg.startsWith('--max-old-space-size'));
  const child = fork(modulePath, args, { stdio, execArgv });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('message', (message) => resolve(message as Ready));
    child.once('exit', (code) => reject(new Error(`${what} process exited with code ${code}`)));
  });
  return {
    child,
    ready,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
