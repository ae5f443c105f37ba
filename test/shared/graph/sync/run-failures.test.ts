// How Graph's refusals reach a run's report: a missing permission fails the run at once, naming Graph's error and
// request id; throttling (429 with Retry-After, 503 bursts) is waited out and reported as waits, the run completing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2E_TIMEOUT_MS, type GraphSyncTest, sampleContentManagerUsers, startGraphSyncTest } from './graph-sync-harness.js';

let t: GraphSyncTest;
beforeAll(async () => {
  t = await startGraphSyncTest({ fake: { pageSize: 4 } });
  await t.importUsers(sampleContentManagerUsers(['alice', 'bob']));
});
afterAll(async () => {
  await t.close();
});

describe('Graph refusals in a run', { timeout: E2E_TIMEOUT_MS }, () => {
  it('fails the run at once when a permission is missing, saying which error Graph gave', async () => {
    const id = await t.createIntegration();
    const { permissions } = t.sample.tenant.app;
    permissions.delete('GroupMember.Read.All');
    permissions.delete('Group.Read.All');
    try {
      const report = await t.run(id);
      expect(report.status).toBe('failed');
      expect(report.failureReason).toMatch(/Authorization_RequestDenied/);
      expect(report.errors[0]).toMatchObject({ requestId: expect.any(String) });
    } finally {
      permissions.add('GroupMember.Read.All');
      permissions.add('Group.Read.All');
    }
    // The lock went with the failed run: the next one starts and completes.
    expect(await t.run(id)).toMatchObject({ status: 'succeeded', kind: 'full' });
  });

  it('waits out throttling and reports the waits', async () => {
    const id = await t.createIntegration();
    t.fake.routes.faults.add({ path: /\/users/, status: 429, retryAfter: 7, times: 2 }).add({ path: /transitiveMembers/, status: 503, times: 3 });
    const report = await t.run(id);
    expect(report.status).toBe('succeeded');
    expect(report.counts.throttledWaits).toBe(5);
    expect(report.counts.throttledWaitMs).toBeGreaterThanOrEqual(14_000);
    expect((await t.snapshot(id)).groups['COMMS-Top']?.members).toEqual(['alice@contoso.example', 'bob@contoso.example']);
  });
});
