// The connection check: calls our own SCIM endpoint the way Entra's "Test Connection" does (GET /Users with a filter
// on a userName nobody has, the integration's Secret Token as the bearer) and reports what came back and how long it
// took. The token goes only into that request's Authorization header: never into the answer or a log line.
import { randomUUID } from 'node:crypto';

/** How long the check waits for the SCIM endpoint. */
export const CONNECTION_CHECK_TIMEOUT_MS = 10_000;

export interface ConnectionCheckResult {
  /** True when the endpoint accepted the token and answered a SCIM ListResponse, as Entra expects. */
  ok: boolean;
  /** The HTTP status answered; null when no answer came (unreachable, timed out). */
  status: number | null;
  durationMs: number;
  /** What happened, for the admin to read. */
  detail: string;
  /** The request made, without the token. */
  request: string;
  checkedAt: string;
}

export interface ConnectionCheckOptions {
  fetch?: typeof fetch;
  timeoutInMs?: number;
  now?: () => Date;
}

function isListResponse(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const { schemas, totalResults } = body as { schemas?: unknown; totalResults?: unknown };
  return Array.isArray(schemas) && schemas.includes('urn:ietf:params:scim:api:messages:2.0:ListResponse') && typeof totalResults === 'number';
}

function detailOf(status: number, body: unknown): string {
  if (status === 401) return 'The SCIM endpoint refused the Secret Token (401): the token is not (or no longer) valid for this Tenant URL.';
  const scimDetail = typeof body === 'object' && body !== null ? (body as { detail?: unknown }).detail : undefined;
  const suffix = typeof scimDetail === 'string' && scimDetail !== '' ? `: ${scimDetail.slice(0, 300)}` : '';
  return `The SCIM endpoint answered HTTP ${status}${suffix}.`;
}

export async function checkConnection(tenantUrl: string, token: string, options: ConnectionCheckOptions = {}): Promise<ConnectionCheckResult> {
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? (() => new Date());
  const path = `/Users?filter=${encodeURIComponent(`userName eq "${randomUUID()}"`)}`;
  const request = `GET ${tenantUrl}${path}`;
  const checkedAt = now().toISOString();
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  try {
    const response = await doFetch(`${tenantUrl}${path}`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/scim+json' },
      signal: AbortSignal.timeout(options.timeoutInMs ?? CONNECTION_CHECK_TIMEOUT_MS),
    });
    const text = await response.text();
    const durationMs = elapsed();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (response.status === 200 && isListResponse(body)) {
      return { ok: true, status: 200, durationMs, detail: 'The SCIM endpoint accepted the Secret Token and answered a ListResponse, as Entra\'s Test Connection expects.', request, checkedAt };
    }
    const detail = response.status === 200 ? 'The SCIM endpoint answered HTTP 200 without a SCIM ListResponse.' : detailOf(response.status, body);
    return { ok: false, status: response.status, durationMs, detail, request, checkedAt };
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    const detail = timedOut ? `The SCIM endpoint did not answer within ${options.timeoutInMs ?? CONNECTION_CHECK_TIMEOUT_MS} ms.` : 'The SCIM endpoint could not be reached.';
    return { ok: false, status: null, durationMs: elapsed(), detail, request, checkedAt };
  }
}
