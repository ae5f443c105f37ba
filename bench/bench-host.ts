// The benchmark's environment, all in this process: an in-memory Azurite and the local Functions host serving the
// compiled function registrations (dist/functions/*.js) on services with their own table prefix and secret store.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAzurite } from '../local/azurite.js';
import { importFunctionModules } from '../local/function-modules.js';
import { installFunctionsCore } from '../local/functions-core.js';
import { startHttpHost } from '../local/http-host.js';
import { runAppStartHooks, runAppTerminateHooks } from '../local/invocation.js';
import { parseSettings } from '../shared/config.js';
import { LocalFileSecretStore } from '../shared/secrets/local-file-secret-store.js';
import { createServices, useServices } from '../shared/services.js';

export const BENCH_FUNCTIONS_KEY = 'bench-key';

/** dist/bench/bench-host.js → the project root, two levels up. */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface BenchEnvironment {
  hostUrl: string;
  functionsKey: string;
  connectionString: string;
  /** Error lines the host and the functions logged (most recent last, bounded). */
  serverErrors: string[];
  stop(): Promise<void>;
}

const MAX_ERROR_LINES = 50;

export async function startBenchEnvironment(): Promise<BenchEnvironment> {
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((error: unknown) => console.error(error));
  };
  try {
    const azurite = await startAzurite({ inMemory: true });
    cleanups.push(() => azurite.stop());

    const registry = installFunctionsCore();
    await importFunctionModules(projectRoot);

    const secretsDir = await mkdtemp(join(tmpdir(), 'bench-secrets-'));
    cleanups.push(() => rm(secretsDir, { recursive: true, force: true }));
    const settings = parseSettings({ AzureWebJobsStorage: azurite.connectionString });
    const services = await createServices(settings, { tablePrefix: 'bench', secrets: new LocalFileSecretStore(join(secretsDir, 'secrets.json')) });
    useServices(services);
    await runAppStartHooks(registry, projectRoot);
    cleanups.push(() => runAppTerminateHooks(registry, projectRoot));

    const serverErrors: string[] = [];
    const log = (line: string) => {
      if (!/^\[(error|critical)\]/i.test(line)) return;
      serverErrors.push(line);
      if (serverErrors.length > MAX_ERROR_LINES) serverErrors.shift();
    };
    const host = await startHttpHost({ registry, port: 0, routePrefix: 'api', functionsKey: BENCH_FUNCTIONS_KEY, log });
    cleanups.push(() => host.close());

    return { hostUrl: host.url, functionsKey: BENCH_FUNCTIONS_KEY, connectionString: azurite.connectionString, serverErrors, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
