// The fake's Microsoft Graph v1.0 surface: /users, /groups (startswith filters), a group's direct and transitive
// members (with the user and group casts, which are advanced queries needing ConsistencyLevel: eventual), and the
// delta endpoints. Every request is checked for a bearer token the fake issued and for the app permission its
// route needs (403 Authorization_RequestDenied otherwise), may be failed by the fault plan first, and is logged.
// Lists are paged with small page sizes and opaque, absolute nextLinks; a later page of an advanced query sent
// without ConsistencyLevel is refused, as Graph does not carry headers into its links.
import { DeltaRoutes } from './delta-routes.js';
import { FaultPlan } from './fault-plan.js';
import { graphError, graphJson, nextRequestId, opaqueToken } from './fake-http.js';
import type { FakeTenant, GraphPermission, ObjectType, Properties } from './fake-tenant.js';
import { type FakeFilter, ODataError, parseFilter, parseSelect, parseTop, project } from './odata-query.js';

export interface GraphFakeOptions {
  /** The most objects a list page holds, whatever $top asks (Graph may return fewer than $top). */
  pageSize: number;
  deltaPageSize: number;
  memberLinksPerEntry: number;
  duplicateDeltaObjects: boolean;
  /** Lists start with an empty page that has a nextLink (Graph may send one). */
  emptyFirstPage: boolean;
}

export const DEFAULT_GRAPH_FAKE_OPTIONS: GraphFakeOptions = {
  pageSize: 100,
  deltaPageSize: 200,
  memberLinksPerEntry: 500,
  duplicateDeltaObjects: false,
  emptyFirstPage: false,
};

export interface LoggedGraphRequest {
  readonly method: string;
  readonly url: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly consistencyLevel: string | null;
  readonly status: number;
}

interface ListCursor {
  readonly ids: readonly string[];
  offset: number;
  readonly pageSize: number;
  readonly render: (id: string) => Properties | undefined;
  readonly advanced: boolean;
}

const USER_PERMISSIONS: readonly GraphPermission[] = ['User.Read.All'];
const GROUP_PERMISSIONS: readonly GraphPermission[] = ['GroupMember.Read.All', 'Group.Read.All'];

export class GraphRoutes {
  readonly faults = new FaultPlan();
  readonly requests: LoggedGraphRequest[] = [];
  readonly delta: DeltaRoutes;
  /** When set, every Graph request fails as a network error (Graph cannot be reached). */
  unreachable = false;
  private readonly cursors = new Map<string, ListCursor>();

  constructor(
    private readonly tenant: FakeTenant,
    private readonly apiRoot: string,
    readonly options: GraphFakeOptions,
    private readonly isIssuedToken: (token: string) => boolean,
  ) {
    this.delta = new DeltaRoutes(tenant, options);
  }

  async handle(request: Request): Promise<Response> {
    if (this.unreachable) return Response.error();
    const response = await this.answer(request);
    const url = new URL(request.url);
    this.requests.push({ method: request.method, url: request.url, path: url.pathname.slice(new URL(this.apiRoot).pathname.length), query: url.searchParams, consistencyLevel: request.headers.get('ConsistencyLevel'), status: response.status });
    return response;
  }

  private answer(request: Request): Promise<Response> | Response {
    const requestId = nextRequestId();
    const url = new URL(request.url);
    const fault = this.faults.take(url);
    if (fault !== undefined) {
      const code = fault.status === 429 ? 'TooManyRequests' : 'ServiceUnavailable';
      return graphError(fault.status, code, fault.status === 429 ? 'Too many requests.' : 'The service is temporarily unavailable.', request, requestId, fault.headers);
    }
    const token = /^Bearer (.+)$/.exec(request.headers.get('Authorization') ?? '')?.[1];
    if (token === undefined || !this.isIssuedToken(token)) {
      return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty or invalid.', request, requestId);
    }
    if (request.method !== 'GET') return graphError(405, 'Request_BadRequest', 'The fake serves GET only.', request, requestId);
    try {
      return graphJson(200, this.route(url, request), requestId);
    } catch (error) {
      if (error instanceof ODataError) return graphError(error.status, error.code, error.message, request, requestId, error.headers);
      throw error;
    }
  }

  private require(permissions: readonly GraphPermission[]): void {
    if (!permissions.some((p) => this.tenant.app.permissions.has(p))) {
      throw new ODataError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    }
  }

  private route(url: URL, request: Request): Properties {
    const segments = url.pathname.slice(new URL(this.apiRoot).pathname.length).split('/').filter((s) => s !== '').map(decodeURIComponent);
    const [collection, id, navigation, cast, ...rest] = segments;
    const advancedHeader = request.headers.get('ConsistencyLevel') === 'eventual';
    if (rest.length > 0 || (collection !== 'users' && collection !== 'groups')) throw new ODataError(400, 'BadRequest', `Resource not found for the segment '${segments.join('/')}'.`);
    const type: ObjectType = collection === 'users' ? 'user' : 'group';
    this.require(type === 'user' ? USER_PERMISSIONS : GROUP_PERMISSIONS);
    if (id === 'delta') {
      if (navigation !== undefined) throw new ODataError(400, 'BadRequest', 'Unsupported segment after delta.');
      return this.delta.answer(collection, url);
    }
    const skipToken = url.searchParams.get('$skiptoken');
    if (skipToken !== null) return this.nextPage(skipToken, url, advancedHeader);
    if (id === undefined) return this.list(type, url, advancedHeader);
    const objects: Map<string, Properties> = type === 'user' ? this.tenant.users : this.tenant.groups;
    const object = objects.get(id);
    if (object === undefined) throw new ODataError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
    if (navigation === undefined) return project(object, type, parseSelect(url.searchParams.get('$select'), type, { collection: false }));
    if (type === 'user' && navigation === 'transitiveMemberOf') return this.memberOf(id, cast, url, advancedHeader);
    if (type !== 'group' || (navigation !== 'members' && navigation !== 'transitiveMembers')) throw new ODataError(400, 'BadRequest', `Resource not found for the segment '${navigation}'.`);
    return this.members(object, navigation === 'transitiveMembers', cast, url, advancedHeader);
  }

  private list(type: ObjectType, url: URL, advancedHeader: boolean): Properties {
    const select = parseSelect(url.searchParams.get('$select'), type, { collection: true });
    const filter: FakeFilter | undefined = parseFilter(url.searchParams.get('$filter'));
    const objects = [...(type === 'user' ? this.tenant.users : this.tenant.groups).values()].filter((o) => filter === undefined || filter(o));
    const render = (id: string): Properties | undefined => {
      const object = (type === 'user' ? this.tenant.users : this.tenant.groups).get(id);
      return object === undefined ? undefined : project(object, type, select);
    };
    return this.firstPage(objects.map((o) => o.id as string), render, url, advancedHeader, false);
  }

  private members(group: Properties, transitive: boolean, cast: string | undefined, url: URL, advancedHeader: boolean): Properties {
    const castType = cast === undefined ? undefined : { 'microsoft.graph.user': 'user', 'microsoft.graph.group': 'group' }[cast];
    if (cast !== undefined && castType === undefined) throw new ODataError(400, 'BadRequest', `Unknown cast '${cast}'.`);
    if (castType !== undefined && !advancedHeader) {
      throw new ODataError(400, 'Request_UnsupportedQuery', 'The OData cast requires the ConsistencyLevel header set to eventual and $count=true.');
    }
    if (transitive && castType === 'group' && (group.groupTypes as string[]).includes('Unified')) {
      throw new ODataError(400, 'Request_UnsupportedQuery', 'Microsoft 365 groups cannot contain groups.');
    }
    const rawSelect = url.searchParams.get('$select');
    const select = castType === 'group' ? parseSelect(rawSelect, 'group', { collection: true }) : memberSelect(rawSelect, castType === 'user');
    const all = transitive ? this.tenant.transitiveMembers(group.id as string) : (this.tenant.members.get(group.id as string) ?? new Map<string, ObjectType>());
    const ids = [...all].filter(([, type]) => castType === undefined || type === castType).map(([id]) => id);
    const userDetails = this.tenant.app.permissions.has('User.Read.All');
    const render = (id: string): Properties | undefined => {
      const type = this.tenant.typeOf(id);
      if (type === undefined) return undefined;
      const object = (type === 'user' ? this.tenant.users.get(id) : this.tenant.groups.get(id)) as Properties;
      // Without a permission to read users, Graph returns user members as stubs with limited information.
      const shown = type === 'user' && !userDetails ? { id } : project(object, type, select?.filter((name) => knownFor(type, name)));
      return { '@odata.type': `#microsoft.graph.${type}`, ...shown };
    };
    return this.firstPage(ids, render, url, advancedHeader, castType !== undefined);
  }

  /** The groups a user is in at any depth (as Graph's transitiveMemberOf, cast to groups: an advanced query). */
  private memberOf(userId: string, cast: string | undefined, url: URL, advancedHeader: boolean): Properties {
    if (cast !== undefined && cast !== 'microsoft.graph.group') throw new ODataError(400, 'BadRequest', `Unknown cast '${cast}'.`);
    if (cast !== undefined && !advancedHeader) throw new ODataError(400, 'Request_UnsupportedQuery', 'The OData cast requires the ConsistencyLevel header set to eventual and $count=true.');
    this.require(GROUP_PERMISSIONS);
    const select = parseSelect(url.searchParams.get('$select'), 'group', { collection: true });
    const render = (id: string): Properties | undefined => {
      const group = this.tenant.groups.get(id);
      return group === undefined ? undefined : { '@odata.type': '#microsoft.graph.group', ...project(group, 'group', select) };
    };
    return this.firstPage(this.tenant.transitiveMemberOf(userId), render, url, advancedHeader, cast !== undefined);
  }

  private firstPage(ids: readonly string[], render: ListCursor['render'], url: URL, advancedHeader: boolean, advanced: boolean): Properties {
    const top = parseTop(url.searchParams.get('$top')) ?? 100;
    const countAsked = url.searchParams.get('$count') === 'true' && advancedHeader;
    const cursor: ListCursor = { ids, offset: 0, pageSize: Math.min(top, this.options.pageSize), render, advanced: advanced || countAsked };
    const page = this.options.emptyFirstPage ? this.linkTo(cursor, url, []) : this.pageOf(cursor, url);
    return countAsked ? { '@odata.count': ids.length, ...page } : page;
  }

  private nextPage(skipToken: string, url: URL, advancedHeader: boolean): Properties {
    const cursor = this.cursors.get(skipToken);
    if (cursor === undefined) throw new ODataError(400, 'Request_BadRequest', 'The skip token is not valid.');
    if (cursor.advanced && !advancedHeader) {
      throw new ODataError(400, 'Request_UnsupportedQuery', 'This page belongs to an advanced query: send ConsistencyLevel: eventual on every page.');
    }
    return this.pageOf(cursor, url);
  }

  /** Each nextLink names a fixed position (a copy of the cursor), so a link fetched again answers the same page, as Graph's do. */
  private pageOf(cursor: ListCursor, url: URL): Properties {
    const value: Properties[] = [];
    const end = Math.min(cursor.offset + cursor.pageSize, cursor.ids.length);
    for (const id of cursor.ids.slice(cursor.offset, end)) {
      const shown = cursor.render(id);
      if (shown !== undefined) value.push(shown);
    }
    return end < cursor.ids.length ? this.linkTo({ ...cursor, offset: end }, url, value) : { '@odata.context': 'fake', value };
  }

  private linkTo(cursor: ListCursor, url: URL, value: Properties[]): Properties {
    const skipToken = opaqueToken('s');
    this.cursors.set(skipToken, cursor);
    const link = new URL(url);
    link.searchParams.delete('$skiptoken');
    link.searchParams.delete('$count');
    link.searchParams.set('$skiptoken', skipToken);
    return { '@odata.context': 'fake', '@odata.nextLink': link.toString(), value };
  }
}

/** $select on a mixed member list: any user or group property (each member shows the ones its type has). */
function memberSelect(raw: string | null, usersOnly: boolean): string[] | undefined {
  if (raw === null) return undefined;
  const names = raw.split(',').map((n) => n.trim());
  const unknown = names.find((name) => !knownFor('user', name) && (usersOnly || !knownFor('group', name)));
  if (unknown !== undefined) throw new ODataError(400, 'Request_BadRequest', `Could not find a property named '${unknown}' on type 'microsoft.graph.directoryObject'.`);
  return names;
}

function knownFor(type: ObjectType, name: string): boolean {
  try {
    parseSelect(name, type, { collection: true });
    return true;
  } catch {
    return false;
  }
}
