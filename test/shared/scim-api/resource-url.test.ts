// Resource URLs (Location, meta.location, $ref) are written for any id, including a manager id a client sent.
import { describe, expect, it } from 'vitest';
import { resourceUrl } from '../../../shared/scim-api/scim-http.js';

describe('resourceUrl', () => {
  it('percent-encodes the id as one path segment', () => {
    expect(resourceUrl('https://h/api/scim/i1', 'Users', 'a b/c?d#e')).toBe('https://h/api/scim/i1/Users/a%20b%2Fc%3Fd%23e');
    expect(resourceUrl('https://h/api/scim/i1', 'Groups', 'ÜNÏ😀')).toBe(`https://h/api/scim/i1/Groups/${encodeURIComponent('ÜNÏ😀')}`);
  });

  it('writes an unpaired surrogate as U+FFFD instead of throwing', () => {
    expect(() => encodeURIComponent('\uD883?y')).toThrow(URIError);
    expect(resourceUrl('https://h', 'Users', '\uD883?y')).toBe(`https://h/Users/${encodeURIComponent('\uFFFD?y')}`);
    expect(resourceUrl('https://h', 'Users', 'x\uDC00')).toBe(`https://h/Users/x${encodeURIComponent('\uFFFD')}`);
  });
});
