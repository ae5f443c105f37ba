// Retention of the provisioning log: which day is the first kept, the setting, and the prune (and its timer) against
// Azurite removing only the days before it.
import { InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PROVISIONING_LOG_RETENTION_DAYS, parseSettings, SettingsError } from '../../../shared/config.js';
import type { ProvisioningLogEntry } from '../../../shared/provisioning-log/log-entry.js';
import { ProvisioningLog } from '../../../shared/provisioning-log/provisioning-log.js';
import { firstDayKept, handleProvisioningLogRetentionTimer, pruneProvisioningLog } from '../../../shared/provisioning-log/retention.js';
import { type Services, useServices } from '../../../shared/services.js';
import { ProvisioningLogRepository } from '../../../shared/storage/provisioning-log-repository.js';
import type { TableClients } from '../../../shared/storage/table-clients.js';
import { createFreshTables, dropTables } from '../../support/fresh-tables.js';

const DAY_MS = 86_400_000;
let tables: TableClients;
let log: ProvisioningLog;

beforeAll(async () => {
  tables = await createFreshTables();
  log = new ProvisioningLog(new ProvisioningLogRepository(tables.provisioninglog));
});
afterAll(async () => {
  useServices(undefined);
  await dropTables(tables);
});

const entry = (integrationId: string, at: Date): ProvisioningLogEntry => ({
  at: at.toISOString(), integrationId, source: 'scim', operation: 'delete', resourceType: 'User', resourceId: `u-${at.getTime()}`, status: 204, outcome: 'success', correlationId: 'c1',
});

async function countRows(): Promise<number> {
  let rows = 0;
  for await (const _row of tables.provisioninglog.listEntities({ queryOptions: { select: ['RowKey'] } })) rows++;
  return rows;
}

describe('provisioning log retention', () => {
  it('keeps the day `retentionDays` ago and every later one', () => {
    const now = new Date('2025-03-31T03:30:00Z');
    expect(firstDayKept(now, 30)).toBe('20250301');
    expect(firstDayKept(now, 1)).toBe('20250330');
    expect(firstDayKept(new Date('2025-03-01T00:00:00Z'), 1)).toBe('20250228');
  });

  it('reads PROVISIONING_LOG_RETENTION_DAYS as whole days, 30 unless set, and names it when wrong', () => {
    const storage = { AzureWebJobsStorage: 'UseDevelopmentStorage=true' };
    expect(parseSettings(storage).PROVISIONING_LOG_RETENTION_DAYS).toBe(DEFAULT_PROVISIONING_LOG_RETENTION_DAYS);
    expect(parseSettings({ ...storage, PROVISIONING_LOG_RETENTION_DAYS: '7' }).PROVISIONING_LOG_RETENTION_DAYS).toBe(7);
    for (const bad of ['0', '1.5', 'thirty', '-3']) {
      expect(() => parseSettings({ ...storage, PROVISIONING_LOG_RETENTION_DAYS: bad })).toThrow(SettingsError);
      expect(() => parseSettings({ ...storage, PROVISIONING_LOG_RETENTION_DAYS: bad })).toThrow(/PROVISIONING_LOG_RETENTION_DAYS/);
    }
  });

  it('prunes the days before retention, of every integration, and keeps the rest', async () => {
    const now = new Date('2025-05-31T03:30:00Z');
    const ages = [40, 31, 30.9, 29.9, 0]; // in days: 30.9 back is 2025-04-30T05:54, before the first day kept (2025-05-01); 29.9 is on it
    for (const integrationId of ['a'.repeat(32), 'b'.repeat(32)]) for (const age of ages) log.record(entry(integrationId, new Date(now.getTime() - age * DAY_MS)));
    await log.flush();
    expect(await countRows()).toBe(2 * ages.length * 2);
    const result = await pruneProvisioningLog(log, 30, now);
    expect(result).toEqual({ firstDayKept: '20250501', rows: 2 * 3 * 2, partitions: 4 });
    expect(await countRows()).toBe(2 * 2 * 2);
    const page = await log.page({ integrationId: 'a'.repeat(32), from: new Date(now.getTime() - 60 * DAY_MS), to: now, pageSize: 10 });
    expect(page.entries.map((e) => Math.round((now.getTime() - Date.parse(e.at)) / DAY_MS * 10) / 10)).toEqual([0, 29.9]);
  });

  it('runs on its timer with the retention setting and logs one line of what went', async () => {
    useServices({ provisioningLog: log } as unknown as Services);
    log.record(entry('c'.repeat(32), new Date('2020-01-01T00:00:00Z')));
    await log.flush();
    const of2020 = () => log.page({ integrationId: 'c'.repeat(32), from: new Date('2019-12-31T00:00:00Z'), to: new Date('2020-01-02T00:00:00Z'), pageSize: 10 });
    expect((await of2020()).entries).toHaveLength(1);
    const lines: string[] = [];
    const context = new InvocationContext({ invocationId: 'timer-1', logHandler: (_level, ...args) => lines.push(args.map(String).join(' ')) });
    await handleProvisioningLogRetentionTimer({ isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } }, context);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ operation: 'provisioningLog.retention', status: 200, outcome: 'success' });
    expect(lines[0]).toMatch(/deleted \d+ rows of \d+ day partitions before \d{8}/);
    expect((await of2020()).entries).toEqual([]);
  });
});
