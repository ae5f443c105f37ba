// The HTTP route table of the local host: one entry per httpTrigger registration, at
// `/{routePrefix}/{route}` (the route defaults to the function name), most specific first.
import type { AuthLevel, FunctionRegistration, HttpTriggerBinding, Registry } from './functions-core.js';
import { compareRoutePrecedence, type CompiledRoute, compileRouteTemplate } from './route-template.js';

export interface HttpRoute {
  readonly registration: FunctionRegistration<HttpTriggerBinding>;
  readonly compiled: CompiledRoute;
  /** Upper-case methods, or undefined when every method is accepted. */
  readonly methods: readonly string[] | undefined;
  readonly authLevel: AuthLevel;
}

export interface HttpRouteMatch {
  readonly route: HttpRoute;
  readonly params: Record<string, string>;
}

/** What `npm start` prints for each route. */
export interface HttpRouteDescription {
  readonly functionName: string;
  readonly methods: string;
  readonly route: string;
  readonly authLevel: AuthLevel;
}

function toAuthLevel(value: unknown): AuthLevel {
  if (value === undefined || value === null) return 'anonymous';
  const level = typeof value === 'string' ? value.toLowerCase() : 'function';
  if (level === 'anonymous' || level === 'admin') return level;
  // 'function', and anything we do not know (for example 'system'): require the key.
  return level === 'system' ? 'admin' : 'function';
}

export function buildHttpRoutes(registry: Registry, routePrefix: string): HttpRoute[] {
  return registry
    .httpFunctions()
    .map((registration) => {
      const { route, methods, authLevel } = registration.trigger;
      return {
        registration,
        compiled: compileRouteTemplate(routePrefix, route ?? registration.name),
        methods: methods && methods.length > 0 ? methods.map((method) => method.toUpperCase()) : undefined,
        authLevel: toAuthLevel(authLevel),
      };
    })
    .sort((a, b) => compareRoutePrecedence(a.compiled, b.compiled));
}

/** Finds the route for a normalized path and method. A path served only for other methods is a 404, as in Azure. */
export function findHttpRoute(routes: readonly HttpRoute[], path: string, method: string): HttpRouteMatch | undefined {
  const upperMethod = method.toUpperCase();
  for (const route of routes) {
    if (route.methods && !route.methods.includes(upperMethod)) continue;
    const params = route.compiled.match(path);
    if (params) return { route, params };
  }
  return undefined;
}

export function describeHttpRoutes(routes: readonly HttpRoute[]): HttpRouteDescription[] {
  return routes.map((route) => ({
    functionName: route.registration.name,
    methods: route.methods?.join(',') ?? '*',
    route: `/${route.compiled.template}`,
    authLevel: route.authLevel,
  }));
}
