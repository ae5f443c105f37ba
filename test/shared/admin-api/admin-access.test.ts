// The pieces of admin authorization: reading X-MS-CLIENT-PRINCIPAL, where function keys are checked, and the check
// itself against a real local host (its admin/key-check route), remembered for a while by the key's hash.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminAccessFromSettings } from '../../../shared/admin-api/admin-access.js';
import { encodeClientPrincipal, MAX_CLIENT_PRINCIPAL_BYTES, parseClientPrincipal } from '../../../shared/admin-api/client-principal.js';
import { hostFunctionKeyCheck, KEY_CHECK_CACHE_MS, keyCheckUrl } from '../../../shared/admin-api/function-key-check.js';
import { parseSettings } from '../../../shared/config.js';
import { startTestHost, TEST_FUNCTIONS_KEY, type TestHost } from '../../support/test-host.js';

describe('parseClientPrincipal', () => {
  it('reads the name, the app roles and the audience of the platform\'s header', () => {
    const header = Buffer.from(
      JSON.stringify({
        auth_typ: 'aad',
        claims: [
          { typ: 'aud', val: 'client-id' },
          { typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn', val: 'ada@contoso.example' },
          { typ: 'roles', val: 'ContentManager.Admin' },
          { typ: 'roles', val: 'Other' },
        ],
        name_typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn',
        role_typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
      }),
    ).toString('base64');
    expect(parseClientPrincipal(header)).toEqual({ name: 'ada@contoso.example', roles: ['ContentManager.Admin', 'Other'], audiences: ['client-id'] });
  });

  it('reads roles under the role_typ the principal names', () => {
    const header = Buffer.from(JSON.stringify({ claims: [{ typ: 'custom-role', val: 'ContentManager.Admin' }], role_typ: 'custom-role' })).toString('base64');
    expect(parseClientPrincipal(header)?.roles).toEqual(['ContentManager.Admin']);
  });

  it.each([
    ['no header', null],
    ['an empty header', ''],
    ['not base64 JSON', 'not a principal'],
    ['JSON without claims', Buffer.from('{"auth_typ":"aad"}').toString('base64')],
    ['claims of the wrong shape', Buffer.from('{"claims":[{"typ":1}]}').toString('base64')],
    ['a header larger than any principal', encodeClientPrincipal({ roles: 'x'.repeat(MAX_CLIENT_PRINCIPAL_BYTES) })],
  ])('is nobody for %s', (_what, header) => {
    expect(parseClientPrincipal(header)).toBeUndefined();
  });
});

describe('keyCheckUrl', () => {
  it('checks keys at the platform\'s host name, never at the Host a caller sent', () => {
    expect(keyCheckUrl('func-scim-abc.azurewebsites.net', 'https://attacker.example/api/admin/users')).toBe('https://func-scim-abc.azurewebsites.net/api/admin/key-check');
    expect(keyCheckUrl('localhost:7071', 'http://localhost:7071/api/admin/users')).toBe('http://localhost:7071/api/admin/key-check');
  });

  it('without it, uses the request\'s own origin only when that is loopback (the local host)', () => {
    expect(keyCheckUrl(undefined, 'http://127.0.0.1:7071/api/admin/users')).toBe('http://127.0.0.1:7071/api/admin/key-check');
    expect(() => keyCheckUrl(undefined, 'https://attacker.example/api/admin/users')).toThrow(/WEBSITE_HOSTNAME/);
  });
});

describe('hostFunctionKeyCheck against the local host', () => {
  let host: TestHost;
  const lines: string[] = [];
  let now = 0;
  const checks = (): number => lines.filter((line) => line.startsWith('GET /api/admin/key-check ')).length;

  beforeAll(async () => {
    host = await startTestHost({ log: (line) => lines.push(line) });
  });
  afterAll(() => host.close());

  it('says yes to the host\'s key and no to another, asks again for a refused key, and remembers an accepted one for a while', async () => {
    const check = hostFunctionKeyCheck({ websiteHostname: () => undefined, now: () => now });
    const requestUrl = `${host.url}/api/admin/users`;
    expect(await check('wrong', requestUrl)).toBe(false);
    expect(await check('wrong', requestUrl)).toBe(false);
    expect(checks()).toBe(2);
    expect(await check(TEST_FUNCTIONS_KEY, requestUrl)).toBe(true);
    expect(await check(TEST_FUNCTIONS_KEY, requestUrl)).toBe(true);
    expect(checks()).toBe(3);
    now += KEY_CHECK_CACHE_MS + 1;
    expect(await check(TEST_FUNCTIONS_KEY, requestUrl)).toBe(true);
    expect(checks()).toBe(4);
  });

  it('answers 503 when the host cannot be asked', async () => {
    const check = hostFunctionKeyCheck({ websiteHostname: () => '127.0.0.1:1' });
    await expect(check(TEST_FUNCTIONS_KEY, `${host.url}/api/admin/users`)).rejects.toMatchObject({ status: 503, code: 'functionKeyCheckUnavailable' });
  });
});

describe('adminAccessFromSettings', () => {
  it('takes built-in authentication and the sign-in client id from the settings object it is given, not from the environment', () => {
    const clientId = '00000000-0000-4000-8000-000000000002';
    const before = process.env.WEBSITE_AUTH_ENABLED;
    delete process.env.WEBSITE_AUTH_ENABLED;
    try {
      const options = adminAccessFromSettings(parseSettings({ AzureWebJobsStorage: 'UseDevelopmentStorage=true', WEBSITE_AUTH_ENABLED: 'True', ADMIN_AUTH_CLIENT_ID: clientId }));
      expect({ builtIn: options.builtInAuthentication, clientId: options.clientId }).toEqual({ builtIn: true, clientId });
      expect(adminAccessFromSettings(parseSettings({ AzureWebJobsStorage: 'UseDevelopmentStorage=true' })).builtInAuthentication).toBe(false);
    } finally {
      if (before !== undefined) process.env.WEBSITE_AUTH_ENABLED = before;
    }
  });
});
