// The benchmark's Functions host, run as a child process by bench-host.ts: the compiled function registrations on
// the local host, with their services on the Azurite it is given. Reports its URL and error log lines over IPC, and
// answers the bench's questions there (peak memory, CPU time used, a CPU profile over a window): a diagnostic channel
// of the bench, not an HTTP route of the product. The bench runs two: one on Azurite directly (everything timed) and
// one behind a counting proxy (storage round trips).
import { importFunctionModules } from '../local/function-modules.js';
import { installFunctionsCore } from '../local/functions-core.js';
import { startHttpHost } from '../local/http-host.js';
import { runAppStartHooks } from '../local/invocation.js';
import { parseSettings } from '../shared/config.js';
import { LocalFileSecretStore } from '../shared/secrets/local-file-secret-store.js';
import { createServices, useServices } from '../shared/services.js';
import { HostProfiler } from './host-profiler.js';

/**
 * What the bench asks, each answered by one `reply` with the same id: `rss` the peak resident set so far (MB),
 * `rss-reset` starts a new peak at the current level (and reports that level), `cpu` the process's CPU time so far
 * (user + system, ms, from process.cpuUsage()), `profile-start`/`profile-stop` a CPU profile written to `path` (0).
 */
export type HostQuestion = { kind: 'rss' } | { kind: 'rss-reset' } | { kind: 'cpu' } | { kind: 'profile-start' } | { kind: 'profile-stop'; path: string };
export type HostRequest = HostQuestion & { id: number };
export type HostMessage = { kind: 'ready'; url: string } | { kind: 'error'; line: string } | { kind: 'reply'; id: number; value: number };

/**
 * Often enough to catch the peak of a GET that lasts a second or two: between an `rss-reset` and the next `rss` (the
 * measured GET). Otherwise (the cycle, whose host CPU is measured) seldom: a sample costs the host about 0.1 ms.
 */
const RSS_WINDOW_SAMPLE_MS = 20;
const RSS_SAMPLE_MS = 250;
const toMb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}

async function main(): Promise<void> {
  const send = (message: HostMessage) => process.send?.(message);
  let peakRss = process.memoryUsage.rss();
  const sampleRss = () => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  };
  setInterval(sampleRss, RSS_SAMPLE_MS).unref();
  let windowSampler: NodeJS.Timeout | undefined;
  const profiler = new HostProfiler();
  const answer = async (question: HostQuestion): Promise<number> => {
    switch (question.kind) {
      case 'rss-reset':
        peakRss = process.memoryUsage.rss();
        clearInterval(windowSampler);
        windowSampler = setInterval(sampleRss, RSS_WINDOW_SAMPLE_MS).unref();
        return toMb(peakRss);
      case 'rss':
        clearInterval(windowSampler);
        windowSampler = undefined;
        sampleRss();
        return toMb(peakRss);
      case 'cpu': {
        const { user, system } = process.cpuUsage();
        return (user + system) / 1000;
      }
      case 'profile-start':
        await profiler.start();
        return 0;
      case 'profile-stop':
        await profiler.stop(question.path);
        return 0;
    }
  };
  process.on('message', (message: HostRequest) => {
    answer(message).then(
      (value) => send({ kind: 'reply', id: message.id, value }),
      (error: unknown) => {
        send({ kind: 'error', line: `[error] bench host: ${message.kind} failed: ${String(error)}` });
        send({ kind: 'reply', id: message.id, value: Number.NaN });
      },
    );
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
