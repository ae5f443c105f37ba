// The bearer token of a SCIM request's Authorization header (RFC 6750: the scheme in any case, one token, no more).
import { describe, expect, it } from 'vitest';
import { bearerToken } from '../../../shared/scim-api/authenticate.js';

describe('bearerToken', () => {
  it.each<[string | null | undefined, string | undefined]>([
    ['Bearer abc.DEF-_=', 'abc.DEF-_='],
    ['bearer abc', 'abc'],
    ['BEARER   abc  ', 'abc'],
    ['  Bearer\tabc', 'abc'],
    [null, undefined],
    [undefined, undefined],
    ['', undefined],
    ['Bearer', undefined],
    ['Bearer ', undefined],
    ['Basic dXNlcjpwYXNz', undefined],
    ['Bearer a b', undefined],
    ['abc', undefined],
    ['Bearerabc', undefined],
  ])('%j gives %j', (header, expected) => {
    expect(bearerToken(header)).toBe(expected);
  });
});
