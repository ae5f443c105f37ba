// The integration's Graph row and secret a run's steps use: read once and trusted for a short while by the steps of
// the same run one process handles (each step used to read the row and the secret store), read again for a new run,
// after the trust expires and after a failed read; and a row marked deleting fails the step, so a run in progress when
// its integration's deletion starts stops writing instead of racing the purge.
import type { TableClient } from '@azure/data-tables';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { GraphIntegrationConfig } from '../../../../shared/directory/integrations.js';
import type { IntegrationRecord } from '../../../../shared/directory/model/integration-record.js';
import { parseGraphIntegrationInput } from '../../../../shared/graph/graph-integration-settings.js';
import { type GraphSyncDependencies, GraphSyncPlanner } from '../../../../shared/graph/sync/graph-sync-planner.js';
import { ProvisioningLog, type ProvisioningLogStore } from '../../../../shared/provisioning-log/provisioning-log.js';
import { SyncStepFailedError } from '../../../../shared/sync-runs/step-handler.js';

const settings = parseGraphIntegrationInput(
  { tenantId: '11111111-1111-4111-8111-111111111111', clientId: '22222222-2222-4222-8222-222222222222', clientSecret: 'not used', groupSelection: { mode: 'all' }, matchingKey: { kind: 'upn' } },
  'create',
).settings;

function plannerOver(read: () => Promise<GraphIntegrationConfig | undefined>): { planner: GraphSyncPlanner; reads: { count: number } } {
  const reads = { count: 0 };
  const deps = {
    integrations: {
      graphConfig: () => {
        reads.count++;
        return read();
      },
    },
    syncTable: {} as TableClient,
    provisioningLog: new ProvisioningLog({} as ProvisioningLogStore, { recording: false }),
  } as unknown as GraphSyncDependencies;
  return { planner: new GraphSyncPlanner(() => Promise.resolve(deps)), reads };
}

const configOf = (status: IntegrationRecord['status']): GraphIntegrationConfig => ({ record: { id: 'g1', method: 'graph', status } as IntegrationRecord, settings, clientSecret: 'secret' });
const run = (runId: string) => ({ integrationId: 'g1', runId, kind: 'full' as const, dryRun: false, phase: 0 });
/** A step every planner refuses after reading the configuration: it touches nothing else. */
const step = { id: 's1', kind: 'noSuchKind', payload: {}, dequeueCount: 1 };

afterEach(() => {
  vi.useRealTimers();
});

describe('the configuration a run’s steps use', () => {
  it('is read once for the steps of one run within the trust window, and again for another run or after it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { planner, reads } = plannerOver(() => Promise.resolve(configOf('active')));
    for (let i = 0; i < 3; i++) await expect(planner.handle(run('r1'), step)).rejects.toThrow(/Unknown step kind/);
    expect(reads.count).toBe(1);
    await expect(planner.handle(run('r2'), step)).rejects.toThrow(/Unknown step kind/);
    expect(reads.count).toBe(2);
    vi.advanceTimersByTime(31_000);
    await expect(planner.handle(run('r2'), step)).rejects.toThrow(/Unknown step kind/);
    expect(reads.count).toBe(3);
  });

  it('is read again after a failed read', async () => {
    let fail = true;
    const { planner, reads } = plannerOver(() => (fail ? Promise.reject(new Error('storage unavailable')) : Promise.resolve(configOf('active'))));
    await expect(planner.handle(run('r1'), step)).rejects.toThrow(/storage unavailable/);
    fail = false;
    await expect(planner.handle(run('r1'), step)).rejects.toThrow(/Unknown step kind/);
    expect(reads.count).toBe(2);
  });

  it('fails the step, and so the run, when the integration is being deleted', async () => {
    const { planner } = plannerOver(() => Promise.resolve(configOf('deleting')));
    const handled = planner.handle(run('r1'), step);
    await expect(handled).rejects.toBeInstanceOf(SyncStepFailedError);
    await expect(handled).rejects.toThrow('The integration is being deleted.');
  });
});
