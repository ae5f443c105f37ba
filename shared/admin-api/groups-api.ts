// Admin routes for the groups of every data source: the list with its filters and possible duplicates, the targeting
// switch for many groups at once, and a group's members, each paged.
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import { UNCLASSIFIED_KIND } from '../directory/targeting/groups-across-sources.js';
import { GROUP_KINDS } from '../graph/graph-integration-settings.js';
import type { Services } from '../services.js';
import { AdminError, json, readJson } from './admin-http.js';
import { isWellFormedContinuationToken } from './continuation-token.js';
import { decodePositionToken, encodePositionToken, idSchema } from './position-token.js';
import { pageSizeParameter, parseRequest } from './request-schema.js';

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 500;
/** Groups one switch request may name. */
export const MAX_GROUPS_PER_SWITCH = 500;

const groupRefSchema = z.strictObject({ integrationId: idSchema, groupId: idSchema });
const groupPositionSchema = z.strictObject({ i: idSchema, g: idSchema });
const listQuerySchema = z.object({
  status: z.enum(['enabled', 'disabled', 'all']).default('all'),
  integrationId: idSchema.optional(),
  /** A Graph group's kind, or `unclassified` for groups whose source gives none (SCIM). */
  kind: z.enum([...GROUP_KINDS, UNCLASSIFIED_KIND], { error: `kind must be one of ${[...GROUP_KINDS, UNCLASSIFIED_KIND].join(', ')}` }).optional(),
  search: z.string().max(256).optional(),
});
const switchSchema = z.strictObject({
  enabled: z.boolean(),
  groups: z.array(groupRefSchema).min(1, 'name at least one group').max(MAX_GROUPS_PER_SWITCH, `at most ${MAX_GROUPS_PER_SWITCH} groups per request`),
});

const invalidToken = (): AdminError => new AdminError(400, 'invalidContinuationToken', 'continuationToken is not a token this API handed out; start again without it');

const queryObject = (request: HttpRequest): Record<string, string> => Object.fromEntries([...request.query.entries()].filter(([, value]) => value !== ''));

export async function listGroups(request: HttpRequest, all: Services): Promise<HttpResponseInit> {
  const { continuationToken: _token, pageSize: _size, ...filters } = queryObject(request);
  const query = parseRequest(listQuerySchema, filters);
  const pageSize = pageSizeParameter(request.query.get('pageSize'), DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  const after = decodePositionToken(request.query.get('continuationToken'), groupPositionSchema);
  const page = await all.allGroups.list({
    status: query.status,
    pageSize,
    ...(query.integrationId === undefined ? {} : { integrationId: query.integrationId }),
    ...(query.kind === undefined ? {} : { kind: query.kind }),
    ...(query.search === undefined ? {} : { search: query.search }),
    ...(after === undefined ? {} : { after: { integrationId: after.i, groupId: after.g } }),
  });
  return json(200, { groups: page.groups, ...(page.last === undefined ? {} : { continuationToken: encodePositionToken({ i: page.last.integrationId, g: page.last.groupId }) }) });
}

export async function switchGroups(request: HttpRequest, all: Services): Promise<HttpResponseInit> {
  const { enabled, groups } = parseRequest(switchSchema, await readJson(request));
  const outcome = await all.allGroups.setEnabled(groups, enabled);
  return json(200, { enabled, ...outcome });
}

export async function groupMembers(request: HttpRequest, all: Services): Promise<HttpResponseInit> {
  const ref = parseRequest(groupRefSchema, { integrationId: request.params.integrationId, groupId: request.params.groupId });
  const pageSize = pageSizeParameter(request.query.get('pageSize'), DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  const continuationToken = request.query.get('continuationToken') ?? undefined;
  if (continuationToken !== undefined && !isWellFormedContinuationToken(continuationToken)) throw invalidToken();
  const group = await all.groups.get(ref.integrationId, ref.groupId);
  if (group === undefined) throw new AdminError(404, 'notFound', `Group ${ref.groupId} of integration ${ref.integrationId} not found`);
  const page = await all.allGroups.members(ref, { pageSize, ...(continuationToken === undefined ? {} : { continuationToken }) }).catch((error: unknown) => {
    // Storage answers 400 for a token whose keys it cannot use: still the caller's token, not our fault.
    if (continuationToken !== undefined && (error as { statusCode?: unknown } | null)?.statusCode === 400) throw invalidToken();
    throw error;
  });
  return json(200, { integrationId: ref.integrationId, groupId: ref.groupId, displayName: group.displayName, ...page });
}
