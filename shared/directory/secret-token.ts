// Integration secret tokens: long random bearer tokens. Tables keep only a SHA-256 of the token (it has 384 bits of
// entropy, so a plain hash cannot be brute-forced); comparison is constant-time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const TOKEN_BYTES = 48;
const HASH_PREFIX = 'sha256:';

export function generateSecretToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

export function hashSecretToken(token: string): string {
  return HASH_PREFIX + createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time check of a presented token against a stored hash. */
export function secretTokenMatches(presented: string, storedHash: string): boolean {
  const expected = Buffer.from(storedHash, 'utf8');
  const actual = Buffer.from(hashSecretToken(presented), 'utf8');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
