// The HTTP edge of the SCIM service: bodies (size, media type, JSON), query parameters (filter, paging, attribute
// projection), and responses in `application/scim+json`.
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { badRequest, ScimError } from '../scim/errors.js';
import { type FilterNode, parseFilter } from '../scim/filter/index.js';
import { requireBoundedNesting } from '../scim/json-nesting.js';
import { parseAttributeList } from '../scim/projection.js';

export const SCIM_CONTENT_TYPE = 'application/scim+json';
export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
/** Largest request body accepted (RFC 7644 leaves it to the server; Entra sends far less). */
export const MAX_SCIM_BODY_BYTES = 1024 * 1024;
/** Page size when `count` is absent, and the largest page served (advertised in ServiceProviderConfig). */
export const DEFAULT_PAGE_SIZE = 100;

/**
 * The URL of a resource. An id comes from storage or, for a manager, from a client's value, which may hold an
 * unpaired surrogate that encodeURIComponent refuses (URIError): such a code unit is written as U+FFFD.
 */
export function resourceUrl(baseUrl: string, resourceType: 'Users' | 'Groups', id: string): string {
  const wellFormed = id.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
  return `${baseUrl}/${resourceType}/${encodeURIComponent(wellFormed)}`;
}
export const MAX_PAGE_SIZE = 200;

const ACCEPTED_MEDIA_TYPES = ['application/scim+json', 'application/json'];

export async function readScimBody(request: HttpRequest): Promise<unknown> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > MAX_SCIM_BODY_BYTES) throw tooLarge();
  const contentType = request.headers.get('content-type');
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== undefined && mediaType !== '' && !ACCEPTED_MEDIA_TYPES.includes(mediaType)) {
    throw new ScimError(415, `Content-Type ${mediaType} is not supported; send application/scim+json.`);
  }
  const bytes = Buffer.from(await request.arrayBuffer());
  if (bytes.length > MAX_SCIM_BODY_BYTES) throw tooLarge();
  const text = bytes.toString('utf8');
  if (text.trim() === '') throw badRequest('invalidSyntax', 'The request body is empty; a JSON object is required.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw badRequest('invalidSyntax', `The request body is not valid JSON: ${(error as Error).message}`);
  }
  requireBoundedNesting(parsed, 'The request body', 'invalidSyntax');
  return parsed;
}

function tooLarge(): ScimError {
  return new ScimError(413, `The request body exceeds ${MAX_SCIM_BODY_BYTES} bytes.`);
}

export function scimResponse(status: number, body?: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  if (body === undefined) return { status, headers };
  return { status, headers: { 'Content-Type': SCIM_CONTENT_TYPE, ...headers }, body: JSON.stringify(body) };
}

export interface ListParameters {
  filter?: FilterNode;
  startIndex: number;
  count: number;
  attributes?: string[];
  excludedAttributes?: string[];
}

/** List parameters as sent, from a query string or a SearchRequest body, before their defaults and bounds. */
export interface RawListParameters {
  filter?: string | undefined;
  startIndex?: number | undefined;
  count?: number | undefined;
  attributes?: string[] | undefined;
  excludedAttributes?: string[] | undefined;
}

function integerParameter(request: HttpRequest, name: string): number | undefined {
  const raw = request.query.get(name);
  if (raw === null || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw badRequest('invalidValue', `${name} must be an integer, got "${raw}".`);
  return Math.trunc(value);
}

/** The query parameters of a GET list (RFC 7644 §3.4.2). */
export function listParameters(request: HttpRequest): ListParameters {
  return listParametersOf({
    filter: request.query.get('filter') ?? undefined,
    startIndex: integerParameter(request, 'startIndex'),
    count: integerParameter(request, 'count'),
    ...projection(request),
  });
}

/** RFC 7644 §3.4.2: startIndex below 1 means 1, a negative count means 0, count is capped at MAX_PAGE_SIZE. */
export function listParametersOf(raw: RawListParameters): ListParameters {
  const startIndex = Math.max(1, Math.trunc(raw.startIndex ?? 1));
  const count = Math.min(MAX_PAGE_SIZE, Math.max(0, Math.trunc(raw.count ?? DEFAULT_PAGE_SIZE)));
  const parameters: ListParameters = { startIndex, count };
  if (raw.filter !== undefined && raw.filter.trim() !== '') parameters.filter = parseFilter(raw.filter);
  if (raw.attributes !== undefined && raw.attributes.length > 0) parameters.attributes = raw.attributes;
  if (raw.excludedAttributes !== undefined && raw.excludedAttributes.length > 0) parameters.excludedAttributes = raw.excludedAttributes;
  return parameters;
}

export function projection(request: HttpRequest): { attributes?: string[]; excludedAttributes?: string[] } {
  const result: { attributes?: string[]; excludedAttributes?: string[] } = {};
  const attributes = parseAttributeList(request.query.get('attributes'));
  const excludedAttributes = parseAttributeList(request.query.get('excludedAttributes'));
  if (attributes !== undefined) result.attributes = attributes;
  if (excludedAttributes !== undefined) result.excludedAttributes = excludedAttributes;
  return result;
}

/** Whether `members` is wanted: not excluded, and listed when `attributes` is given. */
export function wantsMembers(options: { attributes?: string[]; excludedAttributes?: string[] }): boolean {
  const named = (list: string[] | undefined): boolean => list?.some((name) => /^members(\b|\.|\[|$)/i.test(name) || /:members$/i.test(name)) ?? false;
  if (named(options.excludedAttributes)) return false;
  if (options.attributes !== undefined && options.attributes.length > 0) return named(options.attributes);
  return true;
}

export function listResponse(totalResults: number, startIndex: number, resources: Record<string, unknown>[]): Record<string, unknown> {
  return { schemas: [LIST_RESPONSE_SCHEMA], totalResults, startIndex, itemsPerPage: resources.length, Resources: resources };
}

/** The ETag header of a resource, from meta.version. */
export function etagHeader(resource: Record<string, unknown>): Record<string, string> {
  const version = (resource.meta as { version?: unknown } | undefined)?.version;
  return typeof version === 'string' ? { ETag: version } : {};
}
