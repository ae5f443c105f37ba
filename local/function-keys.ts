// Function-key authorization as Azure applies it before invoking an HTTP function: 'anonymous' is
// open; 'function' and 'admin' need the key in the `x-functions-key` header or the `code` query
// parameter. The local host has a single key, which serves as both function and master key.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AuthLevel } from './functions-core.js';

export const FUNCTIONS_KEY_HEADER = 'x-functions-key';
export const FUNCTIONS_KEY_QUERY = 'code';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Constant-time comparison (hashing first hides the length of the expected key). */
export function keysEqual(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected)) && expected !== '';
}

export interface PresentedKeys {
  readonly header: string | undefined;
  readonly query: string | null;
}

export function isAuthorized(authLevel: AuthLevel, presented: PresentedKeys, functionsKey: string): boolean {
  if (authLevel === 'anonymous') return true;
  // As in Azure, a key header (even a wrong one) takes precedence over `?code=`.
  const key = presented.header ?? presented.query;
  return typeof key === 'string' && keysEqual(key, functionsKey);
}
