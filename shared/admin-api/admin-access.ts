// Who may call the admin API: whoever presents a function key the Functions host accepts (automation, and the page
// where sign-in is not set up), or a principal signed in through App Service built-in authentication that holds the
// app role ContentManager.Admin. The principal header is read only while the platform says built-in authentication is
// on (WEBSITE_AUTH_ENABLED); elsewhere anyone could send one, and a forged header grants nothing. A signed-in browser
// carries its session cookie to any site's request, so a state-changing call by a principal must also come from the
// page itself: the page's own header (a cross-site page cannot send one without a CORS preflight, which this app never
// grants) and, when the browser says, the same origin.
import type { HttpRequest } from '@azure/functions';
import type { Settings } from '../config.js';
import { AdminError } from './admin-error.js';
import { CLIENT_PRINCIPAL_HEADER, type ClientPrincipal, parseClientPrincipal } from './client-principal.js';
import { type FunctionKeyCheck, hostFunctionKeyCheck } from './function-key-check.js';

export const ADMIN_APP_ROLE = 'ContentManager.Admin';
/** Sent by the admin page on every call (web/admin/src/api.ts); required of a principal's state-changing calls. */
export const ADMIN_REQUEST_HEADER = 'x-admin-request';
export const ADMIN_REQUEST_HEADER_VALUE = '1';
export const FUNCTION_KEY_HEADER = 'x-functions-key';
export const FUNCTION_KEY_QUERY = 'code';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export type AdminCaller = { readonly kind: 'functionKey' } | { readonly kind: 'principal'; readonly principal: ClientPrincipal };

export interface AdminAccessOptions {
  /** Whether App Service built-in authentication is on, so that the principal header comes from the platform. */
  readonly builtInAuthentication: boolean;
  /** The app registration of sign-in, when known: a principal's `aud` claim, when it has one, must name it. */
  readonly clientId: string | undefined;
  readonly checkFunctionKey: FunctionKeyCheck;
}

let optionsOverride: Partial<AdminAccessOptions> | undefined;

/** Tests: replace parts of what the settings say (built-in authentication on or off); undefined restores them. */
export function useAdminAccessOptions(options: Partial<AdminAccessOptions> | undefined): void {
  optionsOverride = options;
}

/** The access options the app settings give (built once per process, with the services: services.ts). */
export function adminAccessFromSettings(config: Pick<Settings, 'WEBSITE_AUTH_ENABLED' | 'ADMIN_AUTH_CLIENT_ID' | 'WEBSITE_HOSTNAME'>): AdminAccessOptions {
  return {
    builtInAuthentication: config.WEBSITE_AUTH_ENABLED,
    clientId: config.ADMIN_AUTH_CLIENT_ID,
    checkFunctionKey: hostFunctionKeyCheck({ websiteHostname: () => config.WEBSITE_HOSTNAME }),
  };
}

/** The options in force: the settings' own, with what a test replaced. */
export function effectiveAdminAccess(fromSettings: AdminAccessOptions): AdminAccessOptions {
  return optionsOverride === undefined ? fromSettings : { ...fromSettings, ...optionsOverride };
}

/** The key the request presents: the header first (even an empty or wrong one), as the Functions host reads it. */
function presentedKey(request: HttpRequest): string | undefined {
  const key = request.headers.get(FUNCTION_KEY_HEADER) ?? new URL(request.url).searchParams.get(FUNCTION_KEY_QUERY);
  return key === null || key === '' ? undefined : key;
}

/** The signed-in principal, only where the platform vouches for the header. */
export function trustedPrincipal(request: HttpRequest, options: AdminAccessOptions): ClientPrincipal | undefined {
  if (!options.builtInAuthentication) return undefined;
  const principal = parseClientPrincipal(request.headers.get(CLIENT_PRINCIPAL_HEADER));
  if (principal === undefined || options.clientId === undefined || principal.audiences.length === 0) return principal;
  const audiences = [options.clientId, `api://${options.clientId}`].map((audience) => audience.toLowerCase());
  return principal.audiences.some((audience) => audiences.includes(audience.toLowerCase())) ? principal : undefined;
}

export const hasAdminRole = (principal: ClientPrincipal): boolean => principal.roles.includes(ADMIN_APP_ROLE);

/** Refuses a principal's state-changing call that does not come from the admin page of this origin. */
function refuseCrossSiteWrite(request: HttpRequest): void {
  if (SAFE_METHODS.has(request.method.toUpperCase())) return;
  const fetchSite = request.headers.get('sec-fetch-site');
  const origin = request.headers.get('origin');
  const fromPage = request.headers.get(ADMIN_REQUEST_HEADER) === ADMIN_REQUEST_HEADER_VALUE;
  if (fromPage && (fetchSite === null || fetchSite === 'same-origin') && (origin === null || origin === new URL(request.url).origin)) return;
  throw new AdminError(
    403,
    'crossSiteRequestRefused',
    `A signed-in call that changes something must come from the admin page of this app (the ${ADMIN_REQUEST_HEADER} header, from the same origin). Automation uses the function key.`,
  );
}

/** Who is calling, or the 401/403 AdminError that refuses the request. */
export async function authorizeAdminRequest(request: HttpRequest, options: AdminAccessOptions): Promise<AdminCaller> {
  const key = presentedKey(request);
  if (key !== undefined) {
    if (await options.checkFunctionKey(key, request.url)) return { kind: 'functionKey' };
    throw new AdminError(401, 'invalidFunctionKey', 'The function key was refused: it is not a key of this Function App.');
  }
  const principal = trustedPrincipal(request, options);
  if (principal === undefined) {
    const signIn = options.builtInAuthentication ? 'or sign in to the admin page with Microsoft Entra ID' : '(sign-in with Microsoft Entra ID is not set up on this Function App)';
    throw new AdminError(401, 'unauthenticated', `The admin API needs the function key (the ${FUNCTION_KEY_HEADER} header or ?${FUNCTION_KEY_QUERY}=) ${signIn}.`);
  }
  if (!hasAdminRole(principal)) {
    throw new AdminError(
      403,
      'missingAppRole',
      `The signed-in account does not hold the app role ${ADMIN_APP_ROLE}. An owner of the app registration assigns it in Microsoft Entra ID (Enterprise applications, Users and groups); then sign in again.`,
    );
  }
  refuseCrossSiteWrite(request);
  return { kind: 'principal', principal };
}
