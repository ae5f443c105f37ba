// A step delivered again after its first delivery wrote what it counted: the retry finds less to change, and the run
// report must still count what the run changed. A users page records its counts before its first write and a
// redelivery reports the larger of those and its own (graph-sync-planner.ts, withEarlierCounts); membership steps count
// through their journal (membership-journal.test.ts).
import { describe, expect, it } from 'vitest';
import { withEarlierCounts } from '../../../../shared/graph/sync/graph-sync-planner.js';
import { failTransactions } from '../../../support/table-method-wrap.js';
import { E2E_TIMEOUT_MS, useGraphSyncTest } from './graph-sync-harness.js';

const sync = useGraphSyncTest(['alice', 'bob', 'carol', 'dave', 'erin']);

/** Fails the first write of the integration's `u-` rows: a users page cut short after writing its documents. */
const failUserRowsOnce = (integrationId: string): { failed: () => number; stop: () => void } =>
  failTransactions(sync().harness.host.services.tables.syncruns, ([first]) => first?.[1].partitionKey === `graph-${integrationId}` && first[1].rowKey.startsWith('u-'), 'the users page was cut short', 1);

describe('a users page delivered again after writing its documents', { timeout: E2E_TIMEOUT_MS }, () => {
  it('reports the attributes its first delivery changed', async () => {
    const uninterrupted = await sync().run(await sync().createIntegration());
    expect(uninterrupted.counts.attributesChanged).toBeGreaterThan(0);
    const id = await sync().createIntegration();
    const fault = failUserRowsOnce(id);
    const report = await sync().run(id).finally(fault.stop);
    expect(fault.failed()).toBe(1);
    expect(report.status).toBe('succeeded');
    expect(report.counts).toMatchObject({ usersMatched: uninterrupted.counts.usersMatched, attributesChanged: uninterrupted.counts.attributesChanged });
    // The recorded counts are scratch rows of the run: gone with it.
    const left: unknown[] = [];
    for await (const row of sync().harness.host.services.tables.syncruns.listEntities({ queryOptions: { filter: `PartitionKey eq 'graph-${id}' and RowKey ge 't-' and RowKey lt 't.'` } })) left.push(row);
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
