// Continuation tokens of the admin lists that page by position in our own order (groups across sources, audiences)
// rather than by a storage token: base64url of a small JSON object, checked against its schema when it comes back, so
// a garbled or forged token is the caller's 400 (invalidContinuationToken), never a 500.
import { z } from 'zod';
import { AdminError } from './admin-http.js';
import { MAX_CONTINUATION_TOKEN_LENGTH } from './continuation-token.js';

export function encodePositionToken(position: object): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

export function decodePositionToken<T>(token: string | null | undefined, schema: z.ZodType<T>): T | undefined {
  if (token === null || token === undefined || token === '') return undefined;
  const invalid = new AdminError(400, 'invalidContinuationToken', 'continuationToken is not a token this API handed out; start again without it');
  if (token.length > MAX_CONTINUATION_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) throw invalid;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  const result = schema.safeParse(decoded);
  if (!result.success) throw invalid;
  return result.data;
}

/** An id as our ids are spelled (hex, or the letters, digits and dashes of GUIDs). */
export const idSchema = z.string().regex(/^[A-Za-z0-9-]{1,128}$/, 'not an id');
