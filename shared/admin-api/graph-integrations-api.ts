// Admin routes of Graph integrations (issue 6 §1): create one (`POST /api/admin/integrations` with `"method": "graph"`),
// read and replace its settings (`GET`/`PUT /api/admin/integrations/{id}/graph`). Bodies are parsed by shared/graph's
// strict schema, so a bad GUID, an unknown property or an empty selection is a 400 naming the field. The client secret
// is write-only: it goes to the secret store, is never answered, and never reaches a log line (errors name fields only).
// `POST /api/admin/integrations/{id}/graph/test-connection` signs in with the stored credentials and makes one cheap
// call of each kind the sync needs (graph-connection-test.ts), answering each check's outcome in words.
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { testGraphConnection } from '../graph/graph-connection-test.js';
import { type GraphIntegrationInput, GraphSettingsError, parseGraphIntegrationInput, parseStoredGraphSettings } from '../graph/graph-integration-settings.js';
import type { Services } from '../services.js';
import { AdminError, json, originOf, readJson } from './admin-http.js';

const MAX_DISPLAY_NAME = 256;

/** Whether a create body asks for a Graph integration. */
export function isGraphCreateBody(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as Record<string, unknown>).method === 'graph';
}

function invalid(problems: readonly { field: string; message: string }[]): AdminError {
  return new AdminError(400, 'invalidRequest', problems.map((p) => `${p.field}: ${p.message}`).join('; '));
}

function parseSettings(body: unknown, mode: 'create' | 'update', prefix: string): GraphIntegrationInput {
  try {
    return parseGraphIntegrationInput(body, mode);
  } catch (error) {
    if (error instanceof GraphSettingsError) throw invalid(error.problems.map((p) => ({ field: `${prefix}${p.field}`, message: p.message })));
    throw error;
  }
}

function displayNameOf(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid([{ field: 'displayName', message: 'displayName is required' }]);
  if (value.trim().length > MAX_DISPLAY_NAME) throw invalid([{ field: 'displayName', message: `at most ${MAX_DISPLAY_NAME} characters` }]);
  return value.trim();
}

/** `{ "displayName", "method": "graph", "graph": { tenantId, clientId, clientSecret, groupSelection, … } }`. */
export async function createGraphIntegration(body: unknown, request: HttpRequest, all: Services): Promise<HttpResponseInit> {
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((key) => !['displayName', 'method', 'graph'].includes(key));
  if (unknown.length > 0) throw invalid(unknown.map((field) => ({ field, message: 'unknown property' })));
  const displayName = displayNameOf(fields.displayName);
  const { settings, clientSecret } = parseSettings(fields.graph ?? {}, 'create', 'graph.');
  const created = await all.integrations.createGraph({ displayName, settings, clientSecret }, originOf(request));
  return json(201, created, { Location: `/api/admin/integrations/${created.id}` });
}

async function requireGraph(request: HttpRequest, all: Services) {
  const id = request.params.id ?? '';
  const integration = await all.integrations.get(id, originOf(request));
  if (integration?.method !== 'graph') throw new AdminError(404, 'notFound', `Graph integration ${id} not found`);
  return integration;
}

/** GET shows the settings (no secret); PUT replaces them, keeping the stored secret unless a new one is given. */
export async function graphSettingsRoute(request: HttpRequest, all: Services): Promise<HttpResponseInit> {
  const integration = await requireGraph(request, all);
  if (request.method.toUpperCase() !== 'PUT') return json(200, { id: integration.id, enabled: integration.enabled, graph: integration.graph });
  const { settings, clientSecret } = parseSettings(await readJson(request), 'update', '');
  const updated = await all.integrations.updateGraph(integration.id, { settings, clientSecret }, originOf(request));
  return json(200, { id: updated.id, enabled: updated.enabled, graph: updated.graph });
}

/** Signs in with the stored credentials and tries each kind of call the sync makes; 409 for a SCIM integration. */
export async function graphTestConnectionRoute(request: HttpRequest, all: Services): Promise<HttpResponseInit> {
  const id = request.params.id ?? '';
  const integration = await all.integrations.get(id, originOf(request));
  if (integration === undefined) throw new AdminError(404, 'notFound', `Integration ${id} not found`);
  if (integration.method !== 'graph') {
    throw new AdminError(409, 'notGraphIntegration', `Integration ${id} receives its data through SCIM; test it with POST /api/admin/integrations/${id}/connection-check.`);
  }
  const config = await all.integrations.graphConfig(id);
  if (config === undefined) {
    const detail = 'No client secret is stored for this integration: save one with PUT /api/admin/integrations/{id}/graph ("clientSecret").';
    return json(200, { integrationId: id, ok: false, checks: [{ check: 'token', outcome: 'failed', detail }] });
  }
  const report = await testGraphConnection({ integrationId: id, settings: parseStoredGraphSettings(config.settings), clientSecret: config.clientSecret });
  return json(200, { integrationId: id, ...report });
}
