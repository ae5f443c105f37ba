// What Azure needs for the Graph sync's runs: both queues, the syncruns table (bicep.test.ts checks every table), the
// schedule as an app setting whose default is the product's, and host.json's queue settings the trigger relies on.
import { describe, expect, it } from 'vitest';
import { DEFAULT_GRAPH_SYNC_SCHEDULE } from '../../shared/config.js';
import { MAX_DEQUEUE_COUNT, POISON_QUEUE_NAME, SYNC_QUEUE_NAME } from '../../shared/sync-runs/step-messages.js';
import { blockAfter, readRepoFile, stripBicepComments } from './bicep-text.js';

const storage = stripBicepComments(readRepoFile('infra/app/storage.bicep'));
const api = stripBicepComments(readRepoFile('infra/app/api.bicep'));
const main = stripBicepComments(readRepoFile('infra/main.bicep'));

describe('Graph sync infrastructure', () => {
  it('creates the step queue and its poison queue', () => {
    const queues = [...blockAfter(storage, /param\s+queueNames\s+array\s*=\s*\[/).matchAll(/'([^']+)'/g)].map((m) => m[1]);
    expect(queues).toEqual([SYNC_QUEUE_NAME, POISON_QUEUE_NAME]);
  });

  it('sets GRAPH_SYNC_SCHEDULE from a parameter whose default is the product default, reachable through azd', () => {
    expect(api).toMatch(/GRAPH_SYNC_SCHEDULE:\s*graphSyncSchedule\b/);
    expect(api).toContain(`param graphSyncSchedule string = '${DEFAULT_GRAPH_SYNC_SCHEDULE}'`);
    expect(main).toContain(`param graphSyncSchedule string = '${DEFAULT_GRAPH_SYNC_SCHEDULE}'`);
    expect(main).toMatch(/graphSyncSchedule:\s*graphSyncSchedule\b/);
    const parameters = JSON.parse(readRepoFile('infra/main.parameters.json')) as { parameters: Record<string, { value: string }> };
    expect(parameters.parameters.graphSyncSchedule?.value).toBe(`\${GRAPH_SYNC_SCHEDULE=${DEFAULT_GRAPH_SYNC_SCHEDULE}}`);
  });

  it('keeps host.json queue settings as the sync expects: base64 messages, poison after MAX_DEQUEUE_COUNT tries', () => {
    const host = JSON.parse(readRepoFile('host.json')) as { extensions: { queues: Record<string, unknown> } };
    expect(host.extensions.queues).toMatchObject({ messageEncoding: 'base64', maxDequeueCount: MAX_DEQUEUE_COUNT });
  });
});
