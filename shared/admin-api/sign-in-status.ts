// What the admin page asks before anything else (GET admin/sign-in, anonymous): whether sign-in with Microsoft Entra
// ID is on, who is signed in and whether they hold the admin role, and where to sign in or out. It answers nothing
// else, so it needs no key: the page uses it to choose between signing in and asking for the function key.
import type { HttpHandler, HttpRequest, HttpResponseInit } from '@azure/functions';
import { logFault, logRequestOutcome, startRequestTimer } from '../observability/request-log.js';
import { services } from '../services.js';
import { ADMIN_APP_ROLE, type AdminAccessOptions, effectiveAdminAccess, hasAdminRole, trustedPrincipal } from './admin-access.js';
import { json } from './admin-http.js';

/** The page, relative to this route (`…/admin/sign-in` → `…/admin/page/`). */
const PAGE_PATH = 'page/';
/** Where the README says how to set sign-in up. */
export const SIGN_IN_SET_UP = 'Sign-in with Microsoft Entra ID is not set up on this Function App: README "Administering" says how (azd env set ADMIN_AUTH_CLIENT_ID <app registration client id>, then azd provision). Until then the admin API takes the function key.';

export type SignInStatus =
  | { builtInAuthentication: false; setUp: string }
  | { builtInAuthentication: true; signedIn: false; loginUrl: string }
  | { builtInAuthentication: true; signedIn: true; name: string | null; hasAdminRole: boolean; appRole: string; logoutUrl: string };

export function signInStatus(request: HttpRequest, options: AdminAccessOptions): SignInStatus {
  if (!options.builtInAuthentication) return { builtInAuthentication: false, setUp: SIGN_IN_SET_UP };
  const page = new URL(PAGE_PATH, request.url).pathname;
  const principal = trustedPrincipal(request, options);
  if (principal === undefined) return { builtInAuthentication: true, signedIn: false, loginUrl: `/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent(page)}` };
  return {
    builtInAuthentication: true,
    signedIn: true,
    name: principal.name ?? null,
    hasAdminRole: hasAdminRole(principal),
    appRole: ADMIN_APP_ROLE,
    logoutUrl: `/.auth/logout?post_logout_redirect_uri=${encodeURIComponent(page)}`,
  };
}

export const signInStatusEndpoint: HttpHandler = async (request, context): Promise<HttpResponseInit> => {
  const elapsed = startRequestTimer();
  try {
    const response = json(200, signInStatus(request, effectiveAdminAccess((await services()).adminAccess)));
    logRequestOutcome(context, { operation: 'admin.signIn.get', status: 200, durationMs: elapsed() });
    return response;
  } catch (error) {
    const correlationId = logFault(context, 'admin', error);
    logRequestOutcome(context, { operation: 'admin.signIn.get', status: 500, durationMs: elapsed(), correlationId });
    return json(500, { error: { code: 'internal', message: `An unexpected error occurred. Correlation id: ${correlationId}` } });
  }
};
