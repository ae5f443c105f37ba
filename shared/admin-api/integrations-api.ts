// Admin routes for integrations: create (answers the Tenant URL and Secret Token once), list, show, reveal and rotate
// the token (with a grace period for the old one), the attribute catalog, and the groups with their targeting switch.
// Rename, delete, the connection check and the activity: integration-lifecycle-api.ts.
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import { DEFAULT_ROTATION_GRACE_MS, MAX_ROTATION_GRACE_MS } from '../directory/integrations.js';
import type { Services } from '../services.js';
import { AdminError, json, originOf, readJson } from './admin-http.js';
import { createGraphIntegration, isGraphCreateBody } from './graph-integrations-api.js';

const createIntegrationSchema = z.object({
  displayName: z.string().trim().min(1, 'displayName is required').max(256),
  userProvisioning: z.enum(['matchOnly', 'create']).default('matchOnly'),
});

const groupSwitchSchema = z.object({ enabled: z.boolean() });

/** The body as the schema reads it, or a 400 naming every problem by its path. */
export function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) throw new AdminError(400, 'invalidRequest', result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return result.data;
}

function notFound(what: string): AdminError {
  return new AdminError(404, 'notFound', `${what} not found`);
}

export async function createIntegration(request: HttpRequest, all: Services): Promise<HttpResponseInit> {
  const body = await readJson(request);
  if (isGraphCreateBody(body)) return createGraphIntegration(body, request, all);
  const input = parse(createIntegrationSchema, body);
  const created = await all.integrations.create(input, originOf(request));
  return json(201, {
    id: created.id,
    displayName: created.displayName,
    tenantUrl: created.tenantUrl,
    secretToken: created.secretToken,
    userProvisioning: created.userProvisioning,
  });
}

export async function listOrGetIntegrations(request: HttpRequest, all: Services): Promise<HttpResponseInit> {
  const id = request.params.id;
  if (id === undefined || id === '') return json(200, { integrations: await all.integrations.list(originOf(request)) });
  const integration = await all.integrations.get(id, originOf(request));
  if (integration === undefined) throw notFound(`Integration ${id}`);
  return json(200, integration);
}

const HOUR_MS = 60 * 60 * 1000;
const rotateSchema = z.strictObject({
  gracePeriodHours: z
    .number({ error: 'gracePeriodHours must be a number of hours' })
    .min(0, 'gracePeriodHours must be 0 or more')
    .max(MAX_ROTATION_GRACE_MS / HOUR_MS, `gracePeriodHours must be at most ${MAX_ROTATION_GRACE_MS / HOUR_MS}`)
    .default(DEFAULT_ROTATION_GRACE_MS / HOUR_MS),
});

/**
 * Reveals the token, or rotates it: the answer has the new token and until when the old one is still accepted
 * (`gracePeriodHours` in the body, default 24; 0 ends the old token at once).
 */
export async function secretTokenAction(request: HttpRequest, all: Services): Promise<HttpResponseInit> {
  const id = request.params.id ?? '';
  const action = (request.params.action ?? '').toLowerCase();
  if (action !== 'reveal' && action !== 'rotate') throw new AdminError(404, 'notFound', 'use secret-token/reveal or secret-token/rotate');
  if (action === 'reveal') {
    const token = await all.integrations.revealToken(id);
    if (token === undefined) throw notFound(`Integration ${id}`);
    return json(200, { id, secretToken: token });
  }
  const { gracePeriodHours } = parse(rotateSchema, await readJson(request));
  const rotated = await all.integrations.rotateToken(id, gracePeriodHours * HOUR_MS);
  if (rotated === undefined) throw notFound(`Integration ${id}`);
  return json(200, { id, secretToken: rotated.secretToken, previousTokenValidUntil: rotated.previousTokenValidUntil, gracePeriodHours });
}

async function requireIntegration(request: HttpRequest, all: Services): Promise<string> {
  const id = request.params.id ?? '';
  if ((await all.integrations.get(id, originOf(request))) === undefined) throw notFound(`Integration ${id}`);
  return id;
}

export async function listAttributes(request: HttpRequest, all: Services): Promise<HttpResponseInit> {
  const id = await requireIntegration(request, all);
  return json(200, { integrationId: id, attributes: await all.catalog.list(id) });
}

export async function integrationGroups(request: HttpRequest, all: Services): Promise<HttpResponseInit> {
  const id = await requireIntegration(request, all);
  const groupId = request.params.groupId;
  if (request.method.toUpperCase() === 'PATCH') {
    if (groupId === undefined || groupId === '') throw new AdminError(405, 'methodNotAllowed', 'PATCH a single group');
    const { enabled } = parse(groupSwitchSchema, await readJson(request));
    const group = await all.groups.setEnabled(id, groupId, enabled);
    if (group === undefined) throw notFound(`Group ${groupId}`);
    return json(200, { id: group.id, displayName: group.displayName, externalId: group.externalId, enabled: group.enabled });
  }
  const groups = await all.groups.listForAdmin(id);
  if (groupId !== undefined && groupId !== '') {
    const group = groups.find((g) => g.id === groupId);
    if (group === undefined) throw notFound(`Group ${groupId}`);
    return json(200, group);
  }
  return json(200, { integrationId: id, groups });
}
