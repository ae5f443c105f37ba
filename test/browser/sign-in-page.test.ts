// The admin page with sign-in: where built-in authentication is off it says how to set sign-in up and asks for the
// key; where it is on, a visitor is sent to sign in, an account without the app role is told so, and a signed-in
// admin works without any key, the page's writes passing the API's cross-site request checks. The platform's
// X-MS-CLIENT-PRINCIPAL is stood in for by an extra header on every request the browser makes.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_APP_ROLE, useAdminAccessOptions } from '../../shared/admin-api/admin-access.js';
import { CLIENT_PRINCIPAL_HEADER, encodeClientPrincipal } from '../../shared/admin-api/client-principal.js';
import { type AdminPageSession, openAdminPage } from '../support/admin-page-session.js';

let session: AdminPageSession;

beforeAll(async () => {
  session = await openAdminPage();
}, 120_000);

afterAll(async () => {
  useAdminAccessOptions(undefined);
  await session?.close();
});
afterEach(() => session.page.setExtraHTTPHeaders({}));

const signedInAs = (roles: string[]) => session.page.setExtraHTTPHeaders({ [CLIENT_PRINCIPAL_HEADER]: encodeClientPrincipal({ preferred_username: 'ada@contoso.example', roles }) });

describe('the admin page and sign-in', () => {
  const page = () => session.page;

  it('without built-in authentication, says how to set sign-in up and asks for the function key', async () => {
    useAdminAccessOptions({ builtInAuthentication: false });
    await signedInAs([ADMIN_APP_ROLE]); // forged: nobody vouches for it here
    await page().goto(session.pageUrl);
    await page().getByText('azd env set ADMIN_AUTH_CLIENT_ID').waitFor();
    await expect(page().getByLabel('Function key', { exact: true }).isVisible()).resolves.toBe(true);
  });

  it('with it, sends a visitor who has not signed in to the sign-in page, and back to the page after', async () => {
    useAdminAccessOptions({ builtInAuthentication: true });
    const login = page().waitForRequest((request) => request.url().includes('/.auth/login/aad'));
    await page().goto(session.pageUrl);
    expect(new URL((await login).url()).searchParams.get('post_login_redirect_uri')).toBe('/api/admin/page/');
  });

  it('tells an account without the app role what it lacks, and keeps the key form', async () => {
    useAdminAccessOptions({ builtInAuthentication: true });
    await signedInAs([]);
    await page().goto(session.pageUrl);
    await page().getByText(`does not hold the app role ${ADMIN_APP_ROLE}`).waitFor();
    await expect(page().getByText('Signed in as ada@contoso.example').isVisible()).resolves.toBe(true);
    await expect(page().getByLabel('Function key', { exact: true }).isVisible()).resolves.toBe(true);
  });

  it('lets a signed-in admin work without a key: the screens draw and a create passes the cross-site checks', async () => {
    useAdminAccessOptions({ builtInAuthentication: true });
    await signedInAs([ADMIN_APP_ROLE]);
    await page().goto(session.pageUrl);
    await page().getByRole('heading', { name: 'Integrations', level: 2 }).waitFor();
    await session.checkScreen('signed-in-integrations');
    await expect(page().getByRole('link', { name: 'Sign out' }).getAttribute('href')).resolves.toMatch(/^\/\.auth\/logout\?/);
    await expect(page().getByLabel('Function key', { exact: true }).isVisible()).resolves.toBe(false);
    await page().getByLabel('Display name').fill('Signed-in integration');
    await page().keyboard.press('Enter');
    await expect.poll(async () => ((await session.host.adminJson('/integrations')) as { integrations: { displayName: string }[] }).integrations.map((i) => i.displayName)).toContain('Signed-in integration');
  });
});
