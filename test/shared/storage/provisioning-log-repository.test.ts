// ProvisioningLogRepository against Azurite: one partition per day and integration, newest first across days, paging
// by position, time ranges to the millisecond, lookups of one resource, and retention by whole day partitions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProvisioningLogEntry } from '../../../shared/provisioning-log/log-entry.js';
import { daysNewestFirst, ForeignLogPositionError, type LogPageQuery, ProvisioningLogRepository } from '../../../shared/storage/provisioning-log-repository.js';
import type { TableClients } from '../../../shared/storage/table-clients.js';
import { createFreshTables, dropTables } from '../../support/fresh-tables.js';

let tables: TableClients;
let repo: ProvisioningLogRepository;

beforeAll(async () => {
  tables = await createFreshTables();
  repo = new ProvisioningLogRepository(tables.provisioninglog);
});
afterAll(async () => {
  await dropTables(tables);
});

let counter = 0;
/** Each test writes in integrations of its own (pruning tests use days no other test writes). */
const newIntegration = (): string => `int${counter++}${'0'.repeat(20)}`;

function entry(integrationId: string, at: string, resourceId?: string, extra: Partial<ProvisioningLogEntry> = {}): ProvisioningLogEntry {
  return {
    at,
    integrationId,
    source: 'scim',
    operation: 'update',
    resourceType: 'User',
    ...(resourceId === undefined ? {} : { resourceId, displayName: `Name of ${resourceId}` }),
    status: 200,
    outcome: 'success',
    correlationId: `corr-${at}`,
    ...extra,
  };
}

/** Every entry of a query, page by page, and the number of pages it took. */
async function walk(query: Omit<LogPageQuery, 'after'>): Promise<{ at: string[]; pages: number }> {
  const at: string[] = [];
  let pages = 0;
  let after: LogPageQuery['after'];
  do {
    const page = await repo.page({ ...query, ...(after === undefined ? {} : { after }) });
    pages++;
    expect(page.entries.length).toBeLessThanOrEqual(query.pageSize);
    at.push(...page.entries.map((e) => e.at));
    after = page.next;
    expect(pages).toBeLessThan(100);
  } while (after !== undefined);
  return { at, pages };
}

const RANGE = { from: new Date('2025-03-01T00:00:00.000Z'), to: new Date('2025-03-10T23:59:59.999Z') };

describe('ProvisioningLogRepository', () => {
  it('lists the days from the newest back to the oldest, as yyyymmdd', () => {
    expect(daysNewestFirst(new Date('2025-02-27T10:00:00Z'), new Date('2025-03-02T01:00:00Z'))).toEqual(['20250302', '20250301', '20250228', '20250227']);
    expect(daysNewestFirst(new Date('2025-03-02T00:00:00Z'), new Date('2025-03-01T00:00:00Z'))).toEqual([]);
  });

  it('pages through entries of several days newest first, each exactly once, at any page size, across empty days', async () => {
    const id = newIntegration();
    const times = [
      '2025-03-01T08:00:00.000Z', '2025-03-01T09:30:00.000Z', '2025-03-01T09:30:00.000Z', // two in the same millisecond
      '2025-03-04T00:00:00.000Z', '2025-03-04T23:59:59.999Z',
      '2025-03-09T12:00:00.001Z', '2025-03-09T12:00:00.002Z', '2025-03-09T13:00:00.000Z', '2025-03-09T14:00:00.000Z',
      '2025-03-10T00:00:00.000Z',
    ];
    await repo.append(times.map((at, index) => entry(id, at, `user-${index}`)));
    const newestFirst = [...times].sort().reverse();
    for (const pageSize of [1, 2, 3, 4, 9, 10, 11, 200]) {
      const { at, pages } = await walk({ integrationId: id, ...RANGE, pageSize });
      expect(at, `pageSize ${pageSize}`).toEqual(newestFirst);
      expect(pages).toBeLessThanOrEqual(Math.ceil(times.length / pageSize) + 1);
    }
  });

  it('keeps to the time range, both ends inclusive to the millisecond', async () => {
    const id = newIntegration();
    await repo.append(['2025-03-05T09:59:59.999Z', '2025-03-05T10:00:00.000Z', '2025-03-06T10:00:00.000Z', '2025-03-06T10:00:00.001Z'].map((at) => entry(id, at)));
    const { at } = await walk({ integrationId: id, from: new Date('2025-03-05T10:00:00.000Z'), to: new Date('2025-03-06T10:00:00.000Z'), pageSize: 10 });
    expect(at).toEqual(['2025-03-06T10:00:00.000Z', '2025-03-05T10:00:00.000Z']);
  });

  it('reads only the integration asked for', async () => {
    const [mine, theirs] = [newIntegration(), newIntegration()];
    await repo.append([entry(mine, '2025-03-03T10:00:00.000Z', 'u1'), entry(theirs, '2025-03-03T11:00:00.000Z', 'u1')]);
    const page = await repo.page({ integrationId: mine, ...RANGE, pageSize: 10 });
    expect(page.entries.map((e) => e.integrationId)).toEqual([mine]);
  });

  it('looks up one resource within the days, ids that are prefixes of others, hold `|` or non-ASCII included', async () => {
    const id = newIntegration();
    const resources = ['a', 'ab', 'a|b', 'a%7Cb', 'ü-1', 'a b'];
    const entries = resources.flatMap((resourceId, index) => [
      entry(id, `2025-03-02T10:00:0${index}.000Z`, resourceId),
      entry(id, `2025-03-08T10:00:0${index}.000Z`, resourceId, { operation: 'delete', status: 204 }),
    ]);
    await repo.append([...entries, entry(id, '2025-03-05T10:00:00.000Z')]); // one without a resource
    for (const resourceId of resources) {
      const page = await repo.page({ integrationId: id, ...RANGE, resourceId, pageSize: 10 });
      expect(page.entries.map((e) => [e.resourceId, e.operation]), resourceId).toEqual([
        [resourceId, 'delete'],
        [resourceId, 'update'],
      ]);
      expect(page.next).toBeUndefined();
      const { at } = await walk({ integrationId: id, ...RANGE, resourceId, pageSize: 1 });
      expect(at).toHaveLength(2);
    }
    expect((await walk({ integrationId: id, ...RANGE, pageSize: 5 })).at).toHaveLength(resources.length * 2 + 1);
  });

  it('stores every field of an entry and gives it back as written', async () => {
    const id = newIntegration();
    const written = entry(id, '2025-03-07T07:07:07.007Z', 'group-1', { source: 'graph', operation: 'create', resourceType: 'Group', status: 409, outcome: 'clientError', errorType: 'uniqueness' });
    await repo.append([written, entry(id, '2025-03-07T07:07:07.000Z', undefined, { status: undefined as never })]);
    const page = await repo.page({ integrationId: id, ...RANGE, pageSize: 10 });
    expect(page.entries[0]).toEqual(written);
    expect(page.entries[1]).not.toHaveProperty('resourceId');
    expect(page.entries[1]).not.toHaveProperty('displayName');
    expect(page.entries[1]).not.toHaveProperty('status');
  });

  it('writes a burst of one day in transactions of whole entries (each entry is two rows) and reads every one back', async () => {
    const id = newIntegration();
    const burst = Array.from({ length: 130 }, (_, index) => entry(id, new Date(Date.UTC(2025, 2, 6, 12, 0, 0, index)).toISOString(), index % 3 === 0 ? undefined : `r${index % 5}`));
    await repo.append(burst);
    expect((await walk({ integrationId: id, ...RANGE, pageSize: 200 })).at).toHaveLength(130);
    const ofR1 = burst.filter((e) => e.resourceId === 'r1').length;
    expect((await walk({ integrationId: id, ...RANGE, resourceId: 'r1', pageSize: 7 })).at).toHaveLength(ofR1);
  });

  it('refuses a position of another integration, outside the days asked for, or of another resource', async () => {
    const [id, other] = [newIntegration(), newIntegration()];
    await repo.append([1, 2, 3].map((n) => entry(id, `2025-03-03T10:00:0${n}.000Z`, 'u1')));
    const first = await repo.page({ integrationId: id, ...RANGE, pageSize: 1 });
    expect(first.next).toBeDefined();
    const after = first.next!;
    await expect(repo.page({ integrationId: other, ...RANGE, pageSize: 1, after })).rejects.toBeInstanceOf(ForeignLogPositionError);
    await expect(repo.page({ integrationId: id, from: new Date('2025-03-04T00:00:00Z'), to: RANGE.to, pageSize: 1, after })).rejects.toBeInstanceOf(ForeignLogPositionError);
    await expect(repo.page({ integrationId: id, ...RANGE, resourceId: 'u1', pageSize: 1, after })).rejects.toBeInstanceOf(ForeignLogPositionError);
  });

  it('prunes whole day partitions before the first day kept, of every integration, and nothing after', async () => {
    const [one, two] = [newIntegration(), newIntegration()];
    // Days of 2024, which no other test writes.
    const old = ['2024-06-01T00:00:00.000Z', '2024-06-01T23:59:59.999Z', '2024-06-02T12:00:00.000Z'];
    const kept = ['2024-06-03T00:00:00.000Z', '2024-06-04T12:00:00.000Z'];
    await repo.append([...old, ...kept].flatMap((at) => [entry(one, at, 'u1'), entry(two, at)]));
    const result = await repo.pruneBefore('20240603');
    // 2 days x 2 integrations; integration one has a resource row beside each entry.
    expect(result).toEqual({ partitions: 4, rows: old.length * 3 });
    const range = { from: new Date('2024-05-01T00:00:00Z'), to: new Date('2024-07-01T00:00:00Z'), pageSize: 50 };
    expect((await walk({ integrationId: one, ...range })).at).toEqual([...kept].reverse());
    expect((await walk({ integrationId: two, ...range })).at).toEqual([...kept].reverse());
    expect((await walk({ integrationId: one, ...range, resourceId: 'u1' })).at).toEqual([...kept].reverse());
    expect(await repo.pruneBefore('20240603')).toEqual({ partitions: 0, rows: 0 });
  });
});
