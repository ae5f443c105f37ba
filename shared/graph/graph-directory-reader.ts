// The list queries the sync makes, with the query shapes Graph documents (../shared/graph-sync.md section 1): groups
// by displayName prefix (startswith, no advanced query needed), users, a group's direct members, and a group's
// transitive user members (the /microsoft.graph.user cast, which is an advanced query: ConsistencyLevel: eventual
// and $count=true, re-sent on every page by the client), and the groups a user is in at any depth (transitiveMemberOf
// cast to groups, an advanced query too). Each list returns the pages, so a caller can stop between them.
import { GRAPH_MAX_PAGE_SIZE, type GraphClient, type GraphPage, odataString } from './graph-client.js';
import { GraphRequestError } from './graph-errors.js';

type Select = readonly [string, ...string[]];

export function listGroups(client: GraphClient, select: Select, options: { displayNamePrefix?: string } = {}): AsyncGenerator<GraphPage> {
  const filter = options.displayNamePrefix === undefined ? undefined : `startswith(displayName,${odataString(options.displayNamePrefix)})`;
  const query = filter === undefined ? { select, top: GRAPH_MAX_PAGE_SIZE } : { select, filter, top: GRAPH_MAX_PAGE_SIZE };
  return client.pages(client.url('/groups', query));
}

export function listUsers(client: GraphClient, select: Select): AsyncGenerator<GraphPage> {
  return client.pages(client.url('/users', { select, top: GRAPH_MAX_PAGE_SIZE }));
}

/** One group by id; undefined when Graph says it does not exist. */
export async function getGroup(client: GraphClient, groupId: string, select: Select): Promise<Record<string, unknown> | undefined> {
  try {
    return await client.getJson(client.url(`/groups/${encodeURIComponent(groupId)}`, { select }));
  } catch (error) {
    if (error instanceof GraphRequestError && error.status === 404) return undefined;
    throw error;
  }
}

/** A group's direct members of every type; each object carries @odata.type. */
export function listDirectMembers(client: GraphClient, groupId: string, select: Select = ['id']): AsyncGenerator<GraphPage> {
  return client.pages(client.url(`/groups/${encodeURIComponent(groupId)}/members`, { select, top: GRAPH_MAX_PAGE_SIZE }));
}

/** A group's users at any depth, flattened and de-duplicated by Graph (cycles included). */
export function listTransitiveUserMembers(client: GraphClient, groupId: string, select: Select = ['id']): AsyncGenerator<GraphPage> {
  const url = client.url(`/groups/${encodeURIComponent(groupId)}/transitiveMembers/microsoft.graph.user`, { select, top: GRAPH_MAX_PAGE_SIZE, count: true });
  return client.pages(url, { advancedQuery: true });
}

/** The ids of the groups a user is in at any depth (Graph flattens nesting and cycles); empty for a user Graph no longer has. */
export async function transitiveGroupIdsOf(client: GraphClient, userId: string): Promise<Set<string>> {
  const url = client.url(`/users/${encodeURIComponent(userId)}/transitiveMemberOf/microsoft.graph.group`, { select: ['id'], top: GRAPH_MAX_PAGE_SIZE, count: true });
  const ids = new Set<string>();
  try {
    for await (const group of client.objects(url, { advancedQuery: true })) ids.add(String(group.id));
  } catch (error) {
    if (error instanceof GraphRequestError && error.status === 404) return ids;
    throw error;
  }
  return ids;
}
