// Authorization of every admin route, table-driven over the registrations themselves (every module of functions/ is
// loaded, so a route added later is in the table without anyone listing it): no key, a wrong key, a principal without
// the app role and one with it while built-in authentication is on, a forged principal header where it is off, and the
// cross-site request checks of a signed-in principal's state-changing calls.
import { readdirSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { installFunctionsCore } from '../../local/functions-core.js';
import { buildHttpRoutes, type HttpRoute } from '../../local/http-routes.js';
import { ADMIN_APP_ROLE, ADMIN_REQUEST_HEADER, useAdminAccessOptions } from '../../shared/admin-api/admin-access.js';
import { CLIENT_PRINCIPAL_HEADER, encodeClientPrincipal } from '../../shared/admin-api/client-principal.js';
import { startTestHost, TEST_FUNCTIONS_KEY, type TestHost } from '../support/test-host.js';

/** Admin routes that are not the admin API, each with the authorization level it must keep. */
const NOT_THE_API: Readonly<Record<string, string>> = {
  adminPage: 'anonymous', // static files; the data is behind the API
  adminSignIn: 'anonymous', // tells the page whether to sign in, nothing else
  adminKeyCheck: 'function', // the host checks the key: that is its whole job
};
const SAFE_METHODS = new Set(['GET', 'HEAD']);

let host: TestHost;
let apiRoutes: { name: string; method: string; path: string }[] = [];
let adminRoutes: HttpRoute[] = [];

beforeAll(async () => {
  host = await startTestHost();
  // Every module of functions/, found on disk, so that a new route cannot skip these tests. A literal path each (not
  // a template import, which the test runner resolves only against files that exist with a .js name).
  for (const file of readdirSync(new URL('../../functions/', import.meta.url)).filter((name) => name.endsWith('.ts'))) {
    await import(/* @vite-ignore */ new URL(`../../functions/${file}`, import.meta.url).pathname);
  }
  adminRoutes = buildHttpRoutes(installFunctionsCore(), 'api').filter((route) => route.compiled.template.startsWith('api/admin/'));
  apiRoutes = adminRoutes
    .filter((route) => NOT_THE_API[route.registration.name] === undefined)
    .flatMap((route) => {
      const path = `/${route.compiled.template.replace(/\{\*?(\w+)\??\}/g, 'x')}`;
      return (route.methods ?? ['GET', 'POST']).map((method) => ({ name: route.registration.name, method, path }));
    });
});
afterAll(() => host.close());
afterEach(() => useAdminAccessOptions(undefined));

const principal = (roles: string[]): string => encodeClientPrincipal({ preferred_username: 'ada@contoso.example', roles });

async function call(method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; code: string | undefined }> {
  const response = await fetch(`${host.url}${path}`, { method, headers });
  const text = await response.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
  } catch {
    code = undefined;
  }
  return { status: response.status, code };
}

/** Every (route, method) of the admin API: the answer and the JSON error code to each. */
async function everyRoute(headers: (method: string) => Record<string, string>): Promise<Record<string, string>> {
  const answers: Record<string, string> = {};
  for (const { name, method, path } of apiRoutes) {
    const { status, code } = await call(method, path, headers(method));
    answers[`${name} ${method} ${path}`] = `${status} ${code ?? '-'}`;
  }
  return answers;
}

const everyAnswer = (answer: string): Record<string, string> => Object.fromEntries(apiRoutes.map(({ name, method, path }) => [`${name} ${method} ${path}`, answer]));

describe('the admin routes', () => {
  it('are found: the API, and the three routes that are not the API with their authorization levels', () => {
    expect(apiRoutes.length).toBeGreaterThanOrEqual(25);
    for (const [name, level] of Object.entries(NOT_THE_API)) {
      expect(adminRoutes.find((route) => route.registration.name === name)?.authLevel, name).toBe(level);
    }
  });
});

describe('every admin API route', () => {
  it('refuses a call without the function key: 401 naming both ways in', async () => {
    expect(await everyRoute(() => ({}))).toEqual(everyAnswer('401 unauthenticated'));
  });

  it('refuses a wrong function key: 401', async () => {
    expect(await everyRoute(() => ({ 'x-functions-key': 'not-the-key' }))).toEqual(everyAnswer('401 invalidFunctionKey'));
  });

  it('refuses a wrong key even beside a signed-in admin (the key decides, as in the Functions host)', async () => {
    useAdminAccessOptions({ builtInAuthentication: true });
    const headers = { 'x-functions-key': 'not-the-key', [CLIENT_PRINCIPAL_HEADER]: principal([ADMIN_APP_ROLE]), [ADMIN_REQUEST_HEADER]: '1' };
    expect(await everyRoute(() => headers)).toEqual(everyAnswer('401 invalidFunctionKey'));
  });

  it('where built-in authentication is off, grants nothing to a principal header (anyone can send one)', async () => {
    useAdminAccessOptions({ builtInAuthentication: false });
    const headers = { [CLIENT_PRINCIPAL_HEADER]: principal([ADMIN_APP_ROLE]), [ADMIN_REQUEST_HEADER]: '1' };
    expect(await everyRoute(() => headers)).toEqual(everyAnswer('401 unauthenticated'));
  });

  it('where it is on, refuses a signed-in account without the app role: 403', async () => {
    useAdminAccessOptions({ builtInAuthentication: true });
    const headers = { [CLIENT_PRINCIPAL_HEADER]: principal(['SomethingElse']), [ADMIN_REQUEST_HEADER]: '1' };
    expect(await everyRoute(() => headers)).toEqual(everyAnswer('403 missingAppRole'));
  });

  it('where it is on, refuses a principal issued for another app registration', async () => {
    useAdminAccessOptions({ builtInAuthentication: true, clientId: '00000000-0000-4000-8000-000000000001' });
    const other = encodeClientPrincipal({ aud: '00000000-0000-4000-8000-000000000002', roles: [ADMIN_APP_ROLE] });
    expect(await everyRoute(() => ({ [CLIENT_PRINCIPAL_HEADER]: other, [ADMIN_REQUEST_HEADER]: '1' }))).toEqual(everyAnswer('401 unauthenticated'));
  });

  it('where it is on, lets a signed-in admin in (the page\'s own calls)', async () => {
    useAdminAccessOptions({ builtInAuthentication: true, clientId: '00000000-0000-4000-8000-000000000001' });
    const admin = encodeClientPrincipal({ aud: '00000000-0000-4000-8000-000000000001', roles: [ADMIN_APP_ROLE] });
    const answers = await everyRoute(() => ({ [CLIENT_PRINCIPAL_HEADER]: admin, [ADMIN_REQUEST_HEADER]: '1', origin: host.url, 'sec-fetch-site': 'same-origin' }));
    for (const [route, answer] of Object.entries(answers)) expect(answer, route).not.toMatch(/^(401|403) /);
  });

  it('refuses a signed-in admin\'s state-changing call without the page\'s header, from another origin or another site', async () => {
    useAdminAccessOptions({ builtInAuthentication: true });
    const admin = { [CLIENT_PRINCIPAL_HEADER]: principal([ADMIN_APP_ROLE]) };
    const refusals: Record<string, string>[] = [
      admin,
      { ...admin, [ADMIN_REQUEST_HEADER]: '1', origin: 'https://attacker.example' },
      { ...admin, [ADMIN_REQUEST_HEADER]: '1', 'sec-fetch-site': 'cross-site' },
      { ...admin, [ADMIN_REQUEST_HEADER]: '1', 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of refusals) {
      const answers = await everyRoute(() => headers);
      for (const { name, method, path } of apiRoutes) {
        const answer = answers[`${name} ${method} ${path}`];
        if (SAFE_METHODS.has(method)) expect(answer, `${method} ${path}`).not.toMatch(/^(401|403) /);
        else expect(answer, `${method} ${path} with ${Object.keys(headers).join(', ')}`).toBe('403 crossSiteRequestRefused');
      }
    }
  });

  it('lets the function key in from anywhere, with or without the page\'s header (automation is not a browser session)', async () => {
    useAdminAccessOptions({ builtInAuthentication: true });
    const answers = await everyRoute(() => ({ 'x-functions-key': TEST_FUNCTIONS_KEY, origin: 'https://elsewhere.example', 'sec-fetch-site': 'cross-site' }));
    for (const [route, answer] of Object.entries(answers)) expect(answer, route).not.toMatch(/^(401|403) /);
  });
});

describe('GET /api/admin/sign-in', () => {
  const status = async (headers: Record<string, string> = {}): Promise<unknown> => (await fetch(`${host.url}/api/admin/sign-in`, { headers })).json();

  it('without built-in authentication says how to set sign-in up, and ignores a principal header', async () => {
    useAdminAccessOptions({ builtInAuthentication: false });
    expect(await status({ [CLIENT_PRINCIPAL_HEADER]: principal([ADMIN_APP_ROLE]) })).toEqual({
      builtInAuthentication: false,
      setUp: expect.stringContaining('azd env set ADMIN_AUTH_CLIENT_ID'),
    });
  });

  it('with it, sends a visitor to sign in and back to the page', async () => {
    useAdminAccessOptions({ builtInAuthentication: true });
    expect(await status()).toEqual({ builtInAuthentication: true, signedIn: false, loginUrl: `/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent('/api/admin/page/')}` });
  });

  it('names the signed-in account and whether it holds the app role', async () => {
    useAdminAccessOptions({ builtInAuthentication: true });
    expect(await status({ [CLIENT_PRINCIPAL_HEADER]: principal([]) })).toMatchObject({ signedIn: true, name: 'ada@contoso.example', hasAdminRole: false, appRole: ADMIN_APP_ROLE });
    expect(await status({ [CLIENT_PRINCIPAL_HEADER]: principal([ADMIN_APP_ROLE]) })).toMatchObject({ signedIn: true, hasAdminRole: true, logoutUrl: expect.stringMatching(/^\/\.auth\/logout\?/) });
  });
});
