// Graph's failures as typed errors. A Graph error body ({"error":{"code","message","innerError":{"request-id",…}}})
// becomes a GraphRequestError carrying Graph's request id, so a run report can quote it to Microsoft support; the
// request is named by method and path only (the query may hold group names, never a credential, but is long). No
// error here ever holds the bearer token or the client secret.

export class GraphRequestError extends Error {
  readonly status: number;
  /** Graph's error code, e.g. Authorization_RequestDenied, syncStateNotFound, Request_UnsupportedQuery. */
  readonly code: string;
  readonly graphMessage: string;
  /** Graph's request id (innerError.request-id, or the request-id response header). */
  readonly requestId: string | undefined;
  readonly clientRequestId: string | undefined;
  readonly method: string;
  /** The URL path, without the query. */
  readonly path: string;

  constructor(details: GraphErrorDetails, message?: string) {
    super(message ?? `Microsoft Graph answered ${details.status} ${details.code} to ${details.method} ${details.path}: ${details.graphMessage}${details.requestId === undefined ? '' : ` (request-id ${details.requestId})`}`);
    this.name = new.target.name;
    ({ status: this.status, code: this.code, graphMessage: this.graphMessage, requestId: this.requestId, clientRequestId: this.clientRequestId, method: this.method, path: this.path } = details);
  }
}

/** What a GraphRequestError carries about the failed request: its fields, named once on the class. */
export type GraphErrorDetails = Pick<GraphRequestError, 'status' | 'code' | 'graphMessage' | 'requestId' | 'clientRequestId' | 'method' | 'path'>;

/** A 2xx answer that is not what Graph documents (no value array, a delta page without either link, …). */
export function malformedResponseError(url: string, what: string, response?: Response): GraphRequestError {
  return new GraphRequestError({
    status: response?.status ?? 200,
    code: 'MalformedResponse',
    graphMessage: `Microsoft Graph sent ${what}`,
    requestId: response?.headers.get('request-id') ?? undefined,
    clientRequestId: undefined,
    method: 'GET',
    path: new URL(url).pathname,
  });
}

/** 403 Authorization_RequestDenied: the app lacks a permission (or admin consent) for this call. */
export class GraphPermissionError extends GraphRequestError {}

/** The delta token expired (syncStateNotFound) or Graph reset change tracking (410 Gone): start a full round. */
export class GraphResyncNeededError extends GraphRequestError {}

/** 429/503/504 kept coming until the retry budget was spent. */
export class GraphThrottledError extends GraphRequestError {}

/** The token endpoint refused the app's credentials; `reason` says what the admin must fix. */
export type GraphAuthenticationFailure = 'invalidSecret' | 'expiredSecret' | 'unknownApplication' | 'unknownTenant' | 'loginUnreachable' | 'other';

export class GraphAuthenticationError extends Error {
  constructor(
    readonly reason: GraphAuthenticationFailure,
    /** The AADSTS error number, e.g. 7000215, when the login service gave one. */
    readonly aadstsCode: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'GraphAuthenticationError';
  }
}

/** Microsoft Entra's AADSTS codes for the credential mistakes an admin makes, with what to do about each. */
const AUTHENTICATION_FAILURES: Readonly<Record<string, { reason: GraphAuthenticationFailure; advice: string }>> = {
  '7000215': { reason: 'invalidSecret', advice: 'the client secret is wrong: paste the secret\'s Value (not its Secret ID) from the app registration' },
  '7000222': { reason: 'expiredSecret', advice: 'the client secret has expired: create a new one in the app registration and save it here' },
  '700016': { reason: 'unknownApplication', advice: 'no application with this client id exists in the tenant: check the client id and the tenant id' },
  '90002': { reason: 'unknownTenant', advice: 'the tenant was not found: check the tenant id and the cloud' },
  '900023': { reason: 'unknownTenant', advice: 'the tenant id is not valid: check the tenant id' },
};

/** How MSAL and Node describe a login service that did not answer. */
const UNREACHABLE = /network_error|endpoints_resolution_error|ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|fetch failed/i;

/** A credential failure as a GraphAuthenticationError; the identity library's own text is kept out (it may grow). */
export function authenticationErrorFrom(error: unknown): GraphAuthenticationError {
  const text = error instanceof Error ? error.message : String(error);
  const code = /AADSTS(\d+)/.exec(text)?.[1];
  const known = code === undefined ? undefined : AUTHENTICATION_FAILURES[code];
  if (known !== undefined) return new GraphAuthenticationError(known.reason, code, `Sign-in to Microsoft Entra failed (AADSTS${code}): ${known.advice}.`);
  if (code === undefined && UNREACHABLE.test(text)) {
    return new GraphAuthenticationError('loginUnreachable', undefined, 'The Microsoft Entra login service could not be reached: check the cloud setting and the network, then try again.');
  }
  const suffix = code === undefined ? '' : ` (AADSTS${code})`;
  return new GraphAuthenticationError('other', code, `Sign-in to Microsoft Entra failed${suffix}: check the tenant id, client id, client secret and cloud.`);
}

/** Codes with which Graph says a delta token can no longer be used. */
const RESYNC_CODES = new Set(['syncStateNotFound', 'syncStateInvalid', 'resyncRequired']);

interface GraphErrorBody {
  error?: { code?: unknown; message?: unknown; innerError?: Record<string, unknown> };
}

function stringOr(value: unknown, fallback: string | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : fallback;
}

function parseBody(bodyText: string): GraphErrorBody {
  try {
    const parsed: unknown = JSON.parse(bodyText);
    return parsed !== null && typeof parsed === 'object' ? parsed : {};
  } catch {
    return {};
  }
}

/** The typed error for a non-2xx Graph response whose body has been read as text. */
export function graphErrorFromResponse(response: Response, bodyText: string, method: string, url: string): GraphRequestError {
  const { error } = parseBody(bodyText);
  const inner = error?.innerError ?? {};
  const details: GraphErrorDetails = {
    status: response.status,
    code: stringOr(error?.code, response.statusText || `HTTP${response.status}`) ?? '',
    graphMessage: (stringOr(error?.message, '(no message)') ?? '').slice(0, 500),
    requestId: stringOr(inner['request-id'], response.headers.get('request-id') ?? undefined),
    clientRequestId: stringOr(inner['client-request-id'], response.headers.get('client-request-id') ?? undefined),
    method,
    path: new URL(url).pathname,
  };
  if (details.status === 410 || RESYNC_CODES.has(details.code)) return new GraphResyncNeededError(details);
  if (details.status === 403 && details.code === 'Authorization_RequestDenied') return new GraphPermissionError(details);
  return new GraphRequestError(details);
}
