// POST /api/admin/audiences/resolve: the people an audience reaches, paged, with the total count. The body:
//   groups:     { anyOf: [{integrationId, groupId}…], allOf: [...] }   a member of any / of every group named
//   attributes: { attributeId, equals | oneOf | startsWith | present: true }, or { and: [...] } / { or: [...] } of them
// both given: people matching both. Only enabled groups and enabled targeting attributes may be named (400 otherwise).
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import type { AudienceCondition } from '../directory/targeting/audience-resolver.js';
import { forEachBounded } from '../storage/transactions.js';
import type { Services } from '../services.js';
import { AdminError, json, readJson } from './admin-http.js';
import { decodePositionToken, encodePositionToken, idSchema } from './position-token.js';
import { parseRequest } from './request-schema.js';

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 200;
const MAX_GROUPS = 100;
const MAX_VALUES = 100;
const MAX_NESTING = 4;
const valueSchema = z.string().min(1, 'a value is required').max(256, 'values are at most 256 characters');

const groupRefSchema = z.strictObject({ integrationId: idSchema, groupId: idSchema });
const groupsSchema = z
  .strictObject({ anyOf: z.array(groupRefSchema).max(MAX_GROUPS).optional(), allOf: z.array(groupRefSchema).max(MAX_GROUPS).optional() })
  .refine((groups) => (groups.anyOf?.length ?? 0) + (groups.allOf?.length ?? 0) > 0, 'name at least one group in anyOf or allOf');

const attributeLeafSchema = z.union([
  z.strictObject({ attributeId: idSchema, equals: valueSchema }),
  z.strictObject({ attributeId: idSchema, oneOf: z.array(valueSchema).min(1).max(MAX_VALUES) }),
  z.strictObject({ attributeId: idSchema, startsWith: valueSchema }),
  z.strictObject({ attributeId: idSchema, present: z.literal(true) }),
]);
type AttributeNode = z.infer<typeof attributeLeafSchema> | { and: AttributeNode[] } | { or: AttributeNode[] };
const attributeNodeSchema: z.ZodType<AttributeNode> = z.lazy(() =>
  z.union([attributeLeafSchema, z.strictObject({ and: z.array(attributeNodeSchema).min(1).max(MAX_GROUPS) }), z.strictObject({ or: z.array(attributeNodeSchema).min(1).max(MAX_GROUPS) })]),
);

const resolveSchema = z
  .strictObject({
    groups: groupsSchema.optional(),
    attributes: attributeNodeSchema.optional(),
    pageSize: z.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
    continuationToken: z.string().optional(),
  })
  .refine((body) => body.groups !== undefined || body.attributes !== undefined, 'give groups and/or attributes conditions');

const positionSchema = z.strictObject({ after: idSchema });

function attributeCondition(node: AttributeNode, depth: number): AudienceCondition {
  if (depth > MAX_NESTING) throw new AdminError(400, 'invalidRequest', `attributes: and/or nest at most ${MAX_NESTING} deep`);
  if ('and' in node) return { kind: 'and', conditions: node.and.map((inner) => attributeCondition(inner, depth + 1)) };
  if ('or' in node) return { kind: 'or', conditions: node.or.map((inner) => attributeCondition(inner, depth + 1)) };
  const { attributeId } = node;
  if ('equals' in node) return { kind: 'attribute', attributeId, match: { kind: 'equals', value: node.equals } };
  if ('oneOf' in node) return { kind: 'attribute', attributeId, match: { kind: 'oneOf', values: node.oneOf } };
  if ('startsWith' in node) return { kind: 'attribute', attributeId, match: { kind: 'startsWith', prefix: node.startsWith } };
  return { kind: 'attribute', attributeId, match: { kind: 'present' } };
}

/** The condition a request body asks for. */
export function audienceCondition(body: z.infer<typeof resolveSchema>): AudienceCondition {
  const conditions: AudienceCondition[] = [];
  const group = (ref: { integrationId: string; groupId: string }): AudienceCondition => ({ kind: 'group', ...ref });
  if (body.groups?.anyOf !== undefined && body.groups.anyOf.length > 0) conditions.push({ kind: 'or', conditions: body.groups.anyOf.map(group) });
  for (const ref of body.groups?.allOf ?? []) conditions.push(group(ref));
  if (body.attributes !== undefined) conditions.push(attributeCondition(body.attributes, 1));
  return conditions.length === 1 ? (conditions[0] as AudienceCondition) : { kind: 'and', conditions };
}

export async function resolveAudience(request: HttpRequest, all: Services): Promise<HttpResponseInit> {
  const body = parseRequest(resolveSchema, await readJson(request));
  const condition = audienceCondition(body);
  const position = decodePositionToken(body.continuationToken, positionSchema);
  const page = await all.audiences.resolve(condition, { pageSize: body.pageSize, ...(position === undefined ? {} : { after: position.after }) });
  const users: { id: string; upn?: string; displayName?: string; contentManagerUser: boolean }[] = page.personIds.map((id) => ({ id, contentManagerUser: false }));
  await forEachBounded(users, 16, async (user) => {
    const person = await all.people.get(user.id);
    const upn = person?.cm?.upn ?? person?.stagedUpn;
    const displayName = person?.cm?.displayName;
    Object.assign(user, { contentManagerUser: person?.cm !== undefined }, upn === undefined ? {} : { upn }, displayName === undefined ? {} : { displayName });
  });
  return json(200, { total: page.total, users, ...(page.lastId === undefined ? {} : { continuationToken: encodePositionToken({ after: page.lastId }) }) });
}
