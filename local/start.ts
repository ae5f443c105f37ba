// Entry of `npm start` (compiled to dist/local/start.js): a local Functions host without Core Tools.
// Settings → embedded Azurite when needed → `@azure/functions-core` → function modules → HTTP host.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_GRAPH_SYNC_SCHEDULE } from '../shared/config.js';
import { adminPageBanner } from './admin-page-banner.js';
import { type RunningAzurite, startAzurite } from './azurite.js';
import { type BackgroundTriggers, startBackgroundTriggers } from './background-triggers.js';
import { announceDefaultIntegration } from './default-integration.js';
import { importFunctionModules } from './function-modules.js';
import { installFunctionsCore, type Registry } from './functions-core.js';
import { ensureLocalFunctionsKey } from './functions-key-setting.js';
import { type HttpHost, startHttpHost } from './http-host.js';
import { describeHttpRoutes } from './http-routes.js';
import { runAppStartHooks, runAppTerminateHooks } from './invocation.js';
import { loadLocalSettings, readHostJson } from './settings-file.js';

const DEFAULT_PORT = 7071;
const FORCED_EXIT_AFTER_MS = 10_000;

/** dist/local/start.js → the project root, two levels up. */
const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function setting(values: Record<string, string>, name: string): string | undefined {
  const value = values[name] ?? process.env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

function usesDevelopmentStorage(connection: string | undefined): boolean {
  return connection === undefined || /^\s*UseDevelopmentStorage\s*=\s*true\s*;?\s*$/i.test(connection);
}

function printRoutes(host: HttpHost, triggers: BackgroundTriggers): void {
  const routes = describeHttpRoutes(host.routes());
  console.log(`\nHTTP functions (${routes.length}):`);
  for (const route of routes) {
    console.log(`  ${route.methods.padEnd(26)} ${host.url}${route.route}  [${route.authLevel}] ${route.functionName}`);
  }
  const others = triggers.describe();
  if (others.length > 0) {
    console.log(`\nTimer and queue functions (${others.length}):`);
    for (const line of others) console.log(line);
  }
  console.log('');
}

async function main(): Promise<void> {
  const settings = await loadLocalSettings({ root: projectRoot });
  if (settings.createdFromSample) console.log(`Created ${settings.path} from local.settings.sample.json.`);
  const values: Record<string, string> = { ...settings.values };

  let azurite: RunningAzurite | undefined;
  let host: HttpHost | undefined;
  let registry: Registry | undefined;
  let triggers: BackgroundTriggers | undefined;
  let stopping = false;
  const shutdown = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${reason}: shutting down...`);
    setTimeout(() => process.exit(1), FORCED_EXIT_AFTER_MS).unref();
    await triggers?.stop().catch((e: unknown) => console.error(e));
    if (registry) await runAppTerminateHooks(registry, projectRoot).catch((e: unknown) => console.error(e));
    await host?.close().catch((e: unknown) => console.error(e));
    await azurite?.stop().catch((e: unknown) => console.error(e));
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.once(signal, () => process.exit(130));
      void shutdown(signal).then(() => process.exit(0));
    });
  }

  try {
    if (usesDevelopmentStorage(setting(values, 'AzureWebJobsStorage'))) {
      azurite = await startAzurite({ location: join(projectRoot, '.local', 'azurite') });
      values.AzureWebJobsStorage = azurite.connectionString;
      console.log(`Embedded Azurite: tables at ${azurite.tableUrl}, queues at ${azurite.queueUrl ?? '(none)'} (data in .local/azurite)`);
    }
    // The host resolves the timer's %GRAPH_SYNC_SCHEDULE% from the app settings; locally the product's default applies.
    if (!setting(values, 'GRAPH_SYNC_SCHEDULE')) values.GRAPH_SYNC_SCHEDULE = DEFAULT_GRAPH_SYNC_SCHEDULE;
    if (!setting(values, 'KEY_VAULT_URL') && !setting(values, 'LOCAL_SECRET_STORE_PATH')) {
      values.LOCAL_SECRET_STORE_PATH = join(projectRoot, '.local', 'secrets.json');
    }
    const { key: functionsKey, generated } = await ensureLocalFunctionsKey({ root: projectRoot, values: settings.values });
    values.LOCAL_FUNCTIONS_KEY = functionsKey;
    if (generated) console.log(`Generated a function key for this checkout: LOCAL_FUNCTIONS_KEY in ${settings.path}.`);
    Object.assign(process.env, values);

    registry = installFunctionsCore();
    await importFunctionModules(projectRoot);
    await runAppStartHooks(registry, projectRoot);

    const { routePrefix } = await readHostJson(projectRoot);
    const port = Number(setting(values, 'PORT') ?? DEFAULT_PORT);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`PORT must be a port number, got "${values.PORT}".`);
    host = await startHttpHost({ registry, port, routePrefix, functionsKey, host: setting(values, 'HOST') });
    console.log(`Functions host listening on ${host.url} (route prefix "/${routePrefix}")`);
    triggers = await startBackgroundTriggers({ registry, root: projectRoot, setting: (name) => setting(values, name) });
    printRoutes(host, triggers);
    for (const line of adminPageBanner(host.routes(), host.url, settings.path)) console.log(line);

    await announceDefaultIntegration(host.url);
  } catch (error: unknown) {
    console.error('Local host failed to start:', error);
    await shutdown('startup failure');
    process.exitCode = 1;
  }
}

await main();
