import { describe, expect, it } from 'vitest';
import { maskSecrets } from '../../../shared/observability/mask-secrets.js';

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
