// The benchmark's environment, one process per role as in Azure: an in-memory Azurite (storage), the local Functions
// host serving the compiled function registrations (dist/functions/*.js), and this process, which only generates
// load. On a 2-core machine, sharing one event loop would charge the load generator's CPU to the service.
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAzuriteProcess } from './azurite-process.js';
import type { HostMessage } from './host-process.js';

export const BENCH_FUNCTIONS_KEY = 'bench-key';

/** dist/bench/bench-host.js → the project root, two levels up. */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface BenchEnvironment {
  hostUrl: string;
  functionsKey: string;
  connectionString: string;
  /** Error lines the host and the functions logged (most recent last, bounded). */
  serverErrors: string[];
  /** Peak resident memory of the host process so far. */
  hostPeakRssMb(): Promise<number>;
  stop(): Promise<void>;
}

const MAX_ERROR_LINES = 50;

export async function startBenchEnvironment(): Promise<BenchEnvironment> {
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((error: unknown) => console.error(error));
  };
  try {
    const azurite = await startAzuriteProcess();
    cleanups.push(() => azurite.stop());
    const secretsDir = await mkdtemp(join(tmpdir(), 'bench-secrets-'));
    cleanups.push(() => rm(secretsDir, { recursive: true, force: true }));

    const child = fork(join(dirname(fileURLToPath(import.meta.url)), 'host-process.js'), [], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      // BENCH_PROFILE_DIR=<dir> writes a CPU profile of the host process there (open it in Chrome DevTools).
      execArgv: process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [],
      env: {
        ...process.env,
        BENCH_PROJECT_ROOT: projectRoot,
        BENCH_CONNECTION_STRING: azurite.connectionString,
        BENCH_SECRETS_PATH: join(secretsDir, 'secrets.json'),
        BENCH_FUNCTIONS_KEY,
      },
    });
    cleanups.push(
      () =>
        new Promise<void>((done) => {
          if (child.exitCode !== null) return done();
          child.once('exit', () => done());
          child.kill('SIGTERM');
        }),
    );
    const serverErrors: string[] = [];
    const rssWaiters: ((mb: number) => void)[] = [];
    const hostUrl = await new Promise<string>((resolveUrl, reject) => {
      child.on('message', (message: HostMessage) => {
        if (message.kind === 'ready') resolveUrl(message.url);
        if (message.kind === 'error') {
          serverErrors.push(message.line);
          if (serverErrors.length > MAX_ERROR_LINES) serverErrors.shift();
        }
        if (message.kind === 'rss') rssWaiters.shift()?.(message.peakMb);
      });
      child.once('exit', (code) => reject(new Error(`bench host exited with code ${code}`)));
    });
    const hostPeakRssMb = () =>
      new Promise<number>((resolveRss) => {
        rssWaiters.push(resolveRss);
        child.send({ kind: 'rss' });
      });
    return { hostUrl, functionsKey: BENCH_FUNCTIONS_KEY, connectionString: azurite.connectionString, serverErrors, hostPeakRssMb, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
