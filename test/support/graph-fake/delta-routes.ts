// /users/delta and /groups/delta in the fake: an initial round lists every object (groups with all their direct
// members in members@delta, a large group split over several entries with the group repeated), a later round lists
// what the change log holds since the token (updates in full, @removed with reason changed or deleted, member
// removals with @removed), paged with $skiptoken and ended by a deltaLink. $deltatoken=latest starts from now.
// Tokens can be expired (400 syncStateNotFound) or reset (410 Gone with Location) by the test.
import type { FakeTenant, ObjectType, Properties } from './fake-tenant.js';
import { opaqueToken } from './fake-http.js';
import { type FakeFilter, ODataError, parseFilter, parseSelect, project } from './odata-query.js';

export interface DeltaOptions {
  /** Objects (entries) per delta page. */
  deltaPageSize: number;
  /** Member links per group entry; more members repeat the group object. */
  memberLinksPerEntry: number;
  /** Each object appears twice in a round, as Graph's replays do. */
  duplicateDeltaObjects: boolean;
}

interface DeltaToken {
  readonly resource: 'users' | 'groups';
  readonly select: string[] | undefined;
  readonly filter: FakeFilter | undefined;
  readonly seq: number;
  state: 'valid' | 'expired' | 'reset';
}

interface DeltaCursor {
  readonly entries: Properties[];
  readonly finalToken: string;
}

export type DeltaAnswer = Properties;

export class DeltaRoutes {
  private readonly tokens = new Map<string, DeltaToken>();
  /** skiptoken → the round and the position it names (fixed, so a link fetched again answers the same page). */
  private readonly cursors = new Map<string, { cursor: DeltaCursor; offset: number }>();

  constructor(
    private readonly tenant: FakeTenant,
    private readonly options: DeltaOptions,
  ) {}

  /** Every token issued so far answers syncStateNotFound from now on. */
  expireTokens(): void {
    for (const token of this.tokens.values()) token.state = 'expired';
  }

  /** Every token issued so far answers 410 Gone from now on. */
  resetTokens(): void {
    for (const token of this.tokens.values()) token.state = 'reset';
  }

  answer(resource: 'users' | 'groups', url: URL): DeltaAnswer {
    const skipToken = url.searchParams.get('$skiptoken');
    if (skipToken !== null) {
      const position = this.cursors.get(skipToken);
      if (position === undefined) throw new ODataError(400, 'Request_BadRequest', 'The skip token is not valid.');
      return this.page(position.cursor, url, position.offset);
    }
    const deltaToken = url.searchParams.get('$deltatoken');
    if (deltaToken !== null && deltaToken !== 'latest') return this.resume(resource, deltaToken, url);
    const type: ObjectType = resource === 'users' ? 'user' : 'group';
    const select = parseSelect(url.searchParams.get('$select'), type, { collection: true, delta: true });
    const filter = parseFilter(url.searchParams.get('$filter'), { idOnly: true });
    for (const option of ['$top', '$orderby', '$expand']) {
      if (url.searchParams.has(option)) throw new ODataError(400, 'Request_UnsupportedQuery', `${option} is not supported with delta.`);
    }
    const start: DeltaToken = { resource, select, filter, seq: this.tenant.seq, state: 'valid' };
    const entries = deltaToken === 'latest' ? [] : this.initialEntries(start);
    return this.page(this.newCursor(entries, start), url);
  }

  private resume(resource: 'users' | 'groups', deltaToken: string, url: URL): DeltaAnswer {
    const token = this.tokens.get(deltaToken);
    if (token === undefined || token.resource !== resource || token.state === 'expired') {
      throw new ODataError(400, 'syncStateNotFound', 'The sync state generation is not found. The delta token is expired and data must be synchronized again.');
    }
    if (token.state === 'reset') {
      const location = new URL(url);
      location.search = '?$deltatoken=';
      throw new ODataError(410, 'resyncRequired', 'Resync required. Replace any local items with the server\'s version and restart with an empty delta token.', { Location: location.toString() });
    }
    const next: DeltaToken = { ...token, seq: this.tenant.seq, state: 'valid' };
    return this.page(this.newCursor(this.changedEntries(token), next), url);
  }

  private newCursor(entries: Properties[], next: DeltaToken): DeltaCursor {
    const finalToken = opaqueToken('d');
    this.tokens.set(finalToken, next);
    return { entries, finalToken };
  }

  private page(cursor: DeltaCursor, url: URL, offset = 0): DeltaAnswer {
    const value = cursor.entries.slice(offset, offset + this.options.deltaPageSize);
    const end = offset + value.length;
    const link = new URL(url);
    if (end < cursor.entries.length) {
      const skipToken = opaqueToken('s');
      this.cursors.set(skipToken, { cursor, offset: end });
      link.search = `?$skiptoken=${skipToken}`;
      return { '@odata.context': 'fake', '@odata.nextLink': link.toString(), value };
    }
    link.search = `?$deltatoken=${cursor.finalToken}`;
    return { '@odata.context': 'fake', '@odata.deltaLink': link.toString(), value };
  }

  private withMembers(token: DeltaToken): boolean {
    return token.resource === 'groups' && (token.select?.includes('members') ?? false);
  }

  private initialEntries(token: DeltaToken): Properties[] {
    const objects = token.resource === 'users' ? this.tenant.users : this.tenant.groups;
    const entries: Properties[] = [];
    for (const object of objects.values()) {
      if (token.filter !== undefined && !token.filter(object)) continue;
      const members = this.withMembers(token)
        ? [...(this.tenant.members.get(object.id as string) ?? [])].map(([id, type]) => memberLink(id, type, false))
        : undefined;
      this.pushObject(entries, object, token, members);
    }
    return entries;
  }

  private changedEntries(token: DeltaToken): Properties[] {
    const type: ObjectType = token.resource === 'users' ? 'user' : 'group';
    const changed = new Map<string, Map<string, Properties>>();
    for (const entry of this.tenant.log) {
      if (entry.seq <= token.seq) continue;
      if (entry.type === type) changed.set(entry.id, changed.get(entry.id) ?? new Map());
      if (entry.type === 'member' && type === 'group' && this.withMembers(token)) {
        const links = changed.get(entry.groupId) ?? new Map<string, Properties>();
        links.set(entry.memberId, memberLink(entry.memberId, entry.memberType, entry.removed));
        changed.set(entry.groupId, links);
      }
    }
    const entries: Properties[] = [];
    for (const [id, links] of changed) {
      const object = (type === 'user' ? this.tenant.users : this.tenant.groups).get(id);
      if (token.filter !== undefined && !token.filter(object ?? { id })) continue;
      if (object === undefined) {
        const removal = this.tenant.removals.get(id);
        entries.push({ id, '@removed': { reason: removal?.reason ?? 'deleted' } });
      } else {
        this.pushObject(entries, object, token, this.withMembers(token) ? [...links.values()] : undefined);
      }
    }
    return entries;
  }

  private pushObject(entries: Properties[], object: Properties, token: DeltaToken, members: Properties[] | undefined): void {
    const type: ObjectType = token.resource === 'users' ? 'user' : 'group';
    const shown = project(object, type, token.select, { alwaysId: true });
    const copies = this.options.duplicateDeltaObjects ? 2 : 1;
    for (let copy = 0; copy < copies; copy += 1) {
      if (members === undefined || members.length === 0) {
        entries.push(members === undefined ? shown : { ...shown, 'members@delta': [] });
        continue;
      }
      for (let start = 0; start < members.length; start += this.options.memberLinksPerEntry) {
        entries.push({ ...shown, 'members@delta': members.slice(start, start + this.options.memberLinksPerEntry) });
      }
    }
  }
}

function memberLink(id: string, type: ObjectType, removed: boolean): Properties {
  const link: Properties = { '@odata.type': `#microsoft.graph.${type}`, id };
  if (removed) link['@removed'] = { reason: 'deleted' };
  return link;
}
