// `npm run bench:audience [-- --users N --groups N --repeats N --concurrency N]` (defaults 100,000 users, 2,000 groups,
// 5 counted rounds, 32 writes in flight): seeds people with attribute values, groups and memberships through the real
// write path (audience-seed.ts), then in a process of its own (audience-resolve-phase.ts) resolves a set of audiences
// (one large group; a group and an attribute combined; one of 20 values) and reads the very index rows each resolution
// reads straight from storage (audience-raw-read.ts: same queries, same parallelism, rows only counted), and prints as
// its last line one JSON object: users, groups, audiences, resolveMsP50, resolveMsMax, rawIndexReadMs (median raw
// read), resolveToRawReadRatio (sum over audiences of the median resolution over the sum of the median raw read),
// peakRssMb (the resolving process's peak RSS while resolving) and seedPeakRssMb (this process's, while seeding).
// Storage is an in-memory Azurite in a process of its own whose partition queries read only their partition, as in
// Azure (azurite-process.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseSettings } from '../shared/config.js';
import { LocalFileSecretStore } from '../shared/secrets/local-file-secret-store.js';
import { createServices } from '../shared/services.js';
import { startAzuriteProcess } from './azurite-process.js';
import { type AudienceMeasurement, runResolvePhase } from './audience-resolve-phase.js';
import { seed } from './audience-seed.js';
import { percentile, round, RssSampler } from './stats.js';

export const TARGET_RESOLVE_TO_RAW_READ_RATIO = 1.5;
export const TARGET_PEAK_RSS_MB = 300;

const SEED_RSS_SAMPLE_MS = 100;
const options = { users: 100_000, groups: 2_000, repeats: 5, concurrency: 32 };
const { values } = parseArgs({ options: Object.fromEntries(Object.keys(options).map((name) => [name, { type: 'string' as const }])), strict: true });
for (const name of Object.keys(options) as (keyof typeof options)[]) {
  const value = Number(values[name] ?? options[name]);
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`--${name} must be a positive integer`);
  options[name] = value;
}

const log = (line: string): void => console.log(line);
const median = (samples: number[]): number => percentile([...samples].sort((a, b) => a - b), 50);

function report(audiences: AudienceMeasurement[], peakRssMb: number, seedPeakRssMb: number): string {
  const perAudience = audiences.map((audience) => ({ ...audience, resolve: median(audience.resolveMs), raw: median(audience.rawReadMs) }));
  for (const line of perAudience) {
    log(`${line.name}: ${line.total} users from ${line.indexRows} index rows; resolve ${round(line.resolve, 1)} ms, raw index read ${round(line.raw, 1)} ms`);
  }
  const allResolve = audiences.flatMap((audience) => audience.resolveMs);
  const ratio = perAudience.reduce((sum, line) => sum + line.resolve, 0) / perAudience.reduce((sum, line) => sum + line.raw, 0);
  log(`targets: resolveToRawReadRatio ≤ ${TARGET_RESOLVE_TO_RAW_READ_RATIO}, peakRssMb ≤ ${TARGET_PEAK_RSS_MB}`);
  return JSON.stringify({
    users: options.users,
    groups: options.groups,
    audiences: audiences.length,
    resolveMsP50: round(median(allResolve), 1),
    resolveMsMax: round(Math.max(...allResolve), 1),
    rawIndexReadMs: round(median(audiences.flatMap((audience) => audience.rawReadMs)), 1),
    resolveToRawReadRatio: round(ratio, 2),
    peakRssMb: round(peakRssMb, 1),
    seedPeakRssMb: round(seedPeakRssMb, 1),
  });
}

async function main(): Promise<void> {
  const azurite = await startAzuriteProcess();
  const secretsFolder = await mkdtemp(join(tmpdir(), 'audience-bench-'));
  const secretStorePath = join(secretsFolder, 'secrets.json');
  try {
    const settings = parseSettings({ AzureWebJobsStorage: azurite.connectionString });
    const all = await createServices(settings, { secrets: new LocalFileSecretStore(secretStorePath), recordProvisioningLog: false });
    const seedRss = new RssSampler().start(SEED_RSS_SAMPLE_MS);
    const seeded = await seed(all, { users: options.users, groups: options.groups, concurrency: options.concurrency, log });
    const seedPeakRssMb = seedRss.stop();
    const measured = await runResolvePhase({ connectionString: azurite.connectionString, secretStorePath, seeded, repeats: options.repeats });
    log(report(measured.audiences, measured.peakRssMb, seedPeakRssMb));
  } finally {
    await azurite.stop();
    await rm(secretsFolder, { recursive: true, force: true });
  }
}

await main();
