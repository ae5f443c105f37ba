// `npm run bench:graph [-- --users N --groups N --memberships N --depth N --change F]`: the Microsoft Graph sync of a
// synthetic tenant (defaults: 100,000 users, 5,000 groups, 300,000 direct user memberships, nesting 3 levels deep)
// through the real run machinery: the real `graph-sync` queue on Azurite, polled by the local queue host running the
// compiled queue function (the real step processor and planner), the real credential and Graph client reaching the
// Graph fake (a process of its own, graph-fake-process.ts). A full run, then the tenant changes `--change` (1%) of its
// users and direct memberships and a delta run follows. In the same run, the raw rate of batched inserts (entity-group
// transactions of 100 new entities, straight through the SDK) for as many rows as the full run wrote. The last line
// is one JSON object: fullSeconds, deltaSeconds, rowsWritten (entities the full run wrote: inserts, updates and
// deletes, each operation of a transaction counted, as the Azurite process's counting proxy sees them),
// rawBatchedInsertRowsPerSecond, fullRunToRawWriteRatio (rowsWritten / fullSeconds ÷ rawBatchedInsertRowsPerSecond),
// graphRequests (both runs, from their reports) and peakRssMb (this process, over both runs). Azurite replaces and
// merges existing entities in place, as Azure does (azurite-in-place-updates.ts: its own replace costs time in
// proportion to the table, which the raw inserts never pay). docs/graph-bench.md.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { installFunctionsCore } from '../local/functions-core.js';
import { importFunctionModules } from '../local/function-modules.js';
import { QueueTriggerHost, readQueueHostSettings } from '../local/queue-triggers.js';
import { parseSettings } from '../shared/config.js';
import { graphCloud } from '../shared/graph/graph-cloud.js';
import { parseGraphIntegrationInput } from '../shared/graph/graph-integration-settings.js';
import { LocalFileSecretStore } from '../shared/secrets/local-file-secret-store.js';
import { createServices, useServices } from '../shared/services.js';
import type { SyncRunRecord } from '../shared/storage/sync-run-repository.js';
import { isEnded } from '../shared/sync-runs/sync-runs.js';
import { createSyncRunServices, type SyncRunServices, useSyncRunServices } from '../shared/sync-runs/sync-run-services.js';
import { forwardGraphToHttpFake } from '../test/support/graph-fake/http-bridge.js';
import { startAzuriteProcess, type TableCounts } from './azurite-process.js';
import { seedContentManagerUsers } from './graph-bench-seed.js';
import { startGraphFakeProcess } from './graph-fake-process.js';
import { measureBatchedInsertRate } from './raw-storage.js';
import { round, RssSampler } from './stats.js';

export const TARGET_FULL_RUN_TO_RAW_WRITE_RATIO = 0.5;
export const TARGET_DELTA_TO_FULL_RATIO = 0.05;
export const TARGET_PEAK_RSS_MB = 300;

/** Transactions in flight while measuring the raw insert rate (as many as the sync's submitChunked keeps). */
const RAW_INSERT_CONCURRENCY = 8;
const POLL_MS = 250;

const { values } = parseArgs({
  options: { users: { type: 'string' }, groups: { type: 'string' }, memberships: { type: 'string' }, depth: { type: 'string' }, change: { type: 'string' } },
  strict: true,
});
const shape = {
  users: Number(values.users ?? 100_000),
  groups: Number(values.groups ?? 5_000),
  memberships: Number(values.memberships ?? 300_000),
  nestingDepth: Number(values.depth ?? 3),
};
const changeFraction = Number(values.change ?? 0.01);
for (const [name, value] of Object.entries(shape)) {
  if (!Number.isInteger(value) || value < (name === 'nestingDepth' ? 0 : 1)) throw new RangeError(`--${name === 'nestingDepth' ? 'depth' : name} must be a positive integer`);
}
if (!(changeFraction > 0 && changeFraction < 1)) throw new RangeError('--change must be a fraction between 0 and 1');

const log = (line: string): void => console.log(line);
const seconds = (from: number): number => (performance.now() - from) / 1000;

async function runToEnd(sync: SyncRunServices, integrationId: string, full: boolean): Promise<{ run: SyncRunRecord; seconds: number }> {
  const started = performance.now();
  const { runId } = await sync.runs.start({ integrationId, full, dryRun: false, trigger: 'cli' });
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    const run = await sync.runs.get(integrationId, runId);
    if (run !== undefined && isEnded(run)) {
      if (run.status !== 'succeeded') throw new Error(`the ${run.kind} run ${run.status}: ${run.failureReason ?? ''}`);
      // The run's own timestamps (queued → ended), not this poll's.
      const measured = run.endedAt !== undefined ? (Date.parse(run.endedAt) - Date.parse(run.queuedAt)) / 1000 : seconds(started);
      return { run, seconds: measured };
    }
  }
}

function describeRun(run: SyncRunRecord, elapsed: number): string {
  const counts = Object.entries(run.counters).filter(([, value]) => value !== 0).map(([name, value]) => `${name} ${value}`).join(', ');
  return `${run.kind} run: ${round(elapsed, 1)} s, ${run.stepsCompleted} steps; ${counts}`;
}

/** The storage requests between two counts: the total, then each kind, most frequent first. */
function describeRequests(before: TableCounts, after: TableCounts): string {
  const kinds = Object.entries(after.requests)
    .map(([kind, count]) => [kind, count - (before.requests[kind] ?? 0)] as const)
    .filter(([, count]) => count > 0)
    .sort((a, b) => b[1] - a[1]);
  const total = kinds.reduce((sum, [, count]) => sum + count, 0);
  return `${total} storage requests (${kinds.map(([kind, count]) => `${kind} ${count}`).join(', ')})`;
}

async function main(): Promise<void> {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const [azurite, fake] = await Promise.all([startAzuriteProcess({ services: ['queue'], countTableWrites: true, inPlaceUpdates: true }), startGraphFakeProcess({ ...shape, seed: 1 })]);
  log(`synthetic tenant built in ${round(fake.buildSeconds, 1)} s: ${JSON.stringify(shape)}`);
  const cloud = graphCloud('global');
  const forwarding = forwardGraphToHttpFake(cloud, fake.port);
  const secretsFolder = await mkdtemp(join(tmpdir(), 'graph-bench-'));
  let queues: QueueTriggerHost | undefined;
  try {
    const config = parseSettings({ AzureWebJobsStorage: azurite.connectionString });
    const all = await createServices(config, { secrets: new LocalFileSecretStore(join(secretsFolder, 'secrets.json')) });
    useServices(all);
    const sync = createSyncRunServices(all, config);
    useSyncRunServices(sync);
    const seeding = performance.now();
    await seedContentManagerUsers(all.tables.people, shape.users);
    log(`seeded ${shape.users} Content Manager users in ${round(seconds(seeding), 1)} s`);
    const input = parseGraphIntegrationInput(
      { ...fake.credentials, groupSelection: { mode: 'all' }, membershipDepth: 'transitive', matchingKey: { kind: 'upn' }, userAttributes: ['department', 'onPremisesExtensionAttributes.extensionAttribute1'] },
      'create',
    );
    const integration = await all.integrations.createGraph({ displayName: 'Graph bench', ...input }, 'http://localhost');

    // The compiled function registrations (the graph-sync queue function installs the planner), run by the local
    // queue host against Azurite's queues as `npm start` runs them.
    const registry = installFunctionsCore();
    await importFunctionModules(root);
    queues = new QueueTriggerHost({ registry, connectionString: () => config.AzureWebJobsStorage, settings: await readQueueHostSettings(root), log: (line) => log(line) });
    queues.start();

    global.gc?.();
    const rss = new RssSampler().start(100);
    const beforeFull = await azurite.tableCounts();
    const full = await runToEnd(sync, integration.id, true);
    const afterFull = await azurite.tableCounts();
    const rowsWritten = afterFull.rows - beforeFull.rows;
    log(describeRun(full.run, full.seconds));
    log(`full run wrote ${rowsWritten} rows: ${round(rowsWritten / full.seconds, 0)} rows/s; ${describeRequests(beforeFull, afterFull)}`);

    const changed = await fake.change(changeFraction);
    log(`tenant changed: ${changed.usersChanged} users, ${changed.membershipsChanged} direct memberships`);
    const beforeDelta = await azurite.tableCounts();
    const delta = await runToEnd(sync, integration.id, false);
    if (delta.run.kind !== 'delta') throw new Error('the second run was not a delta run');
    log(describeRun(delta.run, delta.seconds));
    log(`delta run: ${describeRequests(beforeDelta, await azurite.tableCounts())}`);
    const peakRssMb = rss.stop();
    await queues.stop();
    queues = undefined;

    const raw = await measureBatchedInsertRate({ connectionString: azurite.connectionString, rows: rowsWritten, concurrency: RAW_INSERT_CONCURRENCY });
    log(`raw batched inserts: ${raw.rows} rows in ${round(raw.seconds, 1)} s`);
    const rawRate = raw.rows / raw.seconds;
    const ratio = rowsWritten / full.seconds / rawRate;
    const graphRequests = (full.run.counters.graphRequests ?? 0) + (delta.run.counters.graphRequests ?? 0);
    log(`targets: fullRunToRawWriteRatio ≥ ${TARGET_FULL_RUN_TO_RAW_WRITE_RATIO}, deltaSeconds ≤ ${TARGET_DELTA_TO_FULL_RATIO * 100}% of fullSeconds (${round(delta.seconds / full.seconds * 100, 1)}%), peakRssMb ≤ ${TARGET_PEAK_RSS_MB}`);
    log(
      JSON.stringify({
        fullSeconds: round(full.seconds, 1),
        deltaSeconds: round(delta.seconds, 1),
        rowsWritten,
        rawBatchedInsertRowsPerSecond: round(rawRate, 0),
        fullRunToRawWriteRatio: round(ratio, 2),
        graphRequests,
        peakRssMb: round(peakRssMb, 1),
      }),
    );
  } finally {
    await queues?.stop();
    forwarding.close();
    await Promise.all([azurite.stop(), fake.stop()]);
    await rm(secretsFolder, { recursive: true, force: true });
  }
}

await main();
