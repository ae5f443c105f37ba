// The /Users resource of one integration: a view of the organisation's people (see user-view.ts). Matching is by
// userName (the UPN), case-insensitively, through one key-row read. In `matchOnly` mode a POST for an unknown UPN
// creates a staged record (a person without a Content Manager part) that a later import of that UPN links in place;
// in `create` mode it creates a Content Manager user.
import { conflict, notFound, ScimError } from '../scim/errors.js';
import { type FilterNode, formatFilter, matchesFilter } from '../scim/filter/index.js';
import { applyUserPatch } from '../scim/patch/index.js';
import { describeAttributes, parseUserInput, type UserDoc } from '../scim/resource-input.js';
import type { IntegrationRecord } from '../storage/integration-repository.js';
import { caseFoldKey } from '../storage/keys.js';
import type { MembershipRepository } from '../storage/membership-repository.js';
import { newPersonId } from '../storage/people-repository.js';
import { RecordTooLargeError } from '../storage/person-entity.js';
import type { PersonRecord } from '../storage/person-record.js';
import { ConcurrentUpdateError, KeyTakenError } from '../storage/storage-errors.js';
import { forEachBounded } from '../storage/transactions.js';
import type { UserIndexRepository } from '../storage/user-index-repository.js';
import type { AttributeCatalog } from './attribute-catalog.js';
import { assertIfMatch } from './if-match.js';
import { ListCursors, type ScanPosition } from './list-cursors.js';
import type { MemberExistenceCache } from './member-existence-cache.js';
import type { PersonStore } from './person-store.js';
import { assertAttributePathsFit, assertContentManagerFieldsFit } from './scim-write-limits.js';
import { planUserQuery } from './user-query-plan.js';
import { isVisible, liveSource, renderUser, type UserDocument, viewDocument, viewVersionTag } from './user-view.js';

/** Most people a filter that no index serves may examine before the query is refused with 400 tooMany. */
export const MAX_SCANNED_PEOPLE = 250_000;
/** Rows per storage page while scanning; positions in list-cursors.ts count rows of pages of this size. */
const SCAN_PAGE_SIZE = 500;

export interface ScimCall {
  integration: IntegrationRecord;
  /** Absolute URL of /Users/{id} for meta.location. */
  locationOf: (id: string) => string;
  ifMatch?: string | undefined;
}

export interface QueryOptions {
  filter?: FilterNode | undefined;
  startIndex: number;
  count: number;
}

export interface QueryResult {
  totalResults: number;
  resources: Record<string, unknown>[];
}

type Resource = Record<string, unknown>;

export class ScimUserService {
  constructor(
    private readonly store: PersonStore,
    private readonly index: UserIndexRepository,
    private readonly memberships: MembershipRepository,
    private readonly catalog: AttributeCatalog,
    private readonly knownMembers: MemberExistenceCache,
    /** Ids of every integration, for the memberships of a user that all of them stop seeing. */
    private readonly integrationIds: () => Promise<string[]>,
    private readonly now: () => Date = () => new Date(),
    private readonly cursors: ListCursors = new ListCursors(),
  ) {}

  async get(call: ScimCall, id: string): Promise<Resource> {
    const person = await this.store.people.getById(id);
    const resource = person === undefined ? undefined : renderUser(person, call.integration.id, call.locationOf(id));
    if (resource === undefined) throw notFound(`Resource ${id} not found`);
    return resource;
  }

  async query(call: ScimCall, options: QueryOptions): Promise<QueryResult> {
    const integrationId = call.integration.id;
    const matches = (person: PersonRecord): Resource | undefined => {
      const resource = renderUser(person, integrationId, call.locationOf(person.id));
      if (resource === undefined) return undefined;
      return options.filter === undefined || matchesFilter(resource, options.filter) ? resource : undefined;
    };
    const plan = options.filter === undefined ? undefined : planUserQuery(options.filter);
    const candidates = plan === undefined ? undefined : await this.lookup(plan, integrationId);
    if (candidates !== undefined) {
      const found = candidates.map(matches).filter((r): r is Resource => r !== undefined);
      found.sort((a, b) => String(a.id).localeCompare(String(b.id)));
      return { totalResults: found.length, resources: found.slice(options.startIndex - 1, options.startIndex - 1 + options.count) };
    }
    return this.scanQuery(integrationId, options, matches);
  }

  /**
   * Answers a query no index serves by scanning people in storage order. The first page counts every match (for
   * totalResults); later pages of the same walk resume where the previous page ended.
   */
  private async scanQuery(integrationId: string, options: QueryOptions, matches: (person: PersonRecord) => Resource | undefined): Promise<QueryResult> {
    const key = `${integrationId}|${options.filter === undefined ? '' : formatFilter(options.filter)}`;
    const resumed = options.startIndex > 1 ? this.cursors.find(key, options.startIndex) : undefined;
    const page: Resource[] = [];
    let total = 0;
    let scanned = 0;
    let end: ScanPosition | undefined;
    for await (const { person, next } of this.scanFrom(resumed?.position)) {
      if (++scanned > MAX_SCANNED_PEOPLE) {
        throw new ScimError(400, `The filter needs more than ${MAX_SCANNED_PEOPLE} users examined; filter by userName, externalId, displayName or emails.value.`, 'tooMany');
      }
      const resource = matches(person);
      if (resource === undefined) continue;
      total++;
      if (resumed !== undefined || total >= options.startIndex) {
        if (page.length < options.count) page.push(resource);
        if (options.count > 0 && page.length === options.count && end === undefined) {
          end = next;
          if (resumed !== undefined) break; // the total is known: no need to count the rest
        }
      }
    }
    if (resumed === undefined) this.cursors.start(key, total);
    if (end !== undefined) this.cursors.remember(key, options.startIndex + options.count, end);
    return { totalResults: resumed?.totalResults ?? total, resources: page };
  }

  /** Every person from a position on, with the position just after it. */
  private async *scanFrom(start: ScanPosition | undefined): AsyncGenerator<{ person: PersonRecord; next: ScanPosition }> {
    let token = start?.continuationToken;
    let skip = start?.skip ?? 0;
    do {
      const page = await this.store.people.page({ pageSize: SCAN_PAGE_SIZE, ...(token === undefined ? {} : { continuationToken: token }) });
      for (let i = skip; i < page.items.length; i++) {
        const next: ScanPosition = i + 1 < page.items.length ? { ...(token === undefined ? {} : { continuationToken: token }), skip: i + 1 } : { ...(page.continuationToken === undefined ? {} : { continuationToken: page.continuationToken }), skip: 0 };
        yield { person: page.items[i] as PersonRecord, next };
      }
      skip = 0;
      token = page.continuationToken;
    } while (token !== undefined);
  }

  async create(call: ScimCall, body: unknown): Promise<Resource> {
    const doc = parseUserInput(body) as UserDocument;
    assertAttributePathsFit(doc);
    const integration = call.integration;
    const userName = String(doc.userName);
    const key = caseFoldKey(userName);
    const timestamp = this.now().toISOString();
    // A Content Manager user's fields that would not fit are refused before anything, the catalog included, is written.
    if (integration.userProvisioning === 'create') contentManagerPart(integration.id, doc, timestamp);
    // Catalogued before the write: a POST retried after its first attempt wrote the user answers 409 and writes
    // nothing, so a catalog write left for after the user would never happen.
    await this.recordAttributes(integration.id, doc);
    for (let attempt = 0; attempt < 8; attempt++) {
      // A retry reads key rows through to the main row: a copy it trusted may describe a person just deleted.
      const { found, shared } = await this.findInView(integration.id, key, { verified: attempt > 0 });
      if (found !== undefined) throw conflict(`A user with userName "${userName}" already exists.`);
      // The person known organisation-wide by this name, when this integration has no live record of it: a staged
      // record it shares with the integrations that staged the same name, or a user it deleted and now sends again.
      const existing = shared !== undefined && liveSource(shared, integration.id) === undefined ? shared : undefined;
      try {
        const person =
          existing === undefined
            ? await this.store.create(this.newPerson(integration, key, doc, timestamp, shared === undefined))
            : await this.attach(integration, existing.id, doc, timestamp);
        return this.render(call, person);
      } catch (error) {
        // A create that lost the race for the name (or for its row) looks again: the winner may be a record this
        // integration attaches to, not a user in its view.
        if (existing === undefined && (error instanceof KeyTakenError || error instanceof ConcurrentUpdateError)) continue;
        if (error instanceof KeyTakenError) throw conflict(`A user with userName "${userName}" already exists.`);
        if (error instanceof RetryCreate) continue;
        throw mapStorageError(error);
      }
    }
    throw conflict(`A user with userName "${userName}" is being created concurrently; retry.`);
  }

  async replace(call: ScimCall, id: string, body: unknown): Promise<Resource> {
    const doc = parseUserInput(body) as UserDocument;
    return this.write(call, id, () => doc);
  }

  async patch(call: ScimCall, id: string, body: unknown): Promise<Resource> {
    return this.write(call, id, (current) => applyUserPatch(current as UserDoc, body));
  }

  /**
   * Removes this integration's data for the user and hides it from this integration's view (guarded by the ETag of
   * the read, retried). Then every integration that can no longer see the user loses its memberships of it: a member
   * PATCH racing this delete checks the user after writing its rows, so none is left behind. A DELETE of a user this
   * integration no longer sees still clears those rows (an earlier attempt may have stopped half-way) and answers 404.
   */
  async delete(call: ScimCall, id: string): Promise<void> {
    const integrationId = call.integration.id;
    this.knownMembers.forget(integrationId, id);
    const { person, result: before } = await this.store.mutate(id, (current) => {
      const doc = current === undefined ? undefined : viewDocument(current, integrationId);
      if (current === undefined || doc === undefined) return { next: undefined, result: current };
      assertIfMatch(call.ifMatch, viewVersionTag(doc));
      const timestamp = this.now().toISOString();
      const next: PersonRecord = { ...current, sources: { ...current.sources } };
      next.sources[integrationId] = { doc: {}, created: timestamp, lastModified: timestamp, deleted: true };
      if (next.cm?.createdBy === integrationId) {
        // The others' records stay, staged under the UPN, so an import of it links them again.
        next.stagedUpn = next.cm.upn;
        delete next.cm;
      }
      const live = Object.values(next.sources).some((source) => source.deleted !== true);
      return { next: next.cm === undefined && !live ? 'delete' : next, result: current };
    });
    const visibleBefore = before !== undefined && isVisible(before, integrationId);
    // After a 404 nothing was written: the state as read is both before and after.
    await this.removeMembershipsOfUnseen(integrationId, id, visibleBefore ? before : undefined, visibleBefore ? person : before);
    this.knownMembers.forget(integrationId, id);
    if (!visibleBefore) throw notFound(`Resource ${id} not found`);
  }

  /**
   * Memberships of the user in the groups of every integration that cannot see it now: the caller's, and every other
   * one's when the Content Manager user itself is gone (for a user that does not exist at all: every integration).
   */
  private async removeMembershipsOfUnseen(integrationId: string, id: string, before: PersonRecord | undefined, after: PersonRecord | undefined): Promise<void> {
    const contentManagerGone = after === undefined || (before?.cm !== undefined && after.cm === undefined);
    const integrations = contentManagerGone ? await this.integrationIds() : [integrationId];
    const unseen = integrations.filter((candidate) => candidate === integrationId || after === undefined || !isVisible(after, candidate));
    await forEachBounded(unseen, 4, async (candidate) => {
      this.knownMembers.forget(candidate, id);
      await this.memberships.removeMemberEverywhere(candidate, id);
    });
  }

  /**
   * Writes this integration's document. A new userName is first checked against the organisation-wide name: a
   * Content Manager user this view already finds by it makes the write a 409, as the filter would say.
   */
  private async write(call: ScimCall, id: string, change: (current: UserDocument) => UserDocument): Promise<Resource> {
    for (let checkedName: string | undefined; ; ) {
      try {
        return await this.writeChecked(call, id, change, checkedName);
      } catch (error) {
        if (!(error instanceof NewUserName)) throw error;
        const { found } = await this.findInView(call.integration.id, error.key, { verified: true });
        if (found !== undefined && found.id !== id) throw conflict('Another user already has this userName.');
        checkedName = error.key;
      }
    }
  }

  private async writeChecked(call: ScimCall, id: string, change: (current: UserDocument) => UserDocument, checkedName: string | undefined): Promise<Resource> {
    const integrationId = call.integration.id;
    let written: UserDocument | undefined;
    try {
      const { person } = await this.store.mutate(id, (current) => {
        const doc = current === undefined ? undefined : viewDocument(current, integrationId);
        if (current === undefined || doc === undefined) throw notFound(`Resource ${id} not found`);
        assertIfMatch(call.ifMatch, viewVersionTag(doc));
        written = change(doc);
        const newKey = typeof written.userName === 'string' ? caseFoldKey(written.userName) : undefined;
        if (newKey !== undefined && newKey !== checkedName && newKey !== (typeof doc.userName === 'string' ? caseFoldKey(doc.userName) : undefined)) {
          throw new NewUserName(newKey);
        }
        assertAttributePathsFit(written);
        const timestamp = this.now().toISOString();
        const source = current.sources[integrationId];
        const created = source !== undefined && source.deleted !== true ? source.created : timestamp;
        const next: PersonRecord = { ...current, sources: { ...current.sources, [integrationId]: { doc: written, created, lastModified: timestamp } } };
        return { next, result: undefined };
      });
      if (person === undefined) throw notFound(`Resource ${id} not found`);
      if (written !== undefined) await this.recordAttributes(integrationId, written);
      return this.render(call, person);
    } catch (error) {
      if (error instanceof KeyTakenError) throw conflict('Another user already has this userName.');
      throw mapStorageError(error);
    }
  }

  /** Adds this integration's record to a person found by userName, unless the user is already in its view. */
  private async attach(integration: IntegrationRecord, id: string, doc: UserDocument, timestamp: string): Promise<PersonRecord> {
    const { person, result } = await this.store.mutate(id, (current) => {
      if (current === undefined) return { next: undefined, result: 'retry' as const };
      // Already in this integration's view (under this userName or, after a rename, another): a duplicate.
      if (isVisible(current, integration.id)) return { next: undefined, result: 'taken' as const };
      const next: PersonRecord = {
        ...current,
        sources: { ...current.sources, [integration.id]: { doc, created: timestamp, lastModified: timestamp } },
      };
      if (next.cm === undefined && integration.userProvisioning === 'create') next.cm = contentManagerPart(integration.id, doc, timestamp);
      return { next, result: 'attached' as const };
    });
    if (result === 'retry' || person === undefined) throw new RetryCreate();
    if (result === 'taken') throw new KeyTakenError(String(doc.userName));
    return person;
  }

  /**
   * A new person for this integration's record. It takes the organisation-wide name (as a staged record, or as the
   * Content Manager user in create mode) only when nobody holds it; otherwise the name stays this integration's own.
   */
  private newPerson(integration: IntegrationRecord, key: string, doc: UserDocument, timestamp: string, nameIsFree: boolean): PersonRecord {
    const person: PersonRecord = {
      id: newPersonId(key),
      sources: { [integration.id]: { doc, created: timestamp, lastModified: timestamp } },
      nameKeys: [],
      version: 1,
      created: timestamp,
    };
    if (!nameIsFree) return person;
    if (integration.userProvisioning === 'create') person.cm = contentManagerPart(integration.id, doc, timestamp);
    else person.stagedUpn = String(doc.userName);
    return person;
  }

  /**
   * What `userName eq` finds in this integration's view: the person holding the name organisation-wide when this
   * view shows it by that name (a Content Manager user it has no record of, or whose record keeps the UPN), else the
   * person whose record of this integration has the name. `shared` is the organisation-wide holder, if any.
   */
  private async findInView(integrationId: string, key: string, options: { verified?: boolean } = {}): Promise<{ found?: PersonRecord; shared?: PersonRecord }> {
    // The shared name first: one read finds a Content Manager user this integration has no record of yet (Entra's
    // first match of every user) as well as one whose record here keeps that name.
    const shared = await this.store.people.findByNameKey(key, options);
    if (shared !== undefined && seenAs(shared, integrationId, key)) return { found: shared, shared };
    const own = await this.store.people.findByScopedKey(integrationId, key, options);
    return own === undefined ? (shared === undefined ? {} : { shared }) : { found: own, ...(shared === undefined ? {} : { shared }) };
  }

  private render(call: ScimCall, person: PersonRecord): Resource {
    const resource = renderUser(person, call.integration.id, call.locationOf(person.id));
    if (resource === undefined) throw notFound(`Resource ${person.id} not found`);
    return resource;
  }

  private async recordAttributes(integrationId: string, doc: UserDocument): Promise<void> {
    await this.catalog.record(integrationId, describeAttributes(doc as never));
  }

  private async lookup(plan: NonNullable<ReturnType<typeof planUserQuery>>, integrationId: string): Promise<PersonRecord[] | undefined> {
    const ids = new Set<string>();
    const people = new Map<string, PersonRecord>();
    for (const lookup of plan) {
      if (lookup.kind === 'nameKey') {
        const { found } = await this.findInView(integrationId, lookup.key);
        if (found !== undefined) people.set(found.id, found);
      } else if (lookup.kind === 'id') {
        ids.add(lookup.id);
      } else {
        for (const scope of [integrationId, 'cm']) {
          const found = await this.index.find({ scope, attr: lookup.attr, value: lookup.value });
          if (found === undefined) return undefined;
          for (const id of found) ids.add(id);
        }
      }
    }
    const loaded = await Promise.all([...ids].filter((id) => !people.has(id)).map((id) => this.store.people.getById(id)));
    for (const person of loaded) if (person !== undefined) people.set(person.id, person);
    return [...people.values()];
  }
}

class RetryCreate extends Error {}

/** A write would give this integration's record a new userName, not yet checked against the shared name. */
class NewUserName extends Error {
  constructor(readonly key: string) {
    super('the userName changes');
  }
}

/** Whether the integration's view shows the person under this case-folded userName. */
function seenAs(person: PersonRecord, integrationId: string, key: string): boolean {
  const doc = viewDocument(person, integrationId);
  return typeof doc?.userName === 'string' && caseFoldKey(doc.userName) === key;
}

function contentManagerPart(integrationId: string, doc: UserDocument, timestamp: string): NonNullable<PersonRecord['cm']> {
  const userName = String(doc.userName);
  const cm: NonNullable<PersonRecord['cm']> = { username: userName, upn: userName, createdBy: integrationId, created: timestamp, lastModified: timestamp };
  if (typeof doc.displayName === 'string') cm.displayName = doc.displayName;
  const emails = Array.isArray(doc.emails) ? (doc.emails as { value?: unknown; primary?: unknown }[]) : [];
  const email = emails.find((e) => e.primary === true) ?? emails[0];
  if (typeof email?.value === 'string') cm.email = email.value;
  assertContentManagerFieldsFit(cm);
  return cm;
}

function mapStorageError(error: unknown): unknown {
  if (error instanceof RecordTooLargeError) return new ScimError(413, error.message);
  return error;
}

