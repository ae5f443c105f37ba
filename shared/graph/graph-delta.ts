// Delta queries on /users/delta and /groups/delta (with members): the start URL, one page at a time (so a run can
// keep the nextLink between queue steps and resume), and a whole round followed to its deltaLink, which the caller
// stores. Each object becomes an upsert or a removal (@removed, reason changed = soft-deleted, deleted = gone; both
// mean gone from the directory); members@delta becomes the direct members added and removed. Graph may replay a
// change or repeat a group across pages, so consumers merge idempotently. An expired token (syncStateNotFound) or a
// reset (410) surfaces as GraphResyncNeededError from the client.
import { type GraphClient, type GraphObject, odataString } from './graph-client.js';
import { malformedResponseError } from './graph-errors.js';

export type DeltaResource = 'users' | 'groups';

/** Graph's limit on `id eq` clauses in a delta $filter (the only filter delta accepts). */
export const DELTA_MAX_FILTER_IDS = 50;

export type DirectoryObjectType = 'user' | 'group' | 'other';

export interface MemberReference {
  readonly id: string;
  readonly type: DirectoryObjectType;
}

export type DeltaChange =
  | {
      readonly kind: 'upsert';
      readonly id: string;
      /** The selected properties (members@delta left out). */
      readonly object: GraphObject;
      /** Direct members added, and removed, on this page; empty when the page carries no members@delta. */
      readonly membersAdded: readonly MemberReference[];
      readonly membersRemoved: readonly MemberReference[];
    }
  | { readonly kind: 'removed'; readonly id: string; readonly reason: 'changed' | 'deleted' };

export interface DeltaPage {
  readonly changes: readonly DeltaChange[];
  /** Follow this for the rest of the round. */
  readonly nextLink: string | undefined;
  /** Present on the round's last page: store it and start the next round from it. */
  readonly deltaLink: string | undefined;
}

export interface DeltaStartOptions {
  /** Track only these objects (at most 50): delta's one filter. */
  readonly ids?: readonly string[];
}

/** The first URL of a fresh round; `select` is tracked from then on (a changed select needs a fresh round). */
export function deltaStartUrl(client: GraphClient, resource: DeltaResource, select: readonly [string, ...string[]], options: DeltaStartOptions = {}): string {
  const ids = options.ids ?? [];
  if (ids.length > DELTA_MAX_FILTER_IDS) throw new RangeError(`a delta query can filter on at most ${DELTA_MAX_FILTER_IDS} ids`);
  const filter = ids.length === 0 ? undefined : ids.map((id) => `id eq ${odataString(id)}`).join(' or ');
  return client.url(`/${resource}/delta`, filter === undefined ? { select } : { select, filter });
}

function objectTypeOf(odataType: unknown): DirectoryObjectType {
  if (odataType === '#microsoft.graph.user') return 'user';
  if (odataType === '#microsoft.graph.group') return 'group';
  return 'other';
}

function removalReason(removed: unknown): 'changed' | 'deleted' | undefined {
  if (removed === undefined) return undefined;
  const reason = removed !== null && typeof removed === 'object' ? (removed as Record<string, unknown>).reason : undefined;
  return reason === 'changed' ? 'changed' : 'deleted';
}

function parseMembers(raw: unknown): { added: MemberReference[]; removed: MemberReference[] } {
  const added: MemberReference[] = [];
  const removed: MemberReference[] = [];
  if (!Array.isArray(raw)) return { added, removed };
  for (const entry of raw as unknown[]) {
    if (entry === null || typeof entry !== 'object') continue;
    const member = entry as Record<string, unknown>;
    if (typeof member.id !== 'string') continue;
    const reference = { id: member.id, type: objectTypeOf(member['@odata.type']) };
    (removalReason(member['@removed']) === undefined ? added : removed).push(reference);
  }
  return { added, removed };
}

function toChange(raw: GraphObject, url: string): DeltaChange {
  const id = raw.id;
  if (typeof id !== 'string') {
    throw malformedResponseError(url, 'a delta object without an id');
  }
  const reason = removalReason(raw['@removed']);
  if (reason !== undefined) return { kind: 'removed', id, reason };
  const { 'members@delta': members, ...object } = raw;
  const { added, removed } = parseMembers(members);
  return { kind: 'upsert', id, object, membersAdded: added, membersRemoved: removed };
}

/** One page of a round: a start URL, a nextLink or a stored deltaLink. */
export async function fetchDeltaPage(client: GraphClient, url: string): Promise<DeltaPage> {
  const page = await client.getPage(url);
  if (page.nextLink === undefined && page.deltaLink === undefined) {
    throw malformedResponseError(url, 'a delta page with neither nextLink nor deltaLink');
  }
  return { changes: page.value.map((raw) => toChange(raw, url)), nextLink: page.nextLink, deltaLink: page.deltaLink };
}

/** Every page of the round that starts at `url`, up to and including the page with the deltaLink. */
export async function* deltaRound(client: GraphClient, url: string): AsyncGenerator<DeltaPage> {
  let next: string | undefined = url;
  while (next !== undefined) {
    const page = await fetchDeltaPage(client, next);
    yield page;
    next = page.nextLink;
  }
}
