// The Graph fake, served at the HTTP boundary in-process with msw: the real @azure/identity credential and the real
// fetch-based client run unchanged and reach it at the cloud's own hosts (Graph at the cloud's endpoint, login at any
// login.* host, since MSAL may switch to a cloud's preferred alias). Requests to any other host but the local
// Azurite are refused, so a test can never reach the network.
import { http } from 'msw';
import { setupServer } from 'msw/node';
import { graphApiRoot, graphCloud, type GraphCloud, graphScope } from '../../../shared/graph/graph-cloud.js';
import type { GraphAppCredentials } from '../../../shared/graph/graph-credentials.js';
import { FakeTenant } from './fake-tenant.js';
import { DEFAULT_GRAPH_FAKE_OPTIONS, type GraphFakeOptions, GraphRoutes } from './graph-routes.js';
import { LoginRoutes } from './login-routes.js';

export interface GraphFake {
  readonly tenant: FakeTenant;
  readonly cloud: GraphCloud;
  readonly routes: GraphRoutes;
  readonly login: LoginRoutes;
  /** The app's credentials as an integration would hold them. */
  readonly credentials: GraphAppCredentials;
  close(): void;
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function startGraphFake(options: { tenant?: FakeTenant; cloud?: GraphCloud; fake?: Partial<GraphFakeOptions> } = {}): GraphFake {
  const tenant = options.tenant ?? FakeTenant.create();
  const cloud = options.cloud ?? graphCloud('global');
  const login = new LoginRoutes(tenant, graphScope(cloud));
  const routes = new GraphRoutes(tenant, graphApiRoot(cloud), { ...DEFAULT_GRAPH_FAKE_OPTIONS, ...options.fake }, login.isIssued);
  const server = setupServer(
    http.all(`${graphApiRoot(cloud)}/*`, ({ request }) => routes.handle(request)),
    http.all(/^https:\/\/login\.[^/]+\//, ({ request }) => login.handle(request)),
  );
  server.listen({
    onUnhandledRequest(request, print) {
      if (!LOCAL_HOSTS.has(new URL(request.url).hostname)) print.error();
    },
  });
  return {
    tenant,
    cloud,
    routes,
    login,
    credentials: { tenantId: tenant.tenantId, clientId: tenant.app.clientId, clientSecret: tenant.app.clientSecret, cloud },
    close: () => server.close(),
  };
}
