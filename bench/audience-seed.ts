// The audience bench's data, written through the real write path: people by the directory's createSource (the
// targeting attributes are defined first, so the person write path itself indexes their values: a value row batch and
// the indexer's settling read per person), then one large group (a fifth of the people) grown by member changes of
// MEMBER_CHUNK, and small groups of SMALL_GROUP_MEMBERS. Writes run `concurrency` at a time (as many provisioning
// requests in flight), with a progress line every PROGRESS_EVERY people.
import { performance } from 'node:perf_hooks';
import type { Services } from '../shared/services.js';
import { round, runPool } from './stats.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const DEPARTMENTS = 100;
const COST_CENTERS = 500;
/** Members added per write of the large group (a SCIM PATCH's size). */
const MEMBER_CHUNK = 1000;
const SMALL_GROUP_MEMBERS = 10;
const PROGRESS_EVERY = 10_000;

export const department = (i: number): string => `Dept-${String(i % DEPARTMENTS).padStart(3, '0')}`;
export const costCenter = (i: number): string => `CC-${String((i * 7) % COST_CENTERS).padStart(3, '0')}`;

export interface SeedOptions {
  users: number;
  groups: number;
  concurrency: number;
  log: (line: string) => void;
}

export interface Seeded {
  integrationId: string;
  largeGroup: string;
  departmentId: string;
  costCenterId: string;
}

const asMembers = (ids: string[]) => ids.map((value) => ({ value, type: 'User' as const }));

export async function seed(all: Services, options: SeedOptions): Promise<Seeded> {
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
  const elapsed = (): string => `${round((performance.now() - started) / 1000, 1)} s`;
  let written = 1;
  await runPool(
    Array.from({ length: options.users - 1 }, (_, i) => i + 1),
    options.concurrency,
    async (i) => {
      ids[i] = (await write(i)).id;
      if (++written % PROGRESS_EVERY === 0 && written < options.users) options.log(`seeded ${written} users (${elapsed()})`);
    },
  );
  options.log(`seeded ${options.users} users in ${elapsed()}`);
  const largeMembers = ids.filter((_, i) => i % 5 === 0);
  const large = await all.groups.create(integration.id, { displayName: 'Large group' }, asMembers(largeMembers.slice(0, MEMBER_CHUNK)));
  for (let from = MEMBER_CHUNK; from < largeMembers.length; from += MEMBER_CHUNK) {
    await all.groups.changeMembers(integration.id, large.id, { removeAll: false, remove: [], add: asMembers(largeMembers.slice(from, from + MEMBER_CHUNK)) });
  }
  options.log(`seeded the large group (${largeMembers.length} members) in ${elapsed()}`);
  await runPool(
    Array.from({ length: options.groups - 1 }, (_, g) => g),
    options.concurrency,
    async (g) => {
      const members = Array.from({ length: SMALL_GROUP_MEMBERS }, (_, k) => ids[(g * SMALL_GROUP_MEMBERS + k) % ids.length] as string);
      await all.groups.create(integration.id, { displayName: `Group ${g}` }, asMembers(members));
    },
  );
  options.log(`seeded ${options.groups} groups in ${elapsed()}`);
  await all.groups.setEnabled(integration.id, large.id, true);
  return { integrationId: integration.id, largeGroup: large.id, departmentId, costCenterId };
}
