// The body of POST …/.search (RFC 7644 §3.4.3) read into the same list parameters a GET query gives.
import { describe, expect, it } from 'vitest';
import { parseSearchRequest, SEARCH_REQUEST_SCHEMA } from '../../../shared/scim-api/search-api.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../../shared/scim-api/scim-http.js';
import { scimErrorOf } from '../scim/scim-test-helpers.js';

describe('parseSearchRequest', () => {
  it('reads filter, attributes, excludedAttributes, startIndex and count', () => {
    const parameters = parseSearchRequest({
      schemas: [SEARCH_REQUEST_SCHEMA],
      filter: 'userName eq "ada@contoso.com"',
      attributes: ['userName', 'emails[type eq "work"].value'],
      excludedAttributes: ['name'],
      startIndex: 2,
      count: 5,
      sortBy: 'userName',
    });
    expect(parameters).toMatchObject({ startIndex: 2, count: 5, attributes: ['userName', 'emails[type eq "work"].value'], excludedAttributes: ['name'] });
    expect(parameters.filter).toMatchObject({ kind: 'compare', op: 'eq', value: 'ada@contoso.com' });
  });

  it('applies the GET defaults and bounds, and member names in any case', () => {
    expect(parseSearchRequest({})).toEqual({ startIndex: 1, count: DEFAULT_PAGE_SIZE });
    expect(parseSearchRequest({ StartIndex: -4, COUNT: 10_000 })).toEqual({ startIndex: 1, count: MAX_PAGE_SIZE });
    expect(parseSearchRequest({ count: '3', attributes: 'userName, displayName' })).toEqual({ startIndex: 1, count: 3, attributes: ['userName', 'displayName'] });
  });

  it.each([
    ['a body that is not an object', [], 'invalidSyntax'],
    ['a filter that is not a string', { filter: 5 }, 'invalidFilter'],
    ['a filter that does not parse', { filter: 'userName eq' }, 'invalidFilter'],
    ['attributes that are not names', { attributes: [1] }, 'invalidValue'],
    ['a count that is not a number', { count: 'many' }, 'invalidValue'],
  ])('refuses %s with 400 %s', (_what, body, scimType) => {
    const error = scimErrorOf(() => parseSearchRequest(body));
    expect([error.status, error.scimType]).toEqual([400, scimType]);
  });
});
