// Calls to the admin API (…/api/admin/…, one level above the page's own folder) with the function key when the tab
// holds one (else the sign-in session's cookie goes along), always with the page's own header that the API requires of
// a signed-in browser's state-changing calls (it refuses them from other sites), and the readable error every failed
// call becomes: the API's own message when it sent one, else the status and the start of the body, as plain text.
import { storedFunctionKey } from './function-key.js';

/** Longest stretch of a non-JSON error body shown to the reader. */
const MAX_ERROR_TEXT = 300;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** The API is `../` from the page: `/api/admin/page/` → `/api/admin/`, whatever the host's route prefix. */
const apiBase = (): URL => new URL('../', document.baseURI);

/** The admin API's `x-admin-request` (shared/admin-api/admin-access.ts): this call comes from the page itself. */
const PAGE_HEADER = { 'x-admin-request': '1' };

/** Where the page asks whether to sign in (sign-in.ts). */
export const signInStatusUrl = (): URL => new URL('sign-in', apiBase());

function describe(status: number, body: string): ApiError {
  if (status === 401) return new ApiError(401, 'The function key was refused (HTTP 401). Enter the key again.', 'unauthorized');
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
    const { code, message } = parsed.error ?? {};
    if (typeof message === 'string') return new ApiError(status, `${message} (HTTP ${status}${typeof code === 'string' ? `, ${code}` : ''})`, typeof code === 'string' ? code : undefined);
  } catch {
    // Not JSON: shown as text below.
  }
  const excerpt = body.trim().slice(0, MAX_ERROR_TEXT);
  return new ApiError(status, excerpt === '' ? `The request failed (HTTP ${status}).` : `The request failed (HTTP ${status}): ${excerpt}`);
}

export interface AdminApi {
  get<T>(path: string): Promise<T>;
  send<T>(method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T>;
}

/** `onUnauthorized` runs on a 401 (the key is wrong or was rotated) before the error reaches the caller. */
export function adminApi(onUnauthorized: () => void): AdminApi {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const key = storedFunctionKey();
    const headers: Record<string, string> = { accept: 'application/json', ...PAGE_HEADER, ...(key === undefined ? {} : { 'x-functions-key': key }) };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(new URL(path.replace(/^\//, ''), apiBase()), { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    } catch {
      throw new ApiError(0, 'The admin API could not be reached. Check the connection and try again.');
    }
    const text = await response.text();
    if (!response.ok) {
      if (response.status === 401) onUnauthorized();
      throw describe(response.status, text);
    }
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }
  return {
    get: (path) => call('GET', path),
    send: (method, path, body) => call(method, path, body),
  };
}

/** One path segment, encoded. */
export const segment = (value: string): string => encodeURIComponent(value);
