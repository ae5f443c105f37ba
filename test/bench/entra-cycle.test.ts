// Smoke test of the benchmark workload: a tiny Entra cycle against the test host must complete without a failed
// request and report every figure, and so must the large-group memory measurement (on a smaller group) and the
// storage round trips. Timings and memory are not asserted (they depend on the machine).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planDisables, planMemberships, runEntraCycle } from '../../bench/cycle.js';
import { measureGroupGetMemory } from '../../bench/group-memory.js';
import { measureRoundTrips } from '../../bench/round-trips.js';
import { RssSampler } from '../../bench/stats.js';
import { startStorageCounter, type StorageCounter } from '../../bench/storage-counter.js';
import { MembershipRepository } from '../../shared/storage/membership-repository.js';
import { startTestHost, TEST_FUNCTIONS_KEY, type TestHost } from '../support/test-host.js';

describe('bench plans', () => {
  it('spreads memberships over the groups with distinct members per group', () => {
    const plan = planMemberships(10, 3, 20);
    expect(plan.map((members) => members.length)).toEqual([7, 7, 6]);
    for (const members of plan) expect(new Set(members).size).toBe(members.length);
    expect(planMemberships(5, 2, 100).map((members) => members.length)).toEqual([5, 5]);
  });

  it('disables an evenly spread fraction of the users', () => {
    expect(planDisables(50, 0.1)).toEqual([0, 10, 20, 30, 40]);
    expect(planDisables(50, 0)).toEqual([]);
  });
});

describe('bench: Entra initial cycle (smoke)', () => {
  let host: TestHost;
  let counter: StorageCounter;

  beforeAll(async () => {
    // The whole smoke run goes through the bench's counting proxy, which the round trips read.
    counter = await startStorageCounter(String(process.env.AzureWebJobsStorage));
    host = await startTestHost({ connectionString: counter.connectionString });
  });

  afterAll(async () => {
    await host.close();
    await counter.close();
  });

  it('runs users, groups, memberships and disables without a failed request', { timeout: 120_000 }, async () => {
    // The host runs in this process here, so its CPU time includes the load generator's; only its presence is checked.
    const cpuMs = () => {
      const { user, system } = process.cpuUsage();
      return Promise.resolve((user + system) / 1000);
    };
    const summary = await runEntraCycle(
      { users: 50, groups: 3, memberships: 100, concurrency: 4, disableFraction: 0.1, rawReadMinSeconds: 0.2, membersPerPatch: 20 },
      { hostUrl: host.url, functionsKey: TEST_FUNCTIONS_KEY, connectionString: process.env.AzureWebJobsStorage ?? '', hostCpuMs: cpuMs },
    );

    expect(summary.failures).toEqual([]);
    expect(summary.failureCount).toBe(0);
    // 2 Test Connection probes + 50 match GETs + 50 PATCHes + 3 × (query + create) + 6 member PATCHes (34/33/33 members, 20 per PATCH) + 5 disables.
    expect(summary.phases.map((p) => [p.name, p.requests])).toEqual([
      ['test-connection', 2],
      ['match-get', 50],
      ['user-patch', 50],
      ['group-create', 6],
      ['membership-add', 6],
      ['disable', 5],
      ['scim-total', 119],
    ]);
    expect(summary.requests).toBe(119);
    const figures = ['seconds', 'requestsPerSecond', 'p50Ms', 'p99Ms', 'rawStorageReadsPerSecond', 'matchGetToRawReadRatio', 'peakRssMb', 'hostCpuMsPerRequest', 'groupAddP50Ms', 'groupAddToBatchRatio'] as const;
    for (const key of figures) {
      expect(summary[key]).toBeGreaterThan(0);
    }
    expect(summary.raw.failures).toBe(0);
    expect(summary.raw.reads).toBeGreaterThanOrEqual(50);
    // The batch baseline: transactions of as many entities as a full member PATCH carries.
    expect(summary.batchWrite).toMatchObject({ entitiesPerBatch: 20, failures: 0 });
    expect(summary.batchWrite.p50Ms).toBeGreaterThan(0);
    for (const phase of summary.phases) expect(phase.hostCpuMs).toBeGreaterThanOrEqual(0);
  });

  it('measures the host memory of one GET of a large group (here 3,000 members, in this process)', { timeout: 120_000 }, async () => {
    let sampler = new RssSampler();
    const memberships = new MembershipRepository(host.services.tables.members);
    const result = await measureGroupGetMemory(
      {
        hostUrl: host.url,
        functionsKey: TEST_FUNCTIONS_KEY,
        seedMembers: (integrationId, groupId, count) =>
          memberships.add(integrationId, groupId, Array.from({ length: count }, (_, i) => ({ value: `seeded-${i}`, type: 'User' as const }))),
        resetHostPeakRssMb: () => {
          sampler = new RssSampler().start(5);
          return Promise.resolve(process.memoryUsage.rss() / (1024 * 1024));
        },
        hostPeakRssMb: () => Promise.resolve(sampler.stop()),
      },
      3_000,
    );
    expect(result.members).toBe(3_000);
    expect(result.responseMb).toBeGreaterThan(0);
    expect(result.rssPeakMb).toBeGreaterThan(0);
    expect(Number.isFinite(result.peakRssDeltaMb)).toBe(true);
  });

  it('counts the storage round trips of one request of each kind', { timeout: 120_000 }, async () => {
    const roundTrips = await measureRoundTrips({ hostUrl: host.url, functionsKey: TEST_FUNCTIONS_KEY, storageRequests: counter.requestLines, resetStorageRequests: counter.reset });
    expect(Object.keys(roundTrips)).toEqual(['postUser', 'matchGet', 'patchUser', 'disableUser', 'groupQuery', 'postGroup', 'groupMemberAdd100', 'deleteUser']);
    for (const count of Object.values(roundTrips)) expect(Number.isInteger(count) && count > 0).toBe(true);
    // The promise test/functions/storage-round-trips.test.ts pins, seen through the bench's own counter.
    expect(roundTrips.matchGet).toBe(1);
    expect(roundTrips.groupMemberAdd100).toBeGreaterThanOrEqual(2);
  });
});
