// Admin routes of the Graph sync's runs: POST /api/admin/integrations/{id}/sync-runs starts one (optionally
// {"dryRun": true} and/or {"full": true}); GET .../sync-runs lists them newest first; GET .../sync-runs/{runId} shows one.
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import { AdminError, json, readJson } from '../admin-api/admin-http.js';
import type { Services } from '../services.js';
import type { SyncRunRecord } from '../storage/sync-run-repository.js';
import { syncable } from './scheduled-runs.js';
import { syncRunServices } from './sync-run-services.js';
import { RUN_ID_PATTERN, SyncRunInProgressError } from './sync-runs.js';

const startRunSchema = z.strictObject({ dryRun: z.boolean().default(false), full: z.boolean().default(false) });

export const SYNC_RUN_PAGE = { default: 20, max: 100 } as const;

/** A run as the admin API shows it. */
export function runView(run: SyncRunRecord) {
  return {
    id: run.runId,
    integrationId: run.integrationId,
    kind: run.kind,
    dryRun: run.dryRun,
    trigger: run.trigger,
    status: run.status,
    queued: run.queuedAt,
    start: run.startedAt ?? null,
    end: run.endedAt ?? null,
    counts: run.counters,
    samples: run.samples,
    errors: run.errors,
    errorCount: run.errorCount,
    failureReason: run.failureReason ?? null,
    steps: { completed: run.stepsCompleted, outstanding: run.outstandingSteps, phase: run.phase },
  };
}

function invalid(message: string): AdminError {
  return new AdminError(400, 'invalidRequest', message);
}

async function requireGraphIntegration(request: HttpRequest, dryRun: boolean): Promise<string> {
  const id = request.params.id ?? '';
  const { integrations } = await syncRunServices();
  const integration = await integrations.get(id);
  if (integration === undefined) throw new AdminError(404, 'notFound', `Integration ${id} not found`);
  const state = syncable(integration);
  if (state === 'notGraph') throw new AdminError(409, 'notGraphIntegration', `Integration ${id} receives its data through SCIM; sync runs are for Graph integrations.`);
  if (state === 'deleting') throw new AdminError(409, 'integrationDeleting', `Integration ${id} is being deleted.`);
  if (state === 'paused' && !dryRun) throw new AdminError(409, 'integrationPaused', `Integration ${id} is paused: enable it to run a sync, or start a dry run ({"dryRun": true}).`);
  return id;
}

export async function startSyncRun(request: HttpRequest): Promise<HttpResponseInit> {
  const parsed = startRunSchema.safeParse(await readJson(request));
  if (!parsed.success) throw invalid(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  const id = await requireGraphIntegration(request, parsed.data.dryRun);
  const { runs } = await syncRunServices();
  try {
    const run = await runs.start({ integrationId: id, full: parsed.data.full, dryRun: parsed.data.dryRun, trigger: 'admin' });
    return json(202, runView(run), { Location: `${new URL(request.url).pathname.replace(/\/+$/, '')}/${run.runId}` });
  } catch (error) {
    if (error instanceof SyncRunInProgressError) {
      throw new AdminError(409, 'syncRunInProgress', `Run ${error.runningRunId} of integration ${id} is still in progress; start a new run once it has ended.`);
    }
    throw error;
  }
}

export async function getSyncRuns(request: HttpRequest): Promise<HttpResponseInit> {
  const id = request.params.id ?? '';
  const { integrations, runs } = await syncRunServices();
  if ((await integrations.get(id)) === undefined) throw new AdminError(404, 'notFound', `Integration ${id} not found`);
  const runId = request.params.runId;
  if (runId !== undefined && runId !== '') {
    const run = await runs.get(id, runId);
    if (run === undefined) throw new AdminError(404, 'notFound', `Sync run ${runId} of integration ${id} not found`);
    return json(200, runView(run));
  }
  const topText = request.query.get('top');
  const top = topText === null ? SYNC_RUN_PAGE.default : Number(topText);
  if (!Number.isInteger(top) || top < 1 || top > SYNC_RUN_PAGE.max) throw invalid(`top must be a whole number from 1 to ${SYNC_RUN_PAGE.max}`);
  const after = request.query.get('after') ?? undefined;
  if (after !== undefined && !RUN_ID_PATTERN.test(after)) throw invalid('after must be the id of a run from the previous page');
  const page = await runs.list(id, top, after);
  const last = page.runs.at(-1);
  return json(200, { integrationId: id, runs: page.runs.map(runView), ...(page.more && last !== undefined ? { next: last.runId } : {}) });
}

/** One admin operation for the route: POST starts, GET reads (a POST naming a run is refused). */
export async function syncRunsOperation(request: HttpRequest, _all: Services): Promise<HttpResponseInit> {
  if (request.method.toUpperCase() !== 'POST') return getSyncRuns(request);
  if (request.params.runId !== undefined && request.params.runId !== '') throw new AdminError(405, 'methodNotAllowed', 'POST to .../sync-runs to start a run; a run cannot be changed');
  return startSyncRun(request);
}
