// Whether a function key is one the Functions host accepts. The admin routes are `authLevel: 'anonymous'` (a
// signed-in admin has no key, and the host would refuse a `function` route to a principal), so the code checks the key
// itself: the keys live with the host, and the only one who can tell is the host. The check asks it, calling the
// app's own `admin/key-check` route (`authLevel: 'function'`, functions/admin-key-check.ts) with the key: 204 is yes,
// 401 is no. A yes is remembered for KEY_CHECK_CACHE_MS by the key's hash, so a burst of calls costs one check; a
// revoked key stops working within that time (docs/deploying-to-azure.md, "Admin sign-in").
import { createHash } from 'node:crypto';
import { AdminError } from './admin-error.js';

/** The host's route prefix (host.json `extensions.http.routePrefix`) and the key-check route under it. */
export const KEY_CHECK_PATH = '/api/admin/key-check';
export const KEY_CHECK_CACHE_MS = 60_000;
export const KEY_CHECK_TIMEOUT_MS = 10_000;
/** Keys remembered at once; the oldest goes first. */
const MAX_REMEMBERED_KEYS = 100;
/** Host names a development host answers on: there the app checks keys with its own origin, over HTTP. */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export type FunctionKeyCheck = (key: string, requestUrl: string) => Promise<boolean>;

/**
 * Where to check keys: the app's own host name as the platform names it (WEBSITE_HOSTNAME, in Azure and under Core
 * Tools), never the Host header a caller chose; without it (the local host), the request's origin, when loopback.
 */
export function keyCheckUrl(websiteHostname: string | undefined, requestUrl: string): string {
  if (websiteHostname !== undefined && websiteHostname !== '') {
    const hostname = websiteHostname.replace(/:\d+$/, '');
    return `${LOOPBACK_HOSTS.has(hostname) ? 'http' : 'https'}://${websiteHostname}${KEY_CHECK_PATH}`;
  }
  const origin = new URL(requestUrl);
  if (!LOOPBACK_HOSTS.has(origin.hostname)) {
    throw new AdminError(503, 'functionKeyCheckUnavailable', 'The function key cannot be checked: WEBSITE_HOSTNAME is not set on this host.');
  }
  return `${origin.origin}${KEY_CHECK_PATH}`;
}

export interface HostFunctionKeyCheckOptions {
  readonly websiteHostname: () => string | undefined;
  readonly now?: () => number;
  readonly fetch?: typeof fetch;
}

export function hostFunctionKeyCheck(options: HostFunctionKeyCheckOptions): FunctionKeyCheck {
  const now = options.now ?? Date.now;
  const send = options.fetch ?? fetch;
  const accepted = new Map<string, number>();
  return async (key, requestUrl) => {
    const url = keyCheckUrl(options.websiteHostname(), requestUrl);
    const id = createHash('sha256').update(`${url}\n${key}`).digest('base64url');
    const until = accepted.get(id);
    if (until !== undefined && until > now()) return true;
    accepted.delete(id);
    let status: number;
    try {
      const response = await send(url, { headers: { 'x-functions-key': key }, redirect: 'manual', signal: AbortSignal.timeout(KEY_CHECK_TIMEOUT_MS) });
      await response.body?.cancel();
      status = response.status;
    } catch {
      throw new AdminError(503, 'functionKeyCheckUnavailable', 'The function key could not be checked with the Functions host; try again.');
    }
    if (status === 401 || status === 403) return false;
    if (status < 200 || status >= 300) throw new AdminError(503, 'functionKeyCheckUnavailable', `The Functions host answered the function key check with HTTP ${status}; try again.`);
    if (accepted.size >= MAX_REMEMBERED_KEYS) accepted.delete(accepted.keys().next().value ?? '');
    accepted.set(id, now() + KEY_CHECK_CACHE_MS);
    return true;
  };
}
