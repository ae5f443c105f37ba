// The Graph sync's settings: GRAPH_SYNC_SCHEDULE defaults to nightly and a bad schedule is reported by name; the queue
// client follows the storage settings (connection string, or the queue endpoint with the identity).
import { describe, expect, it } from 'vitest';
import { DEFAULT_GRAPH_SYNC_SCHEDULE, parseSettings, SettingsError } from '../../../shared/config.js';
import { createQueueClient } from '../../../shared/sync-runs/step-queue.js';

const storage = { AzureWebJobsStorage: 'UseDevelopmentStorage=true' };

describe('GRAPH_SYNC_SCHEDULE', () => {
  it('defaults to 02:00 UTC nightly', () => {
    expect(DEFAULT_GRAPH_SYNC_SCHEDULE).toBe('0 0 2 * * *');
    expect(parseSettings(storage).GRAPH_SYNC_SCHEDULE).toBe('0 0 2 * * *');
    expect(parseSettings({ ...storage, GRAPH_SYNC_SCHEDULE: '0 30 3 * * Sun' }).GRAPH_SYNC_SCHEDULE).toBe('0 30 3 * * Sun');
  });

  it('refuses a five-field (Unix cron) schedule, naming the setting', () => {
    expect(() => parseSettings({ ...storage, GRAPH_SYNC_SCHEDULE: '0 2 * * *' })).toThrow(SettingsError);
    expect(() => parseSettings({ ...storage, GRAPH_SYNC_SCHEDULE: '0 2 * * *' })).toThrow(/GRAPH_SYNC_SCHEDULE: Invalid NCRONTAB schedule "0 2 \* \* \*": it has 5 fields, not 6/);
  });
});

describe('the queue client', () => {
  it('uses the connection string when there is one', () => {
    const client = createQueueClient(parseSettings({ AzureWebJobsStorage: process.env.AzureWebJobsStorage }), 'graph-sync');
    expect(client.name).toBe('graph-sync');
    expect(client.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/graph-sync$/);
  });

  it('uses the queue endpoint with the identity in Azure, and says which setting is missing', () => {
    const identity = { AzureWebJobsStorage__tableServiceUri: 'https://acct.table.core.windows.net', AzureWebJobsStorage__credential: 'managedidentity', AzureWebJobsStorage__clientId: '00000000-0000-0000-0000-000000000001' };
    const client = createQueueClient(parseSettings({ ...identity, AzureWebJobsStorage__queueServiceUri: 'https://acct.queue.core.windows.net/' }), 'graph-sync');
    expect(client.url).toBe('https://acct.queue.core.windows.net/graph-sync');
    expect(() => createQueueClient(parseSettings(identity), 'graph-sync')).toThrow(/AzureWebJobsStorage__queueServiceUri/);
  });
});
