// The benchmark's environment, one process per role as in Azure: an in-memory Azurite (storage), the local Functions
// host serving the compiled function registrations (dist/functions/*.js), and this process, which only generates
// load. On a 2-core machine, sharing one event loop would charge the load generator's CPU to the service. For the
// storage round trips a second host is started behind a counting proxy, so the timed host never pays for the proxy.
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSettings } from '../shared/config.js';
import { type MemberRow, MembershipRepository } from '../shared/storage/membership-repository.js';
import { createTableClients, type TableClients } from '../shared/storage/table-clients.js';
import { startAzuriteProcess } from './azurite-process.js';
import type { HostMessage, HostQuestion, HostRequest } from './host-process.js';
import { startStorageCounter } from './storage-counter.js';

export const BENCH_FUNCTIONS_KEY = 'bench-key';
/** Table name prefix of the bench's storage (both hosts and the seeding share it). */
const BENCH_TABLE_PREFIX = 'bench';

/** dist/bench/bench-host.js → the project root, two levels up. */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface BenchEnvironment {
  hostUrl: string;
  functionsKey: string;
  connectionString: string;
  /** Error lines the hosts and the functions logged (most recent last, bounded). */
  serverErrors: string[];
  /** Peak resident memory of the host process so far (since the last reset). */
  hostPeakRssMb: () => Promise<number>;
  /** Starts a new peak at the host's current resident memory; resolves to that level. */
  resetHostPeakRssMb: () => Promise<number>;
  /** CPU time (user + system) the host process has used so far, in ms. */
  hostCpuMs: () => Promise<number>;
  /** Starts a CPU profile of the host process (bench/host-profiler.ts). */
  startHostProfile: () => Promise<void>;
  /** Stops it and writes the .cpuprofile to `path`. */
  stopHostProfile: (path: string) => Promise<void>;
  /** Writes `count` members (synthetic user ids) into a group, straight through the membership repository. */
  seedGroupMembers: (integrationId: string, groupId: string, count: number) => Promise<void>;
  /** The bench's tables, for the storage checker. */
  tables: TableClients;
  /** A second host whose storage requests are counted. */
  startCountingHost: () => Promise<{ hostUrl: string; storageRequests: () => string[]; resetStorageRequests: () => void }>;
  stop(): Promise<void>;
}

const MAX_ERROR_LINES = 50;
const SEED_CHUNK = 10_000;

interface HostProcess {
  url: string;
  ask(question: HostQuestion): Promise<number>;
}

/** Forks host-process.js on `connectionString`; `cleanups` gets its stop. */
async function forkHost(connectionString: string, secretsPath: string, serverErrors: string[], cleanups: (() => Promise<void>)[]): Promise<HostProcess> {
  const child: ChildProcess = fork(join(dirname(fileURLToPath(import.meta.url)), 'host-process.js'), [], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: {
      ...process.env,
      BENCH_PROJECT_ROOT: projectRoot,
      BENCH_CONNECTION_STRING: connectionString,
      BENCH_SECRETS_PATH: secretsPath,
      BENCH_FUNCTIONS_KEY,
      BENCH_TABLE_PREFIX,
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
  const waiters = new Map<number, (value: number) => void>();
  let nextId = 0;
  const url = await new Promise<string>((resolveUrl, reject) => {
    child.on('message', (message: HostMessage) => {
      if (message.kind === 'ready') resolveUrl(message.url);
      if (message.kind === 'error') {
        serverErrors.push(message.line);
        if (serverErrors.length > MAX_ERROR_LINES) serverErrors.shift();
      }
      if (message.kind === 'reply') {
        waiters.get(message.id)?.(message.value);
        waiters.delete(message.id);
      }
    });
    child.once('exit', (code) => reject(new Error(`bench host exited with code ${code}`)));
  });
  const ask = (question: HostQuestion) =>
    new Promise<number>((resolveAnswer) => {
      const request: HostRequest = { ...question, id: nextId++ };
      waiters.set(request.id, resolveAnswer);
      child.send(request);
    });
  return { url, ask };
}

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
    const secretsPath = join(secretsDir, 'secrets.json');
    const serverErrors: string[] = [];
    const host = await forkHost(azurite.connectionString, secretsPath, serverErrors, cleanups);

    const tables = createTableClients(parseSettings({ AzureWebJobsStorage: azurite.connectionString }), { tablePrefix: BENCH_TABLE_PREFIX });
    const memberships = new MembershipRepository(tables.members);
    const seedGroupMembers = async (integrationId: string, groupId: string, count: number) => {
      for (let at = 0; at < count; at += SEED_CHUNK) {
        const rows: MemberRow[] = [];
        for (let i = at; i < Math.min(count, at + SEED_CHUNK); i++) rows.push({ value: `seeded-member-${String(i).padStart(7, '0')}`, type: 'User' });
        await memberships.add(integrationId, groupId, rows);
      }
    };

    const startCountingHost = async () => {
      const counter = await startStorageCounter(azurite.connectionString);
      cleanups.push(() => counter.close());
      // The same secret store: integrations created through either host authenticate on both.
      const counted = await forkHost(counter.connectionString, secretsPath, serverErrors, cleanups);
      return { hostUrl: counted.url, storageRequests: counter.requestLines, resetStorageRequests: counter.reset };
    };

    return {
      hostUrl: host.url,
      functionsKey: BENCH_FUNCTIONS_KEY,
      connectionString: azurite.connectionString,
      serverErrors,
      hostPeakRssMb: () => host.ask({ kind: 'rss' }),
      resetHostPeakRssMb: () => host.ask({ kind: 'rss-reset' }),
      hostCpuMs: () => host.ask({ kind: 'cpu' }),
      startHostProfile: async () => {
        await host.ask({ kind: 'profile-start' });
      },
      stopHostProfile: async (path: string) => {
        await host.ask({ kind: 'profile-stop', path });
      },
      seedGroupMembers,
      tables,
      startCountingHost,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
