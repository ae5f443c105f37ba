// Admin routes for targeting attributes: create one from a data source and one of its attribute paths (the source's
// catalog, listed with readable labels and sample values), list, rename, switch, delete, step the backfill of its
// value index, and the targeting data of one person (its groups of every source and its values).
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import { viewOf } from '../directory/targeting/targeting-attributes.js';
import type { Services } from '../services.js';
import { AdminError, json, readJson } from './admin-http.js';
import { idSchema } from './position-token.js';
import { parseRequest } from './request-schema.js';

const nameSchema = z.string().trim().min(1, 'name is required').max(128, 'name is at most 128 characters');
const createSchema = z.strictObject({
  name: nameSchema,
  integrationId: idSchema,
  path: z.string().min(1, 'path is required').max(1024),
  enabled: z.boolean().default(true),
});
const updateSchema = z
  .strictObject({ name: nameSchema.optional(), enabled: z.boolean().optional() })
  .refine((body) => body.name !== undefined || body.enabled !== undefined, 'send name and/or enabled');
const backfillSchema = z.strictObject({ restart: z.boolean().optional() });

export async function targetingAttributes(request: HttpRequest, all: Services): Promise<HttpResponseInit> {
  const id = request.params.id ?? '';
  const method = request.method.toUpperCase();
  if (id === '') {
    if (method === 'POST') {
      const created = await all.targetingAttributes.create(parseRequest(createSchema, await readJson(request)));
      return json(201, viewOf(created));
    }
    if (method !== 'GET') throw new AdminError(405, 'methodNotAllowed', `${method} needs a targeting attribute id`);
    return json(200, { attributes: (await all.targetingAttributes.list()).map(viewOf) });
  }
  parseRequest(idSchema, id);
  if (method === 'PATCH') return json(200, viewOf(await all.targetingAttributes.update(id, parseRequest(updateSchema, await readJson(request)))));
  if (method === 'DELETE') {
    await all.targetingAttributes.delete(id);
    return { status: 204 };
  }
  if (method !== 'GET') throw new AdminError(405, 'methodNotAllowed', `${method} is not allowed on one targeting attribute`);
  return json(200, viewOf(await all.targetingAttributes.require(id)));
}

export async function backfillStep(request: HttpRequest, all: Services): Promise<HttpResponseInit> {
  const id = parseRequest(idSchema, request.params.id);
  const { restart } = parseRequest(backfillSchema, await readJson(request));
  return json(200, viewOf(await all.targetingAttributes.backfillStep(id, restart === undefined ? {} : { restart })));
}

export async function dataSourceAttributes(request: HttpRequest, all: Services): Promise<HttpResponseInit> {
  const integrationId = parseRequest(idSchema, request.params.integrationId);
  return json(200, { integrationId, attributes: await all.targetingAttributes.dataSourceAttributes(integrationId) });
}

export async function userTargeting(request: HttpRequest, all: Services): Promise<HttpResponseInit> {
  const id = parseRequest(idSchema, request.params.id);
  const person = await all.people.get(id);
  if (person === undefined) throw new AdminError(404, 'notFound', `User ${id} not found`);
  const [groups, attributes] = await Promise.all([all.allGroups.groupsOf(id), all.targetingAttributes.valuesOf(person)]);
  return json(200, { id, groups, attributes });
}
