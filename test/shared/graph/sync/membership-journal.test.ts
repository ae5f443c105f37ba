// A membership step cut short between the two sides of the memberships it writes (the group side written, the
// member side not): its retry compares Graph with the group side, which already holds the change, so without the
// journal (membership-journal.ts) nothing would ever write the missing member side. Each case fails the member-side
// transactions of the integration for a while, then checks the whole storage: every membership has both sides.
import { describe, expect, it } from 'vitest';
import { checkStorage } from '../../../../shared/maintenance/storage-checker.js';
import { journaledChangeOf, journalRows } from '../../../../shared/graph/sync/membership-journal.js';
import { MAX_STRING_PROPERTY_CHARS } from '../../../../shared/storage/entity-limits.js';
import { failTransactions } from '../../../support/table-method-wrap.js';
import { E2E_TIMEOUT_MS, useGraphSyncTest } from './graph-sync-harness.js';

const sync = useGraphSyncTest(['alice', 'bob', 'carol', 'dave', 'erin']);

/**
 * Fails the member-side transactions (`u|<integration>|…`) of the integration: `times` of them, or every one until
 * the answer's `stop()`. The group side and everything else are written as usual.
 */
const failMemberSide = (integrationId: string, times?: number): { failed: () => number; stop: () => void } =>
  failTransactions(sync().harness.host.services.tables.members, (actions) => actions[0]?.[1].partitionKey.startsWith(`u|${integrationId}|`) === true, 'the member side could not be written', times);

/** What the storage checker finds about memberships (both sides) and the integrations' groups. */
async function membershipProblems(): Promise<unknown[]> {
  return (await checkStorage(sync().harness.host.services.tables)).problems.filter((problem) => problem.kind !== 'orphan-catalog-row');
}

describe('a membership step cut short between the two sides', { timeout: E2E_TIMEOUT_MS }, () => {
  it('is settled by its own retry: a members step of a full run', async () => {
    const uninterrupted = await sync().run(await sync().createIntegration());
    const id = await sync().createIntegration();
    const fault = failMemberSide(id, 2);
    const report = await sync().run(id).finally(fault.stop);
    expect(fault.failed()).toBe(2);
    expect(report.status).toBe('succeeded');
    expect(await membershipProblems()).toEqual([]);
    // The retry found the group sides already written; the report still counts what its first attempt added.
    expect(report.counts.membershipsAdded).toBeGreaterThan(0);
    expect(report.counts.membershipsAdded).toBe(uninterrupted.counts.membershipsAdded);
  });

  it('is settled by its own retry: a memberEdges step of a delta run', async () => {
    const [id, other] = [await sync().createIntegration(), await sync().createIntegration()];
    for (const each of [id, other]) expect(await sync().run(each)).toMatchObject({ status: 'succeeded', kind: 'full' });
    const { tenant, users, groups } = sync().sample;
    tenant.addMember(groups['COMMS-Level3'], users.erin);
    const uninterrupted = await sync().run(other);
    const fault = failMemberSide(id, 1);
    const report = await sync().run(id).finally(fault.stop);
    expect(fault.failed()).toBe(1);
    expect(report).toMatchObject({ status: 'succeeded', kind: 'delta' });
    expect(report.counts.membershipsAdded).toBeGreaterThan(0);
    expect(report.counts).toMatchObject({ membershipsAdded: uninterrupted.counts.membershipsAdded, membershipsRemoved: uninterrupted.counts.membershipsRemoved });
    expect((await sync().snapshot(id)).groups['COMMS-Level2']?.members).toContain('erin@contoso.example');
    expect(await membershipProblems()).toEqual([]);
    tenant.removeMember(groups['COMMS-Level3'], users.erin);
  });

  it('is settled by the next run when its run failed', async () => {
    const id = await sync().createIntegration();
    const fault = failMemberSide(id);
    const failed = await sync().run(id).finally(fault.stop);
    expect(failed.status).toBe('failed');
    expect(fault.failed()).toBeGreaterThan(0);
    // Group sides without their member sides: what the failed run leaves.
    expect(await membershipProblems()).toContainEqual(expect.objectContaining({ kind: 'missing-member-side-row' }));

    const next = await sync().run(id);
    expect(next.status).toBe('succeeded');
    expect(await membershipProblems()).toEqual([]);
    // The journal is gone once settled: a third run has nothing to settle.
    const rows = sync().harness.host.services.tables.syncruns.listEntities({ queryOptions: { filter: `PartitionKey eq 'graph-${id}' and RowKey ge 'j-' and RowKey lt 'j.'` } });
    const left: unknown[] = [];
    for await (const row of rows) left.push(row);
    expect(left).toEqual([]);
  });
});

describe('journal rows', () => {
  it('split a large change so that each row’s list fits one string property, and keep every id once', () => {
    const memberIds = Array.from({ length: 5_000 }, (_, index) => index.toString(16).padStart(32, '0'));
    const rows = journalRows({ runId: 'run1', graphId: 'a1b2-c3', step: 'm', groupId: 'group1', memberIds, adds: 3_000 });
    expect(rows.length).toBeGreaterThan(4);
    for (const row of rows) expect(row.memberIds.length).toBeLessThanOrEqual(MAX_STRING_PROPERTY_CHARS);
    expect(rows.flatMap((row) => JSON.parse(row.memberIds) as string[])).toEqual(memberIds);
    expect(rows.map((row) => row.rowKey)).toEqual(rows.map((_, index) => `j-run1-a1b2-c3-m-${index}`));
    // Read back, the rows tell the 3,000 added from the 2,000 removed, whichever row the boundary falls in.
    const read = rows.map((row) => journaledChangeOf(row));
    expect(read.flatMap((entry) => entry?.split?.added ?? [])).toEqual(memberIds.slice(0, 3_000));
    expect(read.flatMap((entry) => entry?.split?.removed ?? [])).toEqual(memberIds.slice(3_000));
  });

  it('of an earlier version (no count of adds) are settled but not told apart', () => {
    const row = { rowKey: 'j-run1-g-m-0', groupId: 'group1', memberIds: JSON.stringify(['a', 'b']) };
    expect(journaledChangeOf(row)).toEqual({ groupId: 'group1', memberIds: ['a', 'b'] });
    expect(journaledChangeOf({ ...row, adds: 3 })?.split).toBeUndefined();
    expect(journaledChangeOf({ ...row, adds: 1 })?.split).toEqual({ added: ['a'], removed: ['b'] });
  });
});
