// The admin routes of sync runs and the Graph sync timer, through the real registrations: POST starts a run (202 with
// its Location), overlapping starts are refused (409), bad requests answer 400 naming the problem, GET lists and shows
// runs; the timer starts a run for each enabled Graph integration and skips one whose run is still in progress.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installFunctionsCore } from '../../local/functions-core.js';
import { TimerTriggerHost } from '../../local/timer-triggers.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-run-harness.js';
import { fakeStepHandler } from '../support/sync-steps-fake.js';

let h: SyncHarness;
beforeAll(async () => {
  h = await startSyncHarness({ handler: fakeStepHandler({ pages: 1 }) });
});
afterAll(async () => {
  await h.close();
});

const post = (id: string, body: unknown = {}) =>
  h.host.admin(`/integrations/${id}/sync-runs`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } });

async function errorOf(response: Response): Promise<{ status: number; code: string; message: string }> {
  const body = (await response.json()) as { error: { code: string; message: string } };
  return { status: response.status, ...body.error };
}

describe('POST /api/admin/integrations/{id}/sync-runs', () => {
  it('starts a run (dry run, full) and answers 202 with the run and its Location', async () => {
    const id = await h.graphIntegration();
    const response = await post(id, { dryRun: true, full: true });
    expect(response.status).toBe(202);
    const run: any = await response.json();
    expect(run).toMatchObject({ integrationId: id, kind: 'full', dryRun: true, trigger: 'admin', status: 'queued', errors: [], errorCount: 0, failureReason: null });
    expect(response.headers.get('location')).toBe(`/api/admin/integrations/${id}/sync-runs/${run.id}`);
    expect(run.counts.usersSeen).toBe(0);
  });

  it('refuses a second run while one is in progress (409), and starts one again once it ended', async () => {
    const id = await h.graphIntegration();
    const first: any = await (await post(id)).json();
    const refused = await errorOf(await post(id, { full: true }));
    expect(refused).toEqual({ status: 409, code: 'syncRunInProgress', message: expect.stringContaining(first.id) });
    await h.queues.drain();
    expect((await h.host.adminJson(`/integrations/${id}/sync-runs/${first.id}`)).status).toBe('succeeded');
    expect((await post(id)).status).toBe(202);
  });

  it('answers 404 for an unknown integration and 409 for a SCIM one', async () => {
    expect(await errorOf(await post('0123456789abcdef0123456789abcdef'))).toMatchObject({ status: 404, code: 'notFound' });
    const { id } = await h.host.createIntegration();
    expect(await errorOf(await post(id))).toMatchObject({ status: 409, code: 'notGraphIntegration' });
  });

  it('refuses a run of an integration being deleted', async () => {
    const id = await h.graphIntegration();
    await h.host.services.tables.integrations.updateEntity({ partitionKey: 'integration', rowKey: id, status: 'deleting' }, 'Merge');
    expect(await errorOf(await post(id, { dryRun: true }))).toMatchObject({ status: 409, code: 'integrationDeleting' });
  });

  it('refuses a real run of a paused integration, but not a dry run', async () => {
    const id = await h.graphIntegration(false);
    expect(await errorOf(await post(id))).toMatchObject({ status: 409, code: 'integrationPaused' });
    expect((await post(id, { dryRun: true })).status).toBe(202);
  });

  it.each([
    [{ dryRun: 'yes' }, /dryRun/],
    [{ full: 1 }, /full/],
    [{ everything: true }, /everything/],
    [[], /body/],
  ])('answers 400 naming the field for %j', async (body, field) => {
    const id = await h.graphIntegration();
    const error = await errorOf(await post(id, body));
    expect(error).toMatchObject({ status: 400, code: 'invalidRequest' });
    expect(error.message).toMatch(field);
  });

  it('answers 400 for a body that is not JSON and 405 for a POST naming a run', async () => {
    const id = await h.graphIntegration();
    expect(await errorOf(await post(id, '{"dryRun": tru'))).toMatchObject({ status: 400, code: 'invalidJson' });
    const named = await h.host.admin(`/integrations/${id}/sync-runs/abc`, { method: 'POST', body: '{}' });
    expect(await errorOf(named)).toMatchObject({ status: 405 });
  });

  it('needs the function key', async () => {
    const id = await h.graphIntegration();
    expect((await fetch(`${h.host.url}/api/admin/integrations/${id}/sync-runs`, { method: 'POST', body: '{}' })).status).toBe(401);
  });
});

describe('GET /api/admin/integrations/{id}/sync-runs[/{runId}]', () => {
  it('lists runs newest first with a next link, and shows one', async () => {
    const id = await h.graphIntegration();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.unshift(((await (await post(id, { dryRun: true })).json()) as { id: string }).id);
      await h.queues.drain();
    }
    const page = await h.host.adminJson(`/integrations/${id}/sync-runs?top=2`);
    expect(page.runs.map((r: { id: string }) => r.id)).toEqual(ids.slice(0, 2));
    expect(page.next).toBe(ids[1]);
    const rest = await h.host.adminJson(`/integrations/${id}/sync-runs?top=2&after=${page.next}`);
    expect(rest.runs.map((r: { id: string }) => r.id)).toEqual([ids[2]]);
    expect(rest.next).toBeUndefined();
    const one = await h.host.adminJson(`/integrations/${id}/sync-runs/${ids[0]}`);
    expect(one).toMatchObject({ id: ids[0], status: 'succeeded', dryRun: true, counts: { usersSeen: 10, usersUnmatched: 1 }, samples: { unmatchedUsers: ['unmatched-0'] } });
  });

  it('answers 404 for an unknown run or integration and 400 for a bad page', async () => {
    const id = await h.graphIntegration();
    expect(await errorOf(await h.host.admin(`/integrations/${id}/sync-runs/zzzzzzzzz00000000`))).toMatchObject({ status: 404 });
    expect(await errorOf(await h.host.admin(`/integrations/${id}/sync-runs/not-a-run`))).toMatchObject({ status: 404 });
    expect(await errorOf(await h.host.admin('/integrations/0123456789abcdef0123456789abcdef/sync-runs'))).toMatchObject({ status: 404 });
    expect(await errorOf(await h.host.admin(`/integrations/${id}/sync-runs?top=0`))).toMatchObject({ status: 400 });
    expect(await errorOf(await h.host.admin(`/integrations/${id}/sync-runs?top=101`))).toMatchObject({ status: 400 });
    expect(await errorOf(await h.host.admin(`/integrations/${id}/sync-runs?after=x'`))).toMatchObject({ status: 400 });
  });
});

describe('the registrations', () => {
  it('are a timer on %GRAPH_SYNC_SCHEDULE% and queue triggers on graph-sync and its poison queue over AzureWebJobsStorage', () => {
    const registry = installFunctionsCore();
    expect(registry.get('graphSyncTimer')?.trigger).toMatchObject({ type: 'timerTrigger', schedule: '%GRAPH_SYNC_SCHEDULE%' });
    expect(registry.get('graphSyncStep')?.trigger).toMatchObject({ type: 'queueTrigger', queueName: 'graph-sync', connection: 'AzureWebJobsStorage' });
    expect(registry.get('graphSyncPoison')?.trigger).toMatchObject({ type: 'queueTrigger', queueName: 'graph-sync-poison', connection: 'AzureWebJobsStorage' });
  });
});

describe('the Graph sync timer', () => {
  it('starts a run for every enabled Graph integration at the scheduled time, skipping one still running', async () => {
    const busy = await h.graphIntegration();
    const busyRun = ((await (await post(busy)).json()) as { id: string }).id;
    const idle = await h.graphIntegration();
    const paused = await h.graphIntegration(false);
    const deleting = await h.graphIntegration();
    await h.host.services.tables.integrations.updateEntity({ partitionKey: 'integration', rowKey: deleting, status: 'deleting' }, 'Merge');
    const { id: scim } = await h.host.createIntegration();
    const lines: string[] = [];
    let now = new Date('2026-12-02T01:59:58Z');
    // Only this timer: the app has others (on their own schedules and settings).
    const registry = installFunctionsCore();
    const onlySync = Object.create(registry, { timerFunctions: { value: () => registry.timerFunctions().filter((f) => f.name === 'graphSyncTimer') } }) as typeof registry;
    const timers = new TimerTriggerHost({ registry: onlySync, setting: (name) => (name === 'GRAPH_SYNC_SCHEDULE' ? '0 0 2 * * *' : undefined), now: () => now, log: (line) => lines.push(line) });
    expect(timers.describe()).toEqual([{ functionName: 'graphSyncTimer', schedule: '0 0 2 * * *', next: new Date('2026-12-02T02:00:00Z') }]);
    expect(await timers.runDue()).toEqual([]);
    now = new Date('2026-12-02T02:00:00Z');
    expect(await timers.runDue()).toEqual(['graphSyncTimer']);

    const runsOf = async (id: string) => (await h.host.adminJson(`/integrations/${id}/sync-runs`)).runs;
    expect(await runsOf(idle)).toEqual([expect.objectContaining({ trigger: 'schedule', kind: 'delta', dryRun: false, status: 'queued' })]);
    expect((await runsOf(busy)).map((r: { id: string }) => r.id)).toEqual([busyRun]);
    expect(await runsOf(paused)).toEqual([]);
    expect(await runsOf(deleting)).toEqual([]);
    expect(await runsOf(scim)).toEqual([]);
    const skipped = lines.find((line) => line.includes(`"integrationId":"${busy}"`));
    expect(skipped).toContain(`skipped: run ${busyRun} is still in progress`);
    expect(timers.describe()[0]?.next).toEqual(new Date('2026-12-03T02:00:00Z'));
    await h.queues.drain();
  });
});
