// What the Bicep does for admin sign-in (docs/deploying-to-azure.md, "Admin sign-in"): built-in authentication with
// Microsoft Entra ID only when an app registration is supplied, never refusing a request itself (SCIM and function-key
// calls must reach the code), the SCIM routes excluded, no client secret; the client id as an app setting.
import { describe, expect, it } from 'vitest';
import { KEY_CHECK_PATH } from '../../shared/admin-api/function-key-check.js';
import { blockAfter, readRepoFile, stripBicepComments } from './bicep-text.js';

const api = stripBicepComments(readRepoFile('infra/app/api.bicep'));
const main = stripBicepComments(readRepoFile('infra/main.bicep'));
const parameters = JSON.parse(readRepoFile('infra/main.parameters.json')) as { parameters: Record<string, { value: string }> };
const authConfigs = blockAfter(api, /var\s+adminAuthConfigs\s*=\s*empty\(adminAuthClientId\)\s*\?\s*\[\]\s*:\s*\[/);

describe('admin sign-in in infra/', () => {
  it('takes the app registration from azd environment values, empty by default', () => {
    expect(main).toMatch(/^param\s+adminAuthClientId\s+string\s*=\s*''/m);
    expect(main).toMatch(/^param\s+adminAuthTenantId\s+string\s*=\s*''/m);
    expect(parameters.parameters.adminAuthClientId?.value).toBe('${ADMIN_AUTH_CLIENT_ID=}');
    expect(parameters.parameters.adminAuthTenantId?.value).toBe('${ADMIN_AUTH_TENANT_ID=}');
    expect(main).toMatch(/adminAuthTenantId:\s*!empty\(adminAuthTenantId\)\s*\?\s*adminAuthTenantId\s*:\s*tenant\(\)\.tenantId/);
  });

  it('configures authsettingsV2 only when a client id is supplied, next to the app settings', () => {
    expect(authConfigs).toMatch(/name:\s*'authsettingsV2'/);
    expect(api).toMatch(/configs:\s*concat\(\s*\[[\s\S]*name:\s*'appsettings'[\s\S]*\],\s*adminAuthConfigs\s*\)/);
    expect(api).toMatch(/ADMIN_AUTH_CLIENT_ID:\s*adminAuthClientId\b/);
  });

  it('lets every request through to the code, which decides; the SCIM routes are not touched at all', () => {
    expect(authConfigs).toMatch(/platform:\s*\{\s*enabled:\s*true\s*\}/);
    expect(authConfigs).toMatch(/requireAuthentication:\s*false/);
    expect(authConfigs).toMatch(/unauthenticatedClientAction:\s*'AllowAnonymous'/);
    expect(authConfigs).toMatch(/excludedPaths:\s*\[\s*'\/api\/scim'\s*\]/);
    expect(authConfigs).not.toMatch(/'\/api\/admin/);
  });

  it('signs in with Entra ID for the supplied registration and tenant, with no client secret', () => {
    expect(authConfigs).toMatch(/clientId:\s*adminAuthClientId/);
    expect(authConfigs).toMatch(/openIdIssuer:\s*'\$\{environment\(\)\.authentication\.loginEndpoint\}\$\{adminAuthTenantId\}\/v2\.0'/);
    expect(authConfigs).toMatch(/allowedAudiences:\s*\[\s*adminAuthClientId\s+'api:\/\/\$\{adminAuthClientId\}'\s*\]/);
    expect(authConfigs).not.toMatch(/clientSecret/);
  });

  it('keeps the key-check route under the host\'s route prefix', () => {
    const hostJson = JSON.parse(readRepoFile('host.json')) as { extensions: { http: { routePrefix: string } } };
    expect(KEY_CHECK_PATH).toBe(`/${hostJson.extensions.http.routePrefix}/admin/key-check`);
  });
});
