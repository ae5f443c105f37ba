import { describe, expect, it } from 'vitest';
import { maskedExcerpt, MASKING_RULES, maskSecrets } from '../../../shared/observability/mask-secrets.js';

const jwt =
  'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwiYXVkIjoic2NpbSJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';
const accountKey = 'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFla+/0123456789abcdefghijk==';

describe('maskSecrets', () => {
  it.each([
    ['a bearer token', `Authorization: Bearer ${jwt}`, jwt],
    ['a JWT on its own', `token ${jwt} rejected`, jwt],
    ['a basic credential', 'Authorization: Basic dXNlcjpwYXNzd29yZA==', 'dXNlcjpwYXNzd29yZA=='],
    ['a header in JSON', '{"authorization":"SharedKey acct:c2lnbmF0dXJl"}', 'c2lnbmF0dXJl'],
    ['a secret token in JSON', '{"secretToken":"s3cr3t-Value_1","id":"i1"}', 's3cr3t-Value_1'],
    ['a client secret in JSON', '{ "clientSecret" : "abc.DEF~123" }', 'abc.DEF~123'],
    ['an account key', `AccountName=st1;AccountKey=${accountKey};EndpointSuffix=core.windows.net`, accountKey],
    ['a SAS signature', 'https://st1.blob.core.windows.net/c/b?sv=2024&sig=AbC%2Bdef%3D&se=1', 'AbC%2Bdef%3D'],
    ['a function key in a query', 'POST /api/admin/integrations?code=k3y-V4lue_xyz', 'k3y-V4lue_xyz'],
    ['a client secret in a form', 'grant_type=client_credentials&client_secret=Zx8~abc.def', 'Zx8~abc.def'],
    ['a bare random key', `key rotated to ${'Ab3'.repeat(12)}`, 'Ab3'.repeat(12)],
  ])('masks %s', (_what, text, secret) => {
    const masked = maskSecrets(text);
    expect(masked).not.toContain(secret);
    expect(masked).toContain('***');
  });

  it('masks the person of an e-mail address or UPN and keeps the domain', () => {
    expect(maskSecrets('userName adele.vance@contoso.onmicrosoft.com already exists')).toBe(
      'userName ***@contoso.onmicrosoft.com already exists',
    );
  });

  it('leaves ordinary text, ids and paths alone', () => {
    const text =
      'PATCH /api/scim/Users/0f8fad5b-d9cb-469f-a165-70867728950e failed: invalidPath at operation 2, status 400';
    expect(maskSecrets(text)).toBe(text);
    expect(maskSecrets('Basic authentication is disabled')).toBe('Basic authentication is disabled');
  });
});

// Each input is 1 MB aimed at one rule's repetition (a long run that the rule could try from every position). The
// patterns before this change took about 0.8 s on 40 KB of such input and grew with its square (over 8 minutes for
// 1 MB, far past the test timeout); now each is one pass. The outputs are checked exactly.
const MEGABYTE = 1_000_000;
describe('maskSecrets on adversarial input', () => {
  const unchanged: [string, string][] = [
    ['a long word run (e-mail, opaque key)', 'a'.repeat(MEGABYTE)],
    ['a long dotted run (e-mail local part)', 'a.'.repeat(MEGABYTE / 2)],
    ['at signs without a domain dot', 'a@'.repeat(MEGABYTE / 2)],
    ['one at sign before a long dotless domain', `a@${'b'.repeat(MEGABYTE)}`],
    ['an authorization header name before a long blank', `authorization:${' '.repeat(MEGABYTE)};`],
    ['bearer before a long blank', `bearer${' '.repeat(MEGABYTE)}"`],
    ['basic before a long run with no digit', `basic ${'a'.repeat(MEGABYTE)}`],
    ['an unclosed JSON name full of credential words', `"${'token'.repeat(MEGABYTE / 5)}`],
    ['a secret name before a long blank', `code${' '.repeat(MEGABYTE)};`],
    ['many runs one short of an opaque key', `${'a'.repeat(31)} `.repeat(MEGABYTE / 32)],
  ];
  it.each(unchanged)('leaves %s unchanged, in one pass', (_what, text) => {
    expect(maskSecrets(text) === text).toBe(true);
  });

  it('masks a long hyphenated JWT-like run as one token', () => {
    expect(maskSecrets(`x ${'eyJ-'.repeat(MEGABYTE / 4)} y`)).toBe('x *** y');
  });

  it('masks a JSON secret whose string runs to the end of a long text', () => {
    expect(maskSecrets(`"token":"${'x'.repeat(MEGABYTE)}`)).toBe('"token":"***"');
  });

  it('names every rule it applies, so that the inputs above cover each', () => {
    expect(MASKING_RULES.map((rule) => rule.name)).toEqual(['jwt', 'authorization', 'bearer', 'basic', 'json-member', 'name-value', 'e-mail']);
  });
});

describe('maskedExcerpt: cut first, then mask', () => {
  const pieces = (secret: string, size: number): string[] =>
    Array.from({ length: secret.length - size + 1 }, (_, at) => secret.slice(at, at + size));

  it.each([
    ['a UPN', 'userName adele.vance@contoso.onmicrosoft.com already exists', 'adele.vance'],
    ['a JWT', `rejected ${jwt} at the edge`, jwt.slice(jwt.indexOf('.'))],
    ['a JSON secret with spaces', '{"id":"i1","password":"correct horse battery staple","x":1}', 'correct horse battery staple'],
    ['an account key', `AccountName=st1;AccountKey=${accountKey};EndpointSuffix=core.windows.net`, accountKey],
  ])('never shows a piece of %s, wherever the cut falls', (_what, text, secret) => {
    for (let maxLength = 1; maxLength <= text.length + 1; maxLength++) {
      const excerpt = maskedExcerpt(text, maxLength);
      expect(excerpt.length).toBeLessThanOrEqual(maxLength);
      for (const piece of pieces(secret, 4)) expect(excerpt, `cut at ${maxLength}`).not.toContain(piece);
    }
  });

  it('marks a cut text with an ellipsis and keeps a short one whole', () => {
    expect(maskedExcerpt('status 400 for adele@contoso.com', 100)).toBe('status 400 for ***@contoso.com');
    expect(maskedExcerpt('status 400 for adele@contoso.com', 12)).toBe('status 400 …');
  });

  it('masks only the excerpt of a megabyte of adversarial text', () => {
    expect(maskedExcerpt('a'.repeat(MEGABYTE), 300)).toBe('…');
    expect(maskedExcerpt(`${'word '.repeat(MEGABYTE / 5)}`, 20)).toBe('word word word word…');
  });
});
