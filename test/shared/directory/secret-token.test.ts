// Integration secret tokens (pure): generation, hashing, constant-time comparison.
import * as crypto from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { generateSecretToken, hashSecretToken, secretTokenMatches } from '../../../shared/directory/secret-token.js';

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof crypto>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

describe('generateSecretToken', () => {
  it('makes 384-bit base64url tokens that do not repeat', () => {
    const tokens = Array.from({ length: 200 }, () => generateSecretToken());
    for (const token of tokens) {
      expect(token).toMatch(/^[A-Za-z0-9_-]{64}$/);
      expect(Buffer.from(token, 'base64url')).toHaveLength(48);
    }
    expect(new Set(tokens).size).toBe(tokens.length);
  });
});

describe('hashSecretToken', () => {
  it('is a prefixed SHA-256 of the UTF-8 token', () => {
    expect(hashSecretToken('abc')).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashSecretToken('')).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(hashSecretToken('é')).toBe(`sha256:${crypto.createHash('sha256').update(Buffer.from('c3a9', 'hex')).digest('hex')}`);
  });

  it('never contains the token', () => {
    const token = generateSecretToken();
    expect(hashSecretToken(token)).not.toContain(token);
  });
});

describe('secretTokenMatches', () => {
  it('accepts the token whose hash is stored and refuses any other', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (token, other) => {
        const stored = hashSecretToken(token);
        expect(secretTokenMatches(token, stored)).toBe(true);
        expect(secretTokenMatches(other, stored)).toBe(other === token);
      }),
    );
  });

  it('refuses near misses: case, whitespace, truncation, the hash itself', () => {
    const token = generateSecretToken();
    const stored = hashSecretToken(token);
    for (const wrong of [token.toUpperCase(), ` ${token}`, `${token}\n`, token.slice(0, -1), stored, '']) {
      if (wrong !== token) expect(secretTokenMatches(wrong, stored)).toBe(false);
    }
  });

  it('refuses a malformed stored hash without throwing', () => {
    expect(secretTokenMatches('x', '')).toBe(false);
    expect(secretTokenMatches('x', 'sha256:short')).toBe(false);
    expect(secretTokenMatches('x', hashSecretToken('x').replace('sha256:', 'md5:::'))).toBe(false);
  });

  it('compares in constant time (timingSafeEqual on equal-length digests)', () => {
    const spy = vi.mocked(crypto.timingSafeEqual);
    spy.mockClear();
    const token = generateSecretToken();
    expect(secretTokenMatches('wrong', hashSecretToken(token))).toBe(false);
    expect(secretTokenMatches(token, hashSecretToken(token))).toBe(true);
    expect(spy).toHaveBeenCalledTimes(2);
    for (const [a, b] of spy.mock.calls) expect((a as Buffer).length).toBe((b as Buffer).length);
  });
});
