// `npm run bench:audience [-- --users N --groups N --repeats N]`: seeds users with attribute values, groups and
// memberships through the real write path (the directory's createSource and group create / member changes, with the
// targeting attributes defined first so the person write path indexes the values), resolves a set of audiences (one
// large group; a group and an attribute combined; one of 20 values), reads the very index rows each resolution reads
// straight from storage (same queries, same parallelism, rows only counted), and prints as its last line one JSON
// object: users, groups, audiences, resolveMsP50, resolveMsMax, rawIndexReadMs (median raw read), resolveToRawReadRatio
// (sum over audiences of the median resolution over the sum of the median raw read), peakRssMb (the process's peak
// RSS while resolving) and seedPeakRssMb. Storage is an in-memory Azurite in a process of its own.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { parseSettings } from '../shared/config.js';
import type { AudienceCondition } from '../shared/directory/targeting/audience-resolver.js';
import { LocalFileSecretStore } from '../shared/secrets/local-file-secret-store.js';
import { createServices, type Services } from '../shared/services.js';
import { startAzuriteProcess } from './azurite-process.js';
import { readIndexRows } from './audience-raw-read.js';
import { percentile, round, RssSampler, runPool } from './stats.js';

export const TARGET_RESOLVE_TO_RAW_READ_RATIO = 1.5;
export const TARGET_PEAK_RSS_MB = 300;

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const DEPARTMENTS = 100;
const COST_CENTERS = 500;
const SEED_CONCURRENCY = 32;
/** Members added per write of the large group (a SCIM PATCH's size). */
const MEMBER_CHUNK = 1000;
const SMALL_GROUP_MEMBERS = 10;

const { values } = parseArgs({ options: { users: { type: 'string' }, groups: { type: 'string' }, repeats: { type: 'string' } }, strict: true });
const users = Number(values.users ?? 100_000);
const groupCount = Number(values.groups ?? 2_000);
const repeats = Number(values.repeats ?? 5);
for (const [name, value] of [['users', users], ['groups', groupCount], ['repeats', repeats]] as const) {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`--${name} must be a positive integer`);
}

const department = (i: number): string => `Dept-${String(i % DEPARTMENTS).padStart(3, '0')}`;
const costCenter = (i: number): string => `CC-${String((i * 7) % COST_CENTERS).padStart(3, '0')}`;
const log = (line: string): void => console.log(line);

async function seed(all: Services): Promise<{ integrationId: string; largeGroup: string; departmentId: string; costCenterId: string }> {
  const integration = await all.integrations.create({ displayName: 'Audience bench', userProvisioning: 'create' }, 'http://localhost');
  const source = { id: integration.id, userProvisioning: 'create' as const };
  const attributes = [
    { path: 'userName', type: 'string' },
    { path: `${ENTERPRISE}:department`, type: 'string' },
    { path: `${ENTERPRISE}:costCenter`, type: 'string' },
  ];
  const write = (i: number) =>
    all.people.createSource(source, {
      doc: { userName: `user${i}@bench.example`, active: true, [ENTERPRISE]: { department: department(i), costCenter: costCenter(i) } },
      attributes,
      contentManager: { displayName: `User ${i}` },
    });
  const ids: string[] = [(await write(0)).id];
  // The attributes exist before the other people are written: their values are indexed by the write path itself.
  const departmentId = (await all.targetingAttributes.create({ name: 'Department', integrationId: integration.id, path: `${ENTERPRISE}:department`, enabled: true })).id;
  const costCenterId = (await all.targetingAttributes.create({ name: 'Cost center', integrationId: integration.id, path: `${ENTERPRISE}:costCenter`, enabled: true })).id;
  for (const id of [departmentId, costCenterId]) while ((await all.targetingAttributes.backfillStep(id)).backfill.status !== 'done');
  const started = performance.now();
  await runPool(
    Array.from({ length: users - 1 }, (_, i) => i + 1),
    SEED_CONCURRENCY,
    async (i) => {
      ids[i] = (await write(i)).id;
      if (i % 10_000 === 0) log(`seeded ${i} users (${round((performance.now() - started) / 1000, 1)} s)`);
    },
  );
  log(`seeded ${users} users in ${round((performance.now() - started) / 1000, 1)} s`);
  const largeMembers = ids.filter((_, i) => i % 5 === 0);
  const large = await all.groups.create(integration.id, { displayName: 'Large group' }, largeMembers.slice(0, MEMBER_CHUNK).map((value) => ({ value, type: 'User' as const })));
  for (let from = MEMBER_CHUNK; from < largeMembers.length; from += MEMBER_CHUNK) {
    await all.groups.changeMembers(integration.id, large.id, { removeAll: false, remove: [], add: largeMembers.slice(from, from + MEMBER_CHUNK).map((value) => ({ value, type: 'User' as const })) });
  }
  await runPool(
    Array.from({ length: groupCount - 1 }, (_, g) => g),
    SEED_CONCURRENCY,
    async (g) => {
      const members = Array.from({ length: SMALL_GROUP_MEMBERS }, (_, k) => ({ value: ids[(g * SMALL_GROUP_MEMBERS + k) % ids.length] as string, type: 'User' as const }));
      await all.groups.create(integration.id, { displayName: `Group ${g}` }, members);
    },
  );
  log(`seeded ${groupCount} groups in ${round((performance.now() - started) / 1000, 1)} s`);
  await all.groups.setEnabled(integration.id, large.id, true);
  return { integrationId: integration.id, largeGroup: large.id, departmentId, costCenterId };
}

const median = (samples: number[]): number => percentile([...samples].sort((a, b) => a - b), 50);

async function main(): Promise<void> {
  const azurite = await startAzuriteProcess();
  const secretsFolder = await mkdtemp(join(tmpdir(), 'audience-bench-'));
  try {
    const settings = parseSettings({ AzureWebJobsStorage: azurite.connectionString });
    const all = await createServices(settings, { secrets: new LocalFileSecretStore(join(secretsFolder, 'secrets.json')), recordProvisioningLog: false });
    const seedRss = new RssSampler().start(100);
    const seeded = await seed(all);
    const seedPeakRssMb = seedRss.stop();
    const group: AudienceCondition = { kind: 'group', integrationId: seeded.integrationId, groupId: seeded.largeGroup };
    const audiences: { name: string; condition: AudienceCondition }[] = [
      { name: 'one large group', condition: group },
      { name: 'group and attribute', condition: { kind: 'and', conditions: [group, { kind: 'attribute', attributeId: seeded.departmentId, match: { kind: 'equals', value: department(10) } }] } },
      { name: 'one of 20 values', condition: { kind: 'attribute', attributeId: seeded.costCenterId, match: { kind: 'oneOf', values: Array.from({ length: 20 }, (_, i) => costCenter(i)) } } },
    ];
    global.gc?.();
    const rss = new RssSampler().start(20);
    const resolveMs: number[][] = audiences.map(() => []);
    const rawMs: number[][] = audiences.map(() => []);
    for (let round = 0; round <= repeats; round++) {
      for (const [index, audience] of audiences.entries()) {
        let started = performance.now();
        const rows = await readIndexRows(all.tables, audience.condition);
        const raw = performance.now() - started;
        started = performance.now();
        const page = await all.audiences.resolve(audience.condition, { pageSize: 50 });
        const resolved = performance.now() - started;
        // The first round warms both paths up and is not counted.
        if (round === 0) log(`${audience.name}: ${page.total} users from ${rows} index rows`);
        else {
          resolveMs[index]?.push(resolved);
          rawMs[index]?.push(raw);
        }
      }
    }
    const peakRssMb = rss.stop();
    const allResolve = resolveMs.flat();
    const perAudience = audiences.map((audience, index) => ({ name: audience.name, resolveMs: round(median(resolveMs[index] ?? []), 1), rawReadMs: round(median(rawMs[index] ?? []), 1) }));
    for (const line of perAudience) log(`${line.name}: resolve ${line.resolveMs} ms, raw index read ${line.rawReadMs} ms`);
    const ratio = perAudience.reduce((sum, line) => sum + line.resolveMs, 0) / perAudience.reduce((sum, line) => sum + line.rawReadMs, 0);
    log(`targets: resolveToRawReadRatio ≤ ${TARGET_RESOLVE_TO_RAW_READ_RATIO}, peakRssMb ≤ ${TARGET_PEAK_RSS_MB}`);
    log(
      JSON.stringify({
        users,
        groups: groupCount,
        audiences: audiences.length,
        resolveMsP50: round(median(allResolve), 1),
        resolveMsMax: round(Math.max(...allResolve), 1),
        rawIndexReadMs: round(median(rawMs.flat()), 1),
        resolveToRawReadRatio: round(ratio, 2),
        peakRssMb: round(peakRssMb, 1),
        seedPeakRssMb: round(seedPeakRssMb, 1),
      }),
    );
  } finally {
    await azurite.stop();
    await rm(secretsFolder, { recursive: true, force: true });
  }
}

await main();
