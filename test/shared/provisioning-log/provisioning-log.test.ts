// The recorder's buffering, on an in-memory store it controls: entries are taken without waiting, written in the
// background in rounds that gather what arrived meanwhile, bounded, and every loss is reported by count.
import { describe, expect, it } from 'vitest';
import { recordGraphChange } from '../../../shared/provisioning-log/graph-changes.js';
import { MAX_DISPLAY_NAME_LENGTH, type ProvisioningLogEntry, sanitiseEntry } from '../../../shared/provisioning-log/log-entry.js';
import { flushPendingProvisioningLogs, ProvisioningLog, type ProvisioningLogLoss, type ProvisioningLogStore } from '../../../shared/provisioning-log/provisioning-log.js';

/** A store whose appends wait for `release()` while `hold` is set, and remember what they were given. */
class HeldStore implements ProvisioningLogStore {
  readonly appended: ProvisioningLogEntry[][] = [];
  hold = false;
  fail: Error | undefined;
  private waiting: (() => void)[] = [];
  private arrived: (() => void) | undefined;

  async append(entries: readonly ProvisioningLogEntry[]): Promise<void> {
    this.appended.push([...entries]);
    this.arrived?.();
    if (this.hold) await new Promise<void>((resolve) => this.waiting.push(resolve));
    if (this.fail !== undefined) throw this.fail;
  }
  /** Resolves once an append has started. */
  nextAppend(): Promise<void> {
    return new Promise((resolve) => (this.arrived = resolve));
  }
  release(): void {
    this.hold = false;
    for (const resolve of this.waiting.splice(0)) resolve();
  }
  page = () => Promise.resolve({ entries: [] });
  pruneBefore = () => Promise.resolve({ rows: 0, partitions: 0 });
}

const entry = (n: number, extra: Partial<ProvisioningLogEntry> = {}): ProvisioningLogEntry => ({
  at: new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString(),
  integrationId: 'i1',
  source: 'scim',
  operation: 'update',
  resourceType: 'User',
  resourceId: `u${n}`,
  status: 200,
  outcome: 'success',
  correlationId: `c${n}`,
  ...extra,
});

describe('ProvisioningLog recording', () => {
  it('takes an entry without writing it in the same turn, and writes it in the background', async () => {
    const store = new HeldStore();
    const log = new ProvisioningLog(store);
    log.record(entry(1));
    expect(store.appended).toEqual([]);
    await log.flush();
    expect(store.appended).toEqual([[entry(1)]]);
  });

  it('gathers the entries recorded while a write is out into the next write', async () => {
    const store = new HeldStore();
    store.hold = true;
    const log = new ProvisioningLog(store);
    const started = store.nextAppend();
    log.record(entry(1));
    await started;
    for (const n of [2, 3, 4, 5]) log.record(entry(n));
    store.release();
    await log.flush();
    expect(store.appended.map((batch) => batch.map((e) => e.resourceId))).toEqual([['u1'], ['u2', 'u3', 'u4', 'u5']]);
  });

  it('writes at most maxEntriesPerWrite entries per round', async () => {
    const store = new HeldStore();
    const log = new ProvisioningLog(store, { maxEntriesPerWrite: 2 });
    for (const n of [1, 2, 3, 4, 5]) log.record(entry(n));
    await log.flush();
    expect(store.appended.map((batch) => batch.length)).toEqual([2, 2, 1]);
  });

  it('drops entries beyond the buffer while storage is slow, and reports how many', async () => {
    const store = new HeldStore();
    store.hold = true;
    const losses: ProvisioningLogLoss[] = [];
    const log = new ProvisioningLog(store, { maxBufferedEntries: 3, onLoss: (loss) => losses.push(loss) });
    const started = store.nextAppend();
    log.record(entry(1));
    await started;
    for (const n of [2, 3, 4, 5, 6]) log.record(entry(n));
    store.release();
    await log.flush();
    expect(store.appended.flat().map((e) => e.resourceId)).toEqual(['u1', 'u2', 'u3', 'u4']);
    expect(losses).toEqual([{ entries: 2, reason: 'bufferFull' }]);
  });

  it('reports a failed write by count with the error masked, and goes on with later entries', async () => {
    const store = new HeldStore();
    store.fail = new Error('refused: Authorization: Bearer abc.def.ghi');
    const losses: ProvisioningLogLoss[] = [];
    const log = new ProvisioningLog(store, { onLoss: (loss) => losses.push(loss) });
    log.record(entry(1));
    log.record(entry(2));
    await log.flush();
    expect(losses).toHaveLength(1);
    expect(losses[0]).toMatchObject({ entries: 2, reason: 'writeFailed' });
    expect(losses[0]?.error).not.toContain('abc.def.ghi');
    store.fail = undefined;
    log.record(entry(3));
    await log.flush();
    expect(store.appended.at(-1)?.map((e) => e.resourceId)).toEqual(['u3']);
  });

  it('records nothing when recording is off', async () => {
    const store = new HeldStore();
    const log = new ProvisioningLog(store, { recording: false });
    log.record(entry(1));
    await log.flush();
    expect(store.appended).toEqual([]);
  });

  it('lets a shutdown wait for every log that still holds entries', async () => {
    const stores = [new HeldStore(), new HeldStore()];
    for (const store of stores) store.hold = true;
    const logs = stores.map((store) => new ProvisioningLog(store));
    logs.forEach((log, n) => log.record(entry(n)));
    let done = false;
    const flushed = flushPendingProvisioningLogs().then(() => (done = true));
    await Promise.all(stores.map((store) => store.nextAppend()));
    expect(done).toBe(false);
    for (const store of stores) store.release();
    await flushed;
    expect(stores.map((store) => store.appended.length)).toEqual([1, 1]);
  });
});

describe('what an entry may hold', () => {
  it('keeps an id-shaped correlation id only, and cuts names to length without control characters', () => {
    const clean = sanitiseEntry(entry(1, { correlationId: 'Bearer secret-token value', displayName: `A\u0000B\nC${'x'.repeat(400)}`, errorType: 'no spaces allowed' }));
    expect(clean.correlationId).toBe('(invalid)');
    expect(clean.displayName).toMatch(/^A B Cx+$/);
    expect(clean.displayName).toHaveLength(MAX_DISPLAY_NAME_LENGTH);
    expect(clean).not.toHaveProperty('errorType');
    expect(sanitiseEntry(entry(1, { status: 42 }))).not.toHaveProperty('status');
  });

  it('records a Graph change with its run as the correlation id', async () => {
    const store = new HeldStore();
    const log = new ProvisioningLog(store);
    const at = new Date('2025-02-01T10:00:00.000Z');
    recordGraphChange(log, { integrationId: 'g1', runId: 'run123', operation: 'delete', resourceType: 'Group', resourceId: 'grp-1', displayName: 'Sales', outcome: 'fault', status: 503, errorCode: 'serviceNotAvailable', at });
    await log.flush();
    expect(store.appended).toEqual([[{
      at: at.toISOString(), integrationId: 'g1', source: 'graph', operation: 'delete', resourceType: 'Group', resourceId: 'grp-1',
      displayName: 'Sales', status: 503, outcome: 'fault', correlationId: 'run123', errorType: 'serviceNotAvailable',
    }]]);
  });
});
