// A step delivered again after its first delivery wrote what it counted: the retry finds less to change, and the run
// report must still count what the run changed. A users page records its counts before its first write and a
// redelivery reports the larger of those and its own (graph-sync-planner.ts, withEarlierCounts); membership steps count
// through their journal (membership-journal.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withEarlierCounts } from '../../../../shared/graph/sync/graph-sync-planner.js';
import { E2E_TIMEOUT_MS, type GraphSyncTest, sampleContentManagerUsers, startGraphSyncTest } from './graph-sync-harness.js';

let t: GraphSyncTest;
beforeAll(async () => {
  t = await startGraphSyncTest();
  await t.importUsers(sampleContentManagerUsers(['alice', 'bob', 'carol', 'dave', 'erin']));
});
afterAll(async () => {
  await t.close();
});

type Action = [string, { partitionKey: string; rowKey: string }];

/** Fails the first write of the integration's `u-` rows: a users page cut short after writing its documents. */
function failUserRowsOnce(integrationId: string): { failed: () => number; stop: () => void } {
  const syncruns = t.harness.host.services.tables.syncruns as unknown as { submitTransaction: (actions: Action[]) => Promise<unknown> };
  const original = syncruns.submitTransaction;
  let failed = 0;
  syncruns.submitTransaction = async function (this: unknown, actions: Action[]) {
    const [first] = actions;
    if (failed === 0 && first?.[1].partitionKey === `graph-${integrationId}` && first[1].rowKey.startsWith('u-')) {
      failed++;
      throw new Error('the users page was cut short');
    }
    return original.call(this, actions);
  };
  return {
    failed: () => failed,
    stop: () => {
      syncruns.submitTransaction = original;
    },
  };
}

describe('a users page delivered again after writing its documents', { timeout: E2E_TIMEOUT_MS }, () => {
  it('reports the attributes its first delivery changed', async () => {
    const uninterrupted = await t.run(await t.createIntegration());
    expect(uninterrupted.counts.attributesChanged).toBeGreaterThan(0);
    const id = await t.createIntegration();
    const fault = failUserRowsOnce(id);
    const report = await t.run(id).finally(fault.stop);
    expect(fault.failed()).toBe(1);
    expect(report.status).toBe('succeeded');
    expect(report.counts).toMatchObject({ usersMatched: uninterrupted.counts.usersMatched, attributesChanged: uninterrupted.counts.attributesChanged });
    // The recorded counts are scratch rows of the run: gone with it.
    const left: unknown[] = [];
    for await (const row of t.harness.host.services.tables.syncruns.listEntities({ queryOptions: { filter: `PartitionKey eq 'graph-${id}' and RowKey ge 't-' and RowKey lt 't.'` } })) left.push(row);
    expect(left).toEqual([]);
  });
});

describe('withEarlierCounts', () => {
  it('raises each counter to what the earlier delivery recorded, and leaves the rest', () => {
    const result = { counters: { usersSeen: 3, attributesChanged: 0, graphRequests: 2 }, followUps: [] };
    expect(withEarlierCounts(result, { usersSeen: 3, attributesChanged: 3, usersMatched: 3 })).toEqual({ counters: { usersSeen: 3, attributesChanged: 3, graphRequests: 2, usersMatched: 3 }, followUps: [] });
    expect(withEarlierCounts(result, undefined)).toBe(result);
  });
});
