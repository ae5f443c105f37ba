// Admin routes for Content Manager users: import (JSON array or CSV) reporting created / updated / linked /
// rejected rows, paged listing with search, and one user with what each data source gave it.
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { ImportFormatError, parseUserImport } from '../directory/user-import-parser.js';
import type { Services } from '../services.js';
import { AdminError, json, readText } from './admin-http.js';
import { isWellFormedContinuationToken } from './continuation-token.js';

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

export async function importUsers(request: HttpRequest, all: Services): Promise<HttpResponseInit> {
  const body = await readText(request);
  let parsed;
  try {
    parsed = parseUserImport(body, request.headers.get('content-type') ?? '');
  } catch (error) {
    if (error instanceof ImportFormatError) throw new AdminError(400, 'invalidImport', error.message);
    throw error;
  }
  const report = await all.contentManagerUsers.import(parsed.accepted, parsed.rejected);
  return json(200, report);
}

export async function listOrGetUsers(request: HttpRequest, all: Services): Promise<HttpResponseInit> {
  const id = request.params.id;
  if (id !== undefined && id !== '') {
    const user = await all.contentManagerUsers.get(id);
    if (user === undefined) throw new AdminError(404, 'notFound', `User ${id} not found`);
    return json(200, user);
  }
  const pageSizeText = request.query.get('pageSize');
  const pageSize = pageSizeText === null ? DEFAULT_PAGE_SIZE : Number(pageSizeText);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new AdminError(400, 'invalidRequest', `pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  const continuationToken = request.query.get('continuationToken') ?? undefined;
  if (continuationToken !== undefined && !isWellFormedContinuationToken(continuationToken)) throw invalidContinuationToken();
  const search = request.query.get('search') ?? undefined;
  try {
    const page = await all.contentManagerUsers.list({
      pageSize,
      ...(continuationToken === undefined ? {} : { continuationToken }),
      ...(search === undefined || search === '' ? {} : { search }),
    });
    return json(200, page);
  } catch (error) {
    // Storage answers 400 for a token whose keys it cannot use: still the caller's token, not our fault.
    if (continuationToken !== undefined && isStorageBadRequest(error)) throw invalidContinuationToken();
    throw error;
  }
}

function invalidContinuationToken(): AdminError {
  return new AdminError(400, 'invalidContinuationToken', 'continuationToken is not a token this API handed out; start again without it');
}

const isStorageBadRequest = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { statusCode?: unknown }).statusCode === 400;
