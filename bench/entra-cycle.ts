// `npm run bench [-- --users N --groups N --memberships N --concurrency N --disable-fraction F --large-group N
// --check-storage --cpu-prof DIR]`: replays an Entra-like initial cycle against the real function registrations served
// by the local host (a process of its own) on an in-memory Azurite and prints one line per phase (with the host's CPU
// time per request), the targets, and as the last line one JSON object with the headline figures. `--cpu-prof DIR`
// writes a CPU profile of the host over the SCIM phases to DIR/host-scim-phases.cpuprofile.
// After the timed cycle, untimed: the host's memory during one GET of a group of `--large-group` members (default
// 100,000; target: peak within 100 MB of the level before), and the storage round trips of one request of each
// kind. Exits non-zero when any SCIM request failed (summary on stderr).
import { mkdir } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { checkStorage } from '../shared/maintenance/storage-checker.js';
import type { TableClients } from '../shared/storage/table-clients.js';
import { type BenchEnvironment, startBenchEnvironment } from './bench-host.js';
import { BenchSetupError, type CycleOptions, type CycleSummary, DEFAULT_CYCLE_OPTIONS, runEntraCycle } from './cycle.js';
import { type GroupMemoryResult, measureGroupGetMemory } from './group-memory.js';
import { measureRoundTrips, type RoundTrips } from './round-trips.js';
import type { PhaseSummary } from './stats.js';

export const TARGET_REQUESTS_PER_SECOND = 250;
export const TARGET_MATCH_GET_TO_RAW_READ_RATIO = 0.5;
export const TARGET_GROUP_GET_PEAK_RSS_DELTA_MB = 100;
export const TARGET_HOST_CPU_MS_PER_REQUEST = 1.0;
export const TARGET_GROUP_ADD_100_TO_BATCH_RATIO = 2;
const DEFAULT_LARGE_GROUP_MEMBERS = 100_000;

const USAGE = 'usage: entra-cycle [--users N] [--groups N] [--memberships N] [--concurrency N] [--disable-fraction F] [--large-group N] [--check-storage] [--cpu-prof DIR]';

/**
 * `checkStorage`: run the storage checker over the state the Entra cycle left (before the synthetic large group).
 * `cpuProfileDir`: where to write the host's CPU profile over the SCIM phases.
 */
type BenchOptions = CycleOptions & { largeGroupMembers: number; checkStorage: boolean; cpuProfileDir?: string };

function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      users: { type: 'string' },
      groups: { type: 'string' },
      memberships: { type: 'string' },
      concurrency: { type: 'string' },
      'disable-fraction': { type: 'string' },
      'large-group': { type: 'string' },
      'check-storage': { type: 'boolean' },
      'cpu-prof': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help === true) {
    console.log(USAGE);
    process.exit(0);
  }
  const integer = (name: string, text: string | undefined, fallback: number, min: number): number => {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) throw new RangeError(`--${name} must be an integer ≥ ${min}, got "${text}"`);
    return value;
  };
  const fractionText = values['disable-fraction'];
  const disableFraction = fractionText === undefined ? DEFAULT_CYCLE_OPTIONS.disableFraction : Number(fractionText);
  if (!Number.isFinite(disableFraction) || disableFraction < 0 || disableFraction > 1) {
    throw new RangeError(`--disable-fraction must be a number from 0 to 1, got "${fractionText}"`);
  }
  return {
    users: integer('users', values.users, DEFAULT_CYCLE_OPTIONS.users, 1),
    groups: integer('groups', values.groups, DEFAULT_CYCLE_OPTIONS.groups, 0),
    memberships: integer('memberships', values.memberships, DEFAULT_CYCLE_OPTIONS.memberships, 0),
    concurrency: integer('concurrency', values.concurrency, DEFAULT_CYCLE_OPTIONS.concurrency, 1),
    disableFraction,
    largeGroupMembers: integer('large-group', values['large-group'], DEFAULT_LARGE_GROUP_MEMBERS, 1),
    checkStorage: values['check-storage'] === true,
    ...(values['cpu-prof'] === undefined ? {} : { cpuProfileDir: resolve(values['cpu-prof']) }),
  };
}

/** The storage checker over what the cycle wrote: every derived row must agree with its source (docs/operations.md). */
async function checkCycleState(tables: TableClients, progress: (line: string) => void): Promise<number> {
  progress('checking storage (npm run check-storage) over the state the cycle left...');
  const started = performance.now();
  const result = await checkStorage(tables, { onProblem: (problem) => progress(`storage problem: ${problem.kind} ${problem.table} ${problem.partitionKey}/${problem.rowKey}: ${problem.detail}`) });
  progress(`storage check: ${result.problemCount} problems in ${result.rowsChecked} rows (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  return result.problemCount;
}

type PhaseRow = Pick<PhaseSummary, 'name' | 'requests' | 'seconds' | 'requestsPerSecond' | 'failures'> & { p50Ms?: number; p99Ms?: number; hostCpuMs?: number };

function phaseLine(p: PhaseRow): string {
  const ms = (value: number | undefined) => (value === undefined ? '-' : value.toFixed(1)).padStart(8);
  const cells = [
    p.name.padEnd(18),
    String(p.requests).padStart(8),
    p.seconds.toFixed(2).padStart(8),
    p.requestsPerSecond.toFixed(1).padStart(9),
    ms(p.p50Ms),
    ms(p.p99Ms),
    String(p.failures).padStart(7),
    (p.hostCpuMs === undefined || p.requests === 0 ? '-' : (p.hostCpuMs / p.requests).toFixed(2)).padStart(11),
  ];
  return cells.join(' ');
}

/** `GET people(key) ×2, POST $batch`: each kind of storage request once, with its count, in first-seen order. */
function tally(requests: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const request of requests) counts.set(request, (counts.get(request) ?? 0) + 1);
  return [...counts].map(([request, count]) => (count === 1 ? request : `${request} ×${count}`)).join(', ');
}

function printReport(options: CycleOptions, summary: CycleSummary, group: GroupMemoryResult, roundTrips: RoundTrips, storageRequests: ReadonlyMap<string, string[]>): void {
  console.log(
    `\nEntra initial cycle: ${options.users} users, ${options.groups} groups, ${options.memberships} memberships, ` +
      `concurrency ${options.concurrency}, disable fraction ${options.disableFraction}; user import ${summary.importSeconds.toFixed(2)} s (not timed as SCIM)`,
  );
  console.log(['phase'.padEnd(18), 'requests'.padStart(8), 'seconds'.padStart(8), 'req/s'.padStart(9), 'p50 ms'.padStart(8), 'p99 ms'.padStart(8), 'failed'.padStart(7), 'host cpu ms'.padStart(11)].join(' '));
  for (const phase of summary.phases) console.log(phaseLine(phase));
  const raw = summary.raw;
  console.log(phaseLine({ name: 'raw-storage-read', requests: raw.reads, seconds: raw.seconds, requestsPerSecond: raw.readsPerSecond, failures: raw.failures }));
  const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
  console.log(`requestsPerSecond ${summary.requestsPerSecond} (target ≥ ${TARGET_REQUESTS_PER_SECOND}: ${met(summary.requestsPerSecond >= TARGET_REQUESTS_PER_SECOND)})`);
  console.log(
    `matchGetToRawReadRatio ${summary.matchGetToRawReadRatio} = ${summary.matchGetsPerSecond} match GETs/s ÷ ${summary.rawStorageReadsPerSecond} raw reads/s ` +
      `(target ≥ ${TARGET_MATCH_GET_TO_RAW_READ_RATIO}: ${met(summary.matchGetToRawReadRatio >= TARGET_MATCH_GET_TO_RAW_READ_RATIO)})`,
  );
  const warm = summary.matchGetsPerSecondSecondHalf;
  const warmRatio = summary.rawStorageReadsPerSecond > 0 ? (warm / summary.rawStorageReadsPerSecond).toFixed(3) : '0';
  console.log(`  (informational: second half of the match GETs, after warm-up: ${warm} match GETs/s, ratio ${warmRatio})`);
  if (summary.hostCpuMsPerRequest !== undefined) {
    console.log(
      `hostCpuMsPerRequest ${summary.hostCpuMsPerRequest} = host process CPU (user + system) over the SCIM phases ÷ ${summary.requests} requests ` +
        `(target ≤ ${TARGET_HOST_CPU_MS_PER_REQUEST}: ${met(summary.hostCpuMsPerRequest <= TARGET_HOST_CPU_MS_PER_REQUEST)})`,
    );
  }
  const batch = summary.batchWrite;
  console.log(
    `groupAdd100ToBatchRatio ${summary.groupAddToBatchRatio ?? '-'} = p50 ${summary.groupAddP50Ms ?? '-'} ms of a ${batch.entitiesPerBatch}-member add ÷ ` +
      `p50 ${batch.p50Ms} ms of one ${batch.entitiesPerBatch}-entity transaction (${batch.batches} timed at concurrency ${options.concurrency}) ` +
      `(target ≤ ${TARGET_GROUP_ADD_100_TO_BATCH_RATIO}: ${met((summary.groupAddToBatchRatio ?? Infinity) <= TARGET_GROUP_ADD_100_TO_BATCH_RATIO)})`,
  );
  console.log(`peakRssMb ${summary.peakRssMb}`);
  console.log(
    `groupGetPeakRssDeltaMb ${group.peakRssDeltaMb} = host peak ${group.rssPeakMb} MB during one GET of a ${group.members}-member group ` +
      `(${group.responseMb} MB of JSON in ${group.getSeconds} s) − ${group.rssBeforeMb} MB before ` +
      `(target ≤ ${TARGET_GROUP_GET_PEAK_RSS_DELTA_MB}: ${met(group.peakRssDeltaMb <= TARGET_GROUP_GET_PEAK_RSS_DELTA_MB)}; members seeded in ${group.seedSeconds} s)`,
  );
  console.log(`roundTrips (storage requests per request) ${Object.entries(roundTrips).map(([name, count]) => `${name} ${count}`).join(', ')}`);
  for (const [kind, requests] of storageRequests) console.log(`  ${kind}: ${tally(requests)}`);
  console.log(`machine: ${machineLoad()} (load generator, Functions host and Azurite each in a process of their own)`);
}

function machineLoad(): string {
  const [one = 0, five = 0] = loadavg();
  return `${availableParallelism()} CPUs, load average ${one.toFixed(2)} (1 min) ${five.toFixed(2)} (5 min), Node ${process.version}`;
}

function printFailures(summary: CycleSummary, serverErrors: readonly string[]): void {
  console.error(`\n${summary.failureCount} SCIM request(s) failed:`);
  for (const group of summary.failures) {
    console.error(`- ${group.count} × ${group.phase} ${group.method} → ${group.status || 'no response'} (${group.reason})`);
    console.error(`    request:  ${group.method} ${group.sample.url}`);
    if (group.sample.requestBody !== undefined) console.error(`    body:     ${group.sample.requestBody}`);
    console.error(`    response: ${group.sample.responseBody}`);
  }
  if (summary.raw.failures > 0) console.error(`- ${summary.raw.failures} raw storage reads failed, first: ${summary.raw.firstError ?? '?'}`);
  if (serverErrors.length > 0) {
    console.error(`\nServer error log (last ${serverErrors.length}):`);
    for (const line of serverErrors) console.error(`  ${line.slice(0, 2_000)}`);
  }
}

/** A CPU profile of the host over the SCIM phases, written to `dir` when they end. */
function hostProfileWindow(environment: BenchEnvironment, dir: string, progress: (line: string) => void) {
  const path = join(dir, 'host-scim-phases.cpuprofile');
  return {
    start: () => environment.startHostProfile(),
    stop: async () => {
      await environment.stopHostProfile(path);
      progress(`host CPU profile of the SCIM phases: ${path}`);
    },
  };
}

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  console.log(`[bench] ${machineLoad()}`);
  const { cpuProfileDir } = options;
  if (cpuProfileDir !== undefined) await mkdir(cpuProfileDir, { recursive: true });
  const environment = await startBenchEnvironment();
  const progress = (line: string) => console.log(`[bench] ${line}`);
  try {
    const summary = await runEntraCycle(options, {
      hostUrl: environment.hostUrl,
      functionsKey: environment.functionsKey,
      connectionString: environment.connectionString,
      progress,
      hostCpuMs: environment.hostCpuMs,
      ...(cpuProfileDir === undefined ? {} : { measuredWindow: hostProfileWindow(environment, cpuProfileDir, progress) }),
    });
    summary.peakRssMb = await environment.hostPeakRssMb();
    const storageProblems = options.checkStorage ? await checkCycleState(environment.tables, progress) : undefined;
    progress(`GET of a ${options.largeGroupMembers}-member group...`);
    const group = await measureGroupGetMemory(
      {
        hostUrl: environment.hostUrl,
        functionsKey: environment.functionsKey,
        seedMembers: environment.seedGroupMembers,
        resetHostPeakRssMb: environment.resetHostPeakRssMb,
        hostPeakRssMb: environment.hostPeakRssMb,
        progress,
      },
      options.largeGroupMembers,
    );
    progress('storage round trips...');
    const counting = await environment.startCountingHost();
    const storageRequests = new Map<string, string[]>();
    const roundTrips = await measureRoundTrips({ ...counting, functionsKey: environment.functionsKey, onMeasured: (kind, requests) => storageRequests.set(kind, requests) });
    printReport(options, summary, group, roundTrips, storageRequests);
    const failed = summary.failureCount > 0 || summary.raw.failures > 0;
    if (failed) printFailures(summary, environment.serverErrors);
    const headline = {
      requests: summary.requests,
      seconds: summary.seconds,
      requestsPerSecond: summary.requestsPerSecond,
      p50Ms: summary.p50Ms,
      p99Ms: summary.p99Ms,
      rawStorageReadsPerSecond: summary.rawStorageReadsPerSecond,
      matchGetToRawReadRatio: summary.matchGetToRawReadRatio,
      peakRssMb: summary.peakRssMb,
      groupGetPeakRssDeltaMb: group.peakRssDeltaMb,
      hostCpuMsPerRequest: summary.hostCpuMsPerRequest,
      groupAdd100ToBatchRatio: summary.groupAddToBatchRatio,
      roundTrips,
      ...(storageProblems === undefined ? {} : { storageProblems }),
    };
    console.log(JSON.stringify(headline));
    return failed || (storageProblems ?? 0) > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof BenchSetupError) console.error(`bench setup failed: ${error.message}`);
    else console.error('bench failed:', error);
    if (environment.serverErrors.length > 0) console.error(`Server error log:\n  ${environment.serverErrors.join('\n  ')}`);
    return 1;
  } finally {
    await environment.stop();
  }
}

process.exit(
  await main().catch((error: unknown) => {
    console.error('bench failed to start:', error);
    return 1;
  }),
);
