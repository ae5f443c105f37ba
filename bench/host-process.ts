// The benchmark's Functions host, run as a child process by bench-host.ts: the compiled function registrations on
// the local host, with their services on the Azurite it is given. Reports its URL, error log lines and peak memory
// over IPC. The bench runs two: one on Azurite directly (everything timed) and one behind a counting proxy (storage
// round trips).
import { importFunctionModules } from '../local/function-modules.js';
import { installFunctionsCore } from '../local/functions-core.js';
import { startHttpHost } from '../local/http-host.js';
import { runAppStartHooks } from '../local/invocation.js';
import { parseSettings } from '../shared/config.js';
import { LocalFileSecretStore } from '../shared/secrets/local-file-secret-store.js';
import { createServices, useServices } from '../shared/services.js';

export type HostMessage = { kind: 'ready'; url: string } | { kind: 'error'; line: string } | { kind: 'rss'; peakMb: number };
/** `rss` asks for the peak so far; `rss-reset` starts a new peak at the current level (and reports that level). */
export type HostRequest = { kind: 'rss' } | { kind: 'rss-reset' };

/** Often enough to catch the peak of a GET that lasts a second or two. */
const RSS_SAMPLE_MS = 20;
const toMb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}

async function main(): Promise<void> {
  const send = (message: HostMessage) => process.send?.(message);
  let peakRss = process.memoryUsage.rss();
  setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, RSS_SAMPLE_MS).unref();
  process.on('message', (message: HostRequest) => {
    if (message.kind === 'rss-reset') peakRss = process.memoryUsage.rss();
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    send({ kind: 'rss', peakMb: toMb(peakRss) });
  });
  process.on('SIGTERM', () => process.exit(0));
  process.on('disconnect', () => process.exit(0));

  const root = required('BENCH_PROJECT_ROOT');
  const registry = installFunctionsCore();
  await importFunctionModules(root);
  const settings = parseSettings({ AzureWebJobsStorage: required('BENCH_CONNECTION_STRING') });
  useServices(await createServices(settings, { tablePrefix: required('BENCH_TABLE_PREFIX'), secrets: new LocalFileSecretStore(required('BENCH_SECRETS_PATH')) }));
  await runAppStartHooks(registry, root);
  const log = (line: string) => {
    if (/^\[(error|critical)\]/i.test(line)) send({ kind: 'error', line });
  };
  const host = await startHttpHost({ registry, port: 0, routePrefix: 'api', functionsKey: required('BENCH_FUNCTIONS_KEY'), log });
  send({ kind: 'ready', url: host.url });
}

await main();
