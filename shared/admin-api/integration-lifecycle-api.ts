// Admin routes of an integration's life after its creation: rename (PATCH), delete with everything it imported after
// an explicit confirmation (DELETE, answered while the deletion goes on in the background), the connection check (our
// own SCIM endpoint called as Entra's Test Connection does) and its activity (last provisioning log entry, last Graph
// sync run).
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import { createIntegrationDeletion } from '../integration-deletion-services.js';
import type { Services } from '../services.js';
import { ProvisioningLogRepository } from '../storage/provisioning-log-repository.js';
import { SyncRunRepository } from '../storage/sync-run-repository.js';
import { AdminError, json, originOf, readJson } from './admin-http.js';
import { checkConnection } from './connection-check.js';
import { parse } from './integrations-api.js';

const renameSchema = z.strictObject({ displayName: z.string().trim().min(1, 'displayName is required').max(256) });
const deleteSchema = z.object({ confirmDisplayName: z.string({ error: 'confirmDisplayName is required: the display name of the integration, to confirm' }) });

/** How long a DELETE of an integration already being deleted goes on with it before answering. */
const DELETE_REQUEST_BUDGET_MS = 5_000;
/** How far back the last provisioning activity is looked for (the provisioning log's default retention). */
const ACTIVITY_LOOKBACK_DAYS = 30;

function notFound(id: string): AdminError {
  return new AdminError(404, 'notFound', `Integration ${id} not found`);
}

export async function renameIntegration(request: HttpRequest, all: Services): Promise<HttpResponseInit> {
  const id = request.params.id ?? '';
  const { displayName } = parse(renameSchema, await readJson(request));
  return json(200, await all.integrations.rename(id, displayName, originOf(request)));
}

/**
 * Starts deleting (202 with the progress), or goes on with a deletion already started for a few seconds (200 with
 * `"status": "deleted"` once the integration is gone).
 */
export async function deleteIntegration(request: HttpRequest, all: Services): Promise<HttpResponseInit> {
  const id = request.params.id ?? '';
  const { confirmDisplayName } = parse(deleteSchema, await readJson(request));
  const deletion = createIntegrationDeletion(all);
  await deletion.start(id, confirmDisplayName);
  all.integrations.forget(id);
  const outcome = await deletion.continue(id, Date.now() + DELETE_REQUEST_BUDGET_MS);
  const current = outcome === 'deleted' ? undefined : await all.integrations.get(id, originOf(request));
  return current === undefined ? json(200, { id, status: 'deleted' }) : json(202, current);
}

export async function integrationConnectionCheck(request: HttpRequest, all: Services): Promise<HttpResponseInit> {
  const id = request.params.id ?? '';
  const integration = await all.integrations.get(id, originOf(request));
  if (integration === undefined) throw notFound(id);
  if (integration.method === 'graph') throw new AdminError(409, 'conflict', 'A Graph integration has no SCIM endpoint to check: start a dry run of its sync instead.');
  const token = await all.integrations.revealToken(id);
  if (token === undefined) throw new AdminError(409, 'conflict', `The Secret Token of integration ${id} is missing from the secret store: rotate it.`);
  return json(200, { id, ...(await checkConnection(integration.tenantUrl, token)) });
}

export async function integrationActivity(request: HttpRequest, all: Services): Promise<HttpResponseInit> {
  const id = request.params.id ?? '';
  if ((await all.integrations.get(id, originOf(request))) === undefined) throw notFound(id);
  const to = new Date();
  const from = new Date(to.getTime() - ACTIVITY_LOOKBACK_DAYS * 24 * 60 * 60 * 1000);
  const [log, runs] = await Promise.all([
    new ProvisioningLogRepository(all.tables.provisioninglog).page({ integrationId: id, from, to, pageSize: 1 }),
    new SyncRunRepository(all.tables.syncruns).listRuns(id, 1),
  ]);
  const entry = log.entries[0];
  const run = runs.runs[0];
  return json(200, {
    id,
    lastProvisioning:
      entry === undefined
        ? null
        : { at: entry.at, source: entry.source, operation: entry.operation, resourceType: entry.resourceType, outcome: entry.outcome, ...(entry.status === undefined ? {} : { status: entry.status }) },
    lastSyncRun:
      run === undefined
        ? null
        : { runId: run.runId, kind: run.kind, trigger: run.trigger, status: run.status, queuedAt: run.queuedAt, ...(run.startedAt === undefined ? {} : { startedAt: run.startedAt }), ...(run.endedAt === undefined ? {} : { endedAt: run.endedAt }), errorCount: run.errorCount },
    lookbackDays: ACTIVITY_LOOKBACK_DAYS,
  });
}
