// The fake's Microsoft Entra login service: the OAuth 2.0 client-credentials token endpoint MSAL calls
// (/{tenant}/oauth2/v2.0/token), and the metadata MSAL may ask for first (instance discovery, the tenant's OpenID
// configuration). Wrong secret, expired secret, unknown client, unknown tenant and a wrong scope answer as Entra
// does, with their AADSTS codes. Issued tokens are opaque and only this fake accepts them.
import type { FakeTenant } from './fake-tenant.js';
import { opaqueToken } from './fake-http.js';

export interface LoggedTokenRequest {
  readonly tenant: string;
  readonly clientId: string | null;
  readonly scope: string | null;
  readonly status: number;
}

function entraError(status: number, error: string, aadsts: number, description: string): Response {
  const body = { error, error_description: `AADSTS${aadsts}: ${description} Trace ID: fake Correlation ID: fake Timestamp: 2026-12-01 00:00:00Z`, error_codes: [aadsts], timestamp: '2026-12-01 00:00:00Z', trace_id: 'fake', correlation_id: 'fake' };
  return Response.json(body, { status });
}

export class LoginRoutes {
  readonly tokenRequests: LoggedTokenRequest[] = [];
  /** When set, every login request fails as a network error (the service cannot be reached). */
  unreachable = false;
  private readonly issued = new Set<string>();

  constructor(
    private readonly tenant: FakeTenant,
    private readonly graphScope: string,
  ) {}

  isIssued = (token: string): boolean => this.issued.has(token);

  /** Tokens issued so far stop working (as after a revocation). */
  revokeTokens(): void {
    this.issued.clear();
  }

  async handle(request: Request): Promise<Response> {
    if (this.unreachable) return Response.error();
    const url = new URL(request.url);
    const [tenant = '', ...rest] = url.pathname.split('/').filter((s) => s !== '');
    const path = rest.join('/');
    if (path === 'discovery/instance') {
      const host = url.host;
      return Response.json({ tenant_discovery_endpoint: `https://${host}/${tenant}/v2.0/.well-known/openid-configuration`, 'api-version': '1.1', metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }] });
    }
    if (path === 'v2.0/.well-known/openid-configuration') {
      const base = `https://${url.host}/${tenant}`;
      return Response.json({ token_endpoint: `${base}/oauth2/v2.0/token`, authorization_endpoint: `${base}/oauth2/v2.0/authorize`, end_session_endpoint: `${base}/oauth2/v2.0/logout`, issuer: `${base}/v2.0`, jwks_uri: `${base}/discovery/v2.0/keys` });
    }
    if (path === 'oauth2/v2.0/token' && request.method === 'POST') {
      const form = new URLSearchParams(await request.text());
      const response = this.token(tenant, form);
      this.tokenRequests.push({ tenant, clientId: form.get('client_id'), scope: form.get('scope'), status: response.status });
      return response;
    }
    return new Response('not found', { status: 404 });
  }

  private token(tenant: string, form: URLSearchParams): Response {
    const app = this.tenant.app;
    if (tenant.toLowerCase() !== this.tenant.tenantId) return entraError(400, 'invalid_request', 90002, `Tenant '${tenant}' not found.`);
    if (form.get('grant_type') !== 'client_credentials') return entraError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    if (form.get('client_id')?.toLowerCase() !== app.clientId) {
      return entraError(400, 'unauthorized_client', 700016, `Application with identifier '${form.get('client_id')}' was not found in the directory.`);
    }
    if (form.get('client_secret') !== app.clientSecret) {
      return entraError(401, 'invalid_client', 7000215, 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.');
    }
    if (app.secretExpired) return entraError(401, 'invalid_client', 7000222, 'The provided client secret keys for app are expired.');
    if (form.get('scope') !== this.graphScope) return entraError(400, 'invalid_scope', 70011, 'The provided value for the input parameter \'scope\' is not valid.');
    const accessToken = opaqueToken('t');
    this.issued.add(accessToken);
    return Response.json({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: accessToken });
  }
}
