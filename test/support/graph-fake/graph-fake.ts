// The Graph fake, served at the HTTP boundary in-process with msw: the real @azure/identity credential and the real
// fetch-based client run unchanged and reach it at the cloud's own hosts (Graph at the cloud's endpoint, login at any
// login.* host, since MSAL may switch to a cloud's preferred alias). Requests to any other host but the local
// Azurite are refused, so a test can never reach the network. The handlers are plain Request → Response, so the same
// fake can also be served over HTTP from another process (http-bridge.ts).
import { http } from 'msw';
import { setupServer } from 'msw/node';
import { graphApiRoot, graphCloud, type GraphCloud, graphScope } from '../../../shared/graph/graph-cloud.js';
import type { GraphAppCredentials } from '../../../shared/graph/graph-credentials.js';
import { FakeTenant } from './fake-tenant.js';
import { DEFAULT_GRAPH_FAKE_OPTIONS, type GraphFakeOptions, GraphRoutes } from './graph-routes.js';
import { LoginRoutes } from './login-routes.js';

export interface GraphFakeHandlers {
  readonly tenant: FakeTenant;
  readonly cloud: GraphCloud;
  readonly routes: GraphRoutes;
  readonly login: LoginRoutes;
  /** The app's credentials as an integration would hold them. */
  readonly credentials: GraphAppCredentials;
  /** Answers a request to the cloud's Graph or to a login host. */
  readonly handle: (request: Request) => Promise<Response>;
}

export interface GraphFake extends GraphFakeHandlers {
  close(): void;
}

export interface GraphFakeSetup {
  readonly tenant?: FakeTenant;
  readonly cloud?: GraphCloud;
  readonly fake?: Partial<GraphFakeOptions>;
}

/** Matches the login hosts MSAL may use for any cloud (login.microsoftonline.com, login.partner.microsoftonline.cn, …). */
export const LOGIN_HOST_PATTERN = /^https:\/\/login\.[^/]+\//;
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function createGraphFakeHandlers(setup: GraphFakeSetup = {}): GraphFakeHandlers {
  const tenant = setup.tenant ?? FakeTenant.create();
  const cloud = setup.cloud ?? graphCloud('global');
  const login = new LoginRoutes(tenant, graphScope(cloud));
  const routes = new GraphRoutes(tenant, graphApiRoot(cloud), { ...DEFAULT_GRAPH_FAKE_OPTIONS, ...setup.fake }, login.isIssued);
  return {
    tenant,
    cloud,
    routes,
    login,
    credentials: { tenantId: tenant.tenantId, clientId: tenant.app.clientId, clientSecret: tenant.app.clientSecret, cloud },
    handle: (request) => (request.url.startsWith(`${graphApiRoot(cloud)}/`) ? routes.handle(request) : login.handle(request)),
  };
}

/** Intercepts the cloud's Graph and login hosts in this process with `answer`; anything else but localhost fails. */
export function interceptGraphHosts(cloud: GraphCloud, answer: (request: Request) => Promise<Response>): { close(): void } {
  const server = setupServer(
    http.all(`${graphApiRoot(cloud)}/*`, ({ request }) => answer(request)),
    http.all(LOGIN_HOST_PATTERN, ({ request }) => answer(request)),
  );
  server.listen({
    onUnhandledRequest(request, print) {
      if (!LOCAL_HOSTS.has(new URL(request.url).hostname)) print.error();
    },
  });
  return { close: () => server.close() };
}

export function startGraphFake(setup: GraphFakeSetup = {}): GraphFake {
  const handlers = createGraphFakeHandlers(setup);
  const interception = interceptGraphHosts(handlers.cloud, handlers.handle);
  return { ...handlers, close: () => interception.close() };
}
