// Smoke test of the benchmark workload: a tiny Entra cycle against the test host must complete without a failed
// request and report every figure. Timings are not asserted (they depend on the machine).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planDisables, planMemberships, runEntraCycle } from '../../bench/cycle.js';
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

  beforeAll(async () => {
    host = await startTestHost();
  });

  afterAll(async () => {
    await host.close();
  });

  it('runs users, groups, memberships and disables without a failed request', { timeout: 120_000 }, async () => {
    const summary = await runEntraCycle(
      { users: 50, groups: 3, memberships: 100, concurrency: 4, disableFraction: 0.1, rawReadMinSeconds: 0.2 },
      { hostUrl: host.url, functionsKey: TEST_FUNCTIONS_KEY, connectionString: process.env.AzureWebJobsStorage ?? '' },
    );

    expect(summary.failures).toEqual([]);
    expect(summary.failureCount).toBe(0);
    // 2 Test Connection probes + 50 match GETs + 50 PATCHes + 3 × (query + create) + 3 member PATCHes (34/33/33 members) + 5 disables.
    expect(summary.phases.map((p) => [p.name, p.requests])).toEqual([
      ['test-connection', 2],
      ['match-get', 50],
      ['user-patch', 50],
      ['group-create', 6],
      ['membership-add', 3],
      ['disable', 5],
      ['scim-total', 116],
    ]);
    expect(summary.requests).toBe(116);
    for (const key of ['seconds', 'requestsPerSecond', 'p50Ms', 'p99Ms', 'rawStorageReadsPerSecond', 'matchGetToRawReadRatio', 'peakRssMb'] as const) {
      expect(summary[key]).toBeGreaterThan(0);
    }
    expect(summary.raw.failures).toBe(0);
    expect(summary.raw.reads).toBeGreaterThanOrEqual(50);
  });
});
