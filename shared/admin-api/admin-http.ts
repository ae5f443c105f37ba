// The HTTP edge of the admin API: every call authorized first (the function key or a signed-in admin, admin-access.ts),
// JSON in and out, errors as {"error":{"code","message"}}, one structured log line per request, and never a 500 for a
// caller's mistake.
import type { HttpHandler, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { logFault, logRequestOutcome, startRequestTimer } from '../observability/request-log.js';
import { type Services, services } from '../services.js';
import { authorizeAdminRequest, effectiveAdminAccess } from './admin-access.js';
import { AdminError } from './admin-error.js';
import {
  fromStorageError,
  InvalidValueError,
  NameTakenError,
  NotFoundError,
  PreconditionFailedError,
  StateConflictError,
  STILL_CONFLICTING_MESSAGE,
  StillConflictingError,
  TooLargeError,
} from '../directory/errors.js';

export { AdminError };

/** The AdminError a domain (or storage-size) error answers as; any other error unchanged. */
export function toAdminError(caught: unknown): unknown {
  const error = fromStorageError(caught);
  if (error instanceof NotFoundError) return new AdminError(404, 'notFound', error.message);
  if (error instanceof NameTakenError) return new AdminError(409, 'nameTaken', error.message);
  if (error instanceof PreconditionFailedError) return new AdminError(412, 'preconditionFailed', error.message);
  if (error instanceof InvalidValueError) return new AdminError(400, 'invalidValue', error.message);
  if (error instanceof StateConflictError) return new AdminError(409, 'conflict', error.message);
  if (error instanceof TooLargeError) return new AdminError(413, 'tooLargeToStore', error.message);
  if (error instanceof StillConflictingError) return new AdminError(409, 'stillConflicting', STILL_CONFLICTING_MESSAGE);
  return error;
}

export const MAX_ADMIN_BODY_BYTES = 20 * 1024 * 1024;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers }, body: JSON.stringify(body) };
}

export async function readText(request: HttpRequest): Promise<string> {
  if (Number(request.headers.get('content-length') ?? '0') > MAX_ADMIN_BODY_BYTES) throw tooLarge();
  const bytes = Buffer.from(await request.arrayBuffer());
  if (bytes.length > MAX_ADMIN_BODY_BYTES) throw tooLarge();
  return bytes.toString('utf8');
}

function tooLarge(): AdminError {
  return new AdminError(413, 'bodyTooLarge', `The request body exceeds ${MAX_ADMIN_BODY_BYTES} bytes.`);
}

export async function readJson(request: HttpRequest): Promise<unknown> {
  const text = await readText(request);
  try {
    return text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new AdminError(400, 'invalidJson', 'The request body is not valid JSON.');
  }
}

/** The public origin of the function app, as the caller reached it. */
export function originOf(request: HttpRequest): string {
  return new URL(request.url).origin;
}

export type AdminOperation = (request: HttpRequest, all: Services, context: InvocationContext) => Promise<HttpResponseInit>;

export function adminEndpoint(name: string, operation: AdminOperation): HttpHandler {
  return async (request, context) => {
    const elapsed = startRequestTimer();
    const opName = `admin.${name}.${request.method.toLowerCase()}`;
    const integrationId = request.params.id;
    try {
      const all = await services();
      await authorizeAdminRequest(request, effectiveAdminAccess(all.adminAccess));
      const response = await operation(request, all, context);
      logRequestOutcome(context, { operation: opName, status: response.status ?? 200, durationMs: elapsed(), ...(integrationId === undefined ? {} : { integrationId }) });
      return response;
    } catch (caught) {
      const error = toAdminError(caught);
      if (error instanceof AdminError) {
        logRequestOutcome(context, { operation: opName, status: error.status, durationMs: elapsed(), detail: error.message });
        return json(error.status, { error: { code: error.code, message: error.message } });
      }
      const correlationId = logFault(context, 'admin', error);
      logRequestOutcome(context, { operation: opName, status: 500, durationMs: elapsed(), correlationId });
      return json(500, { error: { code: 'internal', message: `An unexpected error occurred. Correlation id: ${correlationId}` } });
    }
  };
}
