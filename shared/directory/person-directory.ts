// The organisation's people as each data source (integration) writes them, through the rules every source shares:
// matching by the source's name for the person (the UPN, case-insensitively, one key-row read), staged records (in
// `matchOnly` mode a person the Content Manager does not know yet is staged, and a later import of that UPN links it
// in place; in `create` mode it becomes a Content Manager user), one document per source that never overwrites
// another's, and the memberships of a person a source stops seeing. Protocol-neutral: documents in, PersonRecords and
// directory errors out (errors.ts); the SCIM service parses and renders around it, the Graph sync calls it too.
// A source's document names the person in `userName` (the name it is matched by).
import { caseFoldKey } from '../storage/keys.js';
import { newPersonId } from '../storage/people-repository.js';
import { ConcurrentUpdateError, KeyTakenError } from '../storage/storage-errors.js';
import { forEachBounded } from '../storage/transactions.js';
import type { AttributeCatalog } from './attribute-catalog.js';
import { NameTakenError, NotFoundError } from './errors.js';
import { assertIfMatch } from './if-match.js';
import type { MemberExistenceCache } from './member-existence-cache.js';
import type { IntegrationRecord } from './model/integration-record.js';
import type { PersonRecord } from './model/person-record.js';
import type { MembershipStore, UserIndexStore } from './model/stores.js';
import type { PersonStore } from './person-store.js';
import { afterSourceLeft, contentManagerPart, seenAs, type SourceChange, type SourceInput, withSourceDocument } from './person-changes.js';
import { isVisible, liveSource, type UserDocument, viewDocument, viewVersionTag } from './user-view.js';
import { assertAttributePathsFit } from './write-limits.js';

/** Rows per storage page while scanning people. */
const SCAN_PAGE_SIZE = 500;
/** Times a create looks again after losing the race for the name (or for its row) to another write. */
const CREATE_ATTEMPTS = 8;
/** People setSources writes alone at once, after their batch could not write them. */
const SET_SOURCE_PARALLELISM = 8;

/** The integration acting, as the directory needs it. */
export type SourceIntegration = Pick<IntegrationRecord, 'id' | 'userProvisioning'>;

export type { SourceChange, SourceInput } from './person-changes.js';

export interface WriteOptions {
  /** The version the caller acted on (the If-Match form: tags separated by commas, or `*`); absent: any. */
  ifMatch?: string | undefined;
}

/** A place in a storage scan of people: the continuation token of a storage page and how many of its rows were read. */
export interface ScanPosition {
  continuationToken?: string;
  skip: number;
}

/** How the Content Manager knows a user: the UPN, or its own username (both case-insensitive). */
export type ContentManagerKey = { kind: 'upn'; value: string } | { kind: 'username'; value: string };

/** The key a source's name for a person is matched by (case-folded). */
export const matchingKeyOf = (name: string): string => caseFoldKey(name);

export class PersonDirectory {
  constructor(
    private readonly store: PersonStore,
    private readonly index: UserIndexStore,
    private readonly memberships: MembershipStore,
    private readonly catalog: AttributeCatalog,
    private readonly knownMembers: MemberExistenceCache,
    /** Ids of every integration, for the memberships of a user that all of them stop seeing. */
    private readonly integrationIds: () => Promise<string[]>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  get(id: string): Promise<PersonRecord | undefined> {
    return this.store.people.getById(id);
  }

  /** A Content Manager user by its UPN or username (staged records are not Content Manager users). */
  async findContentManagerUser(key: ContentManagerKey): Promise<PersonRecord | undefined> {
    const folded = caseFoldKey(key.value);
    const person = key.kind === 'upn' ? await this.store.people.findByNameKey(folded, { verified: true }) : await this.store.people.findByUsernameKey(folded, { verified: true });
    return person?.cm === undefined ? undefined : person;
  }

  /** findContentManagerUser of many values of one kind at once, verified, in a few queries: the users found, by value. */
  async findContentManagerUsers(kind: ContentManagerKey['kind'], values: readonly string[]): Promise<Map<string, PersonRecord>> {
    const keys = values.map((value) => caseFoldKey(value));
    const people = this.store.people;
    const byKey = kind === 'upn' ? await people.findManyByNameKey(keys, { verified: true }) : await people.findManyByUsernameKey(keys, { verified: true });
    const found = new Map<string, PersonRecord>();
    for (const [index, value] of values.entries()) {
      const person = byKey.get(keys[index] as string);
      if (person?.cm !== undefined) found.set(value, person);
    }
    return found;
  }

  /**
   * What a source's name finds in its view: the person holding the name organisation-wide when this view shows it by
   * that name (a Content Manager user it has no record of, or whose record keeps the UPN), else the person whose
   * record of this integration has the name. `shared` is the organisation-wide holder, if any. `verified` reads key
   * rows through to the main row (a copy may describe a person just deleted). The person found is a sighting for
   * member adds: a copy is written in the person's own transactions, so it is the person as of its last write.
   */
  async findInView(integrationId: string, key: string, options: { verified?: boolean; together?: boolean } = {}): Promise<{ found?: PersonRecord; shared?: PersonRecord }> {
    const seen = this.knownMembers.clock();
    const result = await this.lookUpInView(integrationId, key, options);
    if (result.found !== undefined) this.sighted(integrationId, seen, result.found);
    return result;
  }

  private async lookUpInView(integrationId: string, key: string, options: { verified?: boolean; together?: boolean }): Promise<{ found?: PersonRecord; shared?: PersonRecord }> {
    // Writes check a name that is usually new: both rows in one query. A match GET usually finds the shared name: that
    // first, one point read for a Content Manager user this integration has no record of yet (Entra's first match of
    // every user) as well as for one whose record here keeps that name.
    if (options.together === true) {
      const { shared, own } = await this.store.people.findByNameAndScopedKey(integrationId, key, options);
      if (shared !== undefined && seenAs(shared, integrationId, key)) return { found: shared, shared };
      return { ...(own === undefined ? {} : { found: own }), ...(shared === undefined ? {} : { shared }) };
    }
    const shared = await this.store.people.findByNameKey(key, options);
    if (shared !== undefined && seenAs(shared, integrationId, key)) return { found: shared, shared };
    const own = await this.store.people.findByScopedKey(integrationId, key, options);
    return own === undefined ? (shared === undefined ? {} : { shared }) : { found: own, ...(shared === undefined ? {} : { shared }) };
  }

  /** The ids an index row lists for a value in a scope (an integration id, or `cm`); undefined when too many. */
  findIndexed(entry: { scope: string; attr: 'externalId' | 'displayName' | 'email'; value: string }): Promise<string[] | undefined> {
    return this.index.find(entry);
  }

  /** Every person from a position on, in storage order, with the position just after it. */
  async *scan(start: ScanPosition | undefined): AsyncGenerator<{ person: PersonRecord; next: ScanPosition }> {
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

  /**
   * Sets this source's document for a person it does not see yet: the person known organisation-wide by this name
   * (a staged record, or a user this source deleted and now sends again) gets this source's record; else a new
   * person. NameTakenError when the name is already in this source's view.
   */
  async createSource(integration: SourceIntegration, input: SourceInput): Promise<PersonRecord> {
    const { doc } = input;
    assertAttributePathsFit(input.attributes);
    const userName = String(doc.userName);
    const key = caseFoldKey(userName);
    const timestamp = this.now().toISOString();
    const seen = this.knownMembers.clock();
    // A Content Manager user's fields that would not fit are refused before anything, the catalog included, is written.
    if (integration.userProvisioning === 'create') contentManagerPart(integration.id, input, timestamp);
    // Catalogued before the write: a create retried after its first attempt wrote the user is refused and writes
    // nothing, so a catalog write left for after the user would never happen.
    await this.catalog.record(integration.id, input.attributes);
    for (let attempt = 0; attempt <= CREATE_ATTEMPTS; attempt++) {
      // The first attempt takes the name as new, without reading it: a source POSTs a name its match found nobody by
      // (Entra's GET), and the person's transaction creates the name's rows in its own partition, so it fails if anyone
      // holds them (PersonStore.create then removes the index rows it wrote: the id is this attempt's own). The next
      // attempt reads both names, as every attempt did before; a retry after that reads key rows through to the main
      // row: a copy it trusted may describe a person just deleted.
      const { found, shared }: { found?: PersonRecord; shared?: PersonRecord } = attempt === 0 ? {} : await this.findInView(integration.id, key, { verified: attempt > 1, together: true });
      if (found !== undefined) throw new NameTakenError(`A user with userName "${userName}" already exists.`);
      // The person known organisation-wide by this name, when this integration has no live record of it: a staged
      // record it shares with the integrations that staged the same name, or a user it deleted and now sends again.
      const existing = shared !== undefined && liveSource(shared, integration.id) === undefined ? shared : undefined;
      try {
        return this.sighted(
          integration.id,
          seen,
          existing === undefined ? await this.store.create(this.newPerson(integration, key, input, timestamp, shared === undefined)) : await this.attach(integration, existing.id, input, timestamp),
        );
      } catch (error) {
        // A create that lost the race for the name (or for its row) looks again: the winner may be a record this
        // integration attaches to, not a user in its view.
        if (existing === undefined && (error instanceof KeyTakenError || error instanceof ConcurrentUpdateError)) continue;
        if (error instanceof KeyTakenError) throw new NameTakenError(`A user with userName "${userName}" already exists.`);
        if (error instanceof RetryCreate) continue;
        throw error;
      }
    }
    throw new NameTakenError(`A user with userName "${userName}" is being created concurrently; retry.`);
  }

  /**
   * Replaces this source's document of a person in its view with what `change` makes of the current one (pure: it
   * may run again after a lost race). A new userName is first checked against the organisation-wide name: a Content
   * Manager user this view already finds by it makes the write a NameTakenError, as a filter would say. A record
   * that took the name meanwhile (a concurrent PATCH of the same rename) is written again from a fresh read, where the
   * name is no longer new: Entra sends the userName with every PATCH, and the name the record has is never refused.
   */
  async writeSource(integration: SourceIntegration, id: string, change: (current: UserDocument) => SourceChange, options: WriteOptions = {}): Promise<PersonRecord> {
    const seen = this.knownMembers.clock();
    for (let checkedName: string | undefined, rereads = 0; ; ) {
      try {
        return this.sighted(integration.id, seen, await this.writeChecked(integration.id, id, change, options, checkedName));
      } catch (error) {
        if (!(error instanceof NewUserName)) throw error;
        const { found } = await this.findInView(integration.id, error.key, { verified: true, together: true });
        if (found !== undefined && found.id !== id) {
          const current = await this.store.people.getById(id);
          if (current === undefined || !seenAs(current, integration.id, error.key) || ++rereads > CREATE_ATTEMPTS) throw new NameTakenError('Another user already has this userName.');
          continue;
        }
        checkedName = error.key;
      }
    }
  }

  /**
   * Sets this source's document for a person the source matched by its own rules (a Content Manager user found by a
   * matching key), whether or not the person is in its view yet: the person's other sources and Content Manager part
   * stay as they are, and a document equal to the stored one writes nothing. NotFoundError when the person is gone.
   */
  async setSource(integrationId: string, id: string, change: SourceChange): Promise<PersonRecord> {
    assertAttributePathsFit(change.attributes);
    const seen = this.knownMembers.clock();
    try {
      const { person } = await this.store.mutate(id, (current) => {
        if (current === undefined) throw new NotFoundError(`Person ${id} not found`);
        return { next: withSourceDocument(current, integrationId, change, this.now()), result: undefined };
      });
      if (person === undefined) throw new NotFoundError(`Person ${id} not found`);
      await this.catalog.record(integrationId, change.attributes);
      return this.sighted(integrationId, seen, person);
    } catch (error) {
      if (error instanceof KeyTakenError) throw new NameTakenError('Another user already has this userName.');
      throw error;
    }
  }

  /**
   * setSource for many people at once, each as the caller has just read it (with its ETag, as a verified match reads
   * it): no second read, and the main rows written in transactions grouped by partition (PersonStore.saveMany). A
   * person that changed since (or whose transaction lost a race, or that is twice in `writes`) is then written alone
   * by setSource, which reads it again and retries. The catalog is recorded once, for every document given.
   * `written` is told of each person written, as it is.
   */
  async setSources(integrationId: string, writes: readonly { person: PersonRecord; change: SourceChange }[], written: (person: PersonRecord) => void = () => undefined): Promise<void> {
    for (const { change } of writes) assertAttributePathsFit(change.attributes);
    const now = this.now();
    const seen = this.knownMembers.clock();
    const batch: { before: PersonRecord; after: PersonRecord; change: SourceChange }[] = [];
    const alone: { id: string; change: SourceChange }[] = [];
    for (const { person, change } of writes) {
      const next = withSourceDocument(person, integrationId, change, now);
      if (next === undefined) continue;
      if (person.etag === undefined) alone.push({ id: person.id, change });
      else batch.push({ before: person, after: next, change });
    }
    const saved = batch.length === 0 ? [] : await this.store.saveMany(batch);
    batch.forEach((entry, i) => {
      const person = saved[i];
      if (person === undefined) alone.push({ id: entry.before.id, change: entry.change });
      else written(this.sighted(integrationId, seen, person));
    });
    await forEachBounded(alone, SET_SOURCE_PARALLELISM, async ({ id, change }) => written(await this.setSource(integrationId, id, change)));
    const attributes = new Map(writes.flatMap(({ change }) => change.attributes).map((attribute) => [`${attribute.path.toLowerCase()}|${attribute.type}`, attribute]));
    await this.catalog.record(integrationId, [...attributes.values()]);
  }

  private async writeChecked(integrationId: string, id: string, change: (current: UserDocument) => SourceChange, options: WriteOptions, checkedName: string | undefined): Promise<PersonRecord> {
    let written: SourceChange | undefined;
    try {
      const { person } = await this.store.mutate(id, (current) => {
        const doc = current === undefined ? undefined : viewDocument(current, integrationId);
        if (current === undefined || doc === undefined) throw new NotFoundError(`Resource ${id} not found`);
        assertIfMatch(options.ifMatch, viewVersionTag(doc));
        written = change(doc);
        const newKey = typeof written.doc.userName === 'string' ? caseFoldKey(written.doc.userName) : undefined;
        if (newKey !== undefined && newKey !== checkedName && newKey !== (typeof doc.userName === 'string' ? caseFoldKey(doc.userName) : undefined)) {
          throw new NewUserName(newKey);
        }
        assertAttributePathsFit(written.attributes);
        const timestamp = this.now().toISOString();
        const source = current.sources[integrationId];
        const created = source !== undefined && source.deleted !== true ? source.created : timestamp;
        const next: PersonRecord = { ...current, sources: { ...current.sources, [integrationId]: { doc: written.doc, created, lastModified: timestamp } } };
        return { next, result: undefined };
      });
      if (person === undefined) throw new NotFoundError(`Resource ${id} not found`);
      if (written !== undefined) await this.catalog.record(integrationId, written.attributes);
      return person;
    } catch (error) {
      if (error instanceof KeyTakenError) throw new NameTakenError('Another user already has this userName.');
      throw error;
    }
  }

  /**
   * Clears this source's document of the person and hides it from this source's view (guarded by the version read,
   * retried). Then every integration that can no longer see the user loses its memberships of it: a member write
   * racing this one checks the user after writing its rows, so none is left behind. Clearing a person this source no
   * longer sees still clears those rows (an earlier attempt may have stopped half-way), then throws NotFoundError.
   */
  async clearSource(integrationId: string, id: string, options: WriteOptions = {}): Promise<void> {
    this.knownMembers.forget(integrationId, id);
    const { person, result: before } = await this.store.mutate(id, (current) => {
      const doc = current === undefined ? undefined : viewDocument(current, integrationId);
      if (current === undefined || doc === undefined) return { next: undefined, result: current };
      assertIfMatch(options.ifMatch, viewVersionTag(doc));
      const timestamp = this.now().toISOString();
      const next: PersonRecord = { ...current, sources: { ...current.sources } };
      next.sources[integrationId] = { doc: {}, created: timestamp, lastModified: timestamp, deleted: true };
      return { next: afterSourceLeft(next, integrationId), result: current };
    });
    const visibleBefore = before !== undefined && isVisible(before, integrationId);
    // After a NotFoundError nothing was written: the state as read is both before and after.
    await this.removeMembershipsOfUnseen(integrationId, id, visibleBefore ? before : undefined, visibleBefore ? person : before);
    this.knownMembers.forget(integrationId, id);
    if (!visibleBefore) throw new NotFoundError(`Resource ${id} not found`);
  }

  /**
   * Removes every trace of a deleted integration from the person: its record (live or deleted), the Content Manager
   * user it created (the others' records stay, staged under the UPN, as when it deletes the user), the person itself
   * when nothing is left; then the memberships of every integration that no longer sees the user. Guarded and retried.
   */
  async forgetSource(integrationId: string, id: string): Promise<void> {
    this.knownMembers.forget(integrationId, id);
    const { person, result: before } = await this.store.mutate(id, (current) => {
      if (current?.sources[integrationId] === undefined) return { next: undefined, result: undefined };
      const next: PersonRecord = { ...current, sources: { ...current.sources } };
      delete next.sources[integrationId];
      return { next: afterSourceLeft(next, integrationId), result: current };
    });
    if (before !== undefined) await this.removeMembershipsOfUnseen(integrationId, id, before, person);
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

  /** The person as written, remembered as seen in the integration's view from `seen` on (member adds trust that). */
  private sighted(integrationId: string, seen: number, person: PersonRecord): PersonRecord {
    if (isVisible(person, integrationId)) this.knownMembers.remember(integrationId, person.id, 'User', seen);
    return person;
  }

  /** Adds this integration's record to a person found by userName, unless the user is already in its view. */
  private async attach(integration: SourceIntegration, id: string, input: SourceInput, timestamp: string): Promise<PersonRecord> {
    const { doc } = input;
    const { person, result } = await this.store.mutate(id, (current) => {
      if (current === undefined) return { next: undefined, result: 'retry' as const };
      // Already in this integration's view (under this userName or, after a rename, another): a duplicate.
      if (isVisible(current, integration.id)) return { next: undefined, result: 'taken' as const };
      const next: PersonRecord = {
        ...current,
        sources: { ...current.sources, [integration.id]: { doc, created: timestamp, lastModified: timestamp } },
      };
      if (next.cm === undefined && integration.userProvisioning === 'create') next.cm = contentManagerPart(integration.id, input, timestamp);
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
  private newPerson(integration: SourceIntegration, key: string, input: SourceInput, timestamp: string, nameIsFree: boolean): PersonRecord {
    const person: PersonRecord = {
      id: newPersonId(key),
      sources: { [integration.id]: { doc: input.doc, created: timestamp, lastModified: timestamp } },
      nameKeys: [],
      version: 1,
      created: timestamp,
    };
    if (!nameIsFree) return person;
    if (integration.userProvisioning === 'create') person.cm = contentManagerPart(integration.id, input, timestamp);
    else person.stagedUpn = String(input.doc.userName);
    return person;
  }
}

class RetryCreate extends Error {}

/** A write would give this integration's record a new userName, not yet checked against the shared name. */
class NewUserName extends Error {
  constructor(readonly key: string) {
    super('the userName changes');
  }
}
