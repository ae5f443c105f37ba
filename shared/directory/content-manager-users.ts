// The Content Manager's own users: the directory every integration's /Users view matches against. Admins upsert
// them by username; a user whose UPN an integration staged earlier is linked to that staged record in place, so the
// id Entra holds keeps working.
import { EntityLimitError } from '../storage/entity-limits.js';
import { caseFoldKey } from '../storage/keys.js';
import { newPersonId } from '../storage/people-repository.js';
import { RecordTooLargeError } from '../storage/person-entity.js';
import { ConcurrentUpdateError, KeyTakenError } from '../storage/storage-errors.js';
import { forEachBounded } from '../storage/transactions.js';
import { StillConflictingError } from './errors.js';
import type { ContentManagerPart, PersonRecord } from './model/person-record.js';
import type { GroupStore, MembershipStore } from './model/stores.js';
import type { PersonStore } from './person-store.js';
import type { ImportRow, RejectedRow } from './user-import-parser.js';

export type ImportOutcome = 'created' | 'updated' | 'linked' | 'unchanged';

export interface ImportReport {
  created: number;
  updated: number;
  linked: number;
  unchanged: number;
  rejected: RejectedRow[];
  results: { row: number; username: string; id: string; outcome: ImportOutcome }[];
}

export interface ContentManagerUser {
  id: string;
  username: string;
  upn: string;
  displayName?: string;
  email?: string;
  created: string;
  lastModified: string;
}

export interface UserDetail extends ContentManagerUser {
  sources: { integrationId: string; attributes: Record<string, unknown>; groups: { id: string; displayName: string }[]; deleted: boolean }[];
}

const IMPORT_PARALLELISM = 8;
/** Times one row is tried when the person it found vanished or changed kind meanwhile. */
const UPSERT_ATTEMPTS = 4;
/** Most users one search request examines before it answers with what it found and a continuation token. */
export const SEARCH_SCAN_LIMIT = 10_000;
class RowRejected extends Error {}

export function toContentManagerUser(person: PersonRecord): ContentManagerUser | undefined {
  const cm = person.cm;
  if (cm === undefined) return undefined;
  const user: ContentManagerUser = { id: person.id, username: cm.username, upn: cm.upn, created: cm.created, lastModified: cm.lastModified };
  if (cm.displayName !== undefined) user.displayName = cm.displayName;
  if (cm.email !== undefined) user.email = cm.email;
  return user;
}

export class ContentManagerUsers {
  constructor(
    private readonly store: PersonStore,
    private readonly groups: GroupStore,
    private readonly memberships: MembershipStore,
    /** Ids of every integration, to find a record staged under an integration's own name. */
    private readonly integrationIds: () => Promise<string[]>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async import(rows: ImportRow[], alreadyRejected: RejectedRow[]): Promise<ImportReport> {
    const report: ImportReport = { created: 0, updated: 0, linked: 0, unchanged: 0, rejected: [...alreadyRejected], results: [] };
    await forEachBounded(rows, IMPORT_PARALLELISM, async (row) => {
      try {
        const { id, outcome } = await this.upsert(row);
        report[outcome]++;
        report.results.push({ row: row.row, username: row.username, id, outcome });
      } catch (error) {
        const reason = error instanceof RowRejected ? error.message : error instanceof StillConflictingError ? 'the user changed during the import; retry' : error instanceof KeyTakenError ? `upn ${row.upn} already belongs to another user` : tooLargeReason(error);
        if (reason === undefined) throw error;
        report.rejected.push({ row: row.row, username: row.username, reason });
      }
    });
    report.results.sort((a, b) => a.row - b.row);
    report.rejected.sort((a, b) => a.row - b.row);
    return report;
  }

  /**
   * A page of Content Manager users in storage order. With `search` (a case-insensitive substring of username, UPN,
   * displayName or email), storage pages are read until `pageSize` users match or SEARCH_SCAN_LIMIT users were
   * examined; the continuation token then resumes the search after the last page read.
   */
  async list(options: { pageSize: number; continuationToken?: string; search?: string }): Promise<{ users: ContentManagerUser[]; continuationToken?: string }> {
    const search = options.search?.toLowerCase();
    const matches = (user: ContentManagerUser): boolean =>
      search === undefined || [user.username, user.upn, user.displayName ?? '', user.email ?? ''].some((v) => v.toLowerCase().includes(search));
    const users: ContentManagerUser[] = [];
    let token = options.continuationToken;
    let examined = 0;
    do {
      // Never read more rows than there is room for, so no match is skipped by the continuation token.
      const room = options.pageSize - users.length;
      const page = await this.store.people.page({ pageSize: room, cmOnly: true, ...(token === undefined ? {} : { continuationToken: token }) });
      examined += page.items.length;
      for (const person of page.items) {
        const user = toContentManagerUser(person);
        if (user !== undefined && matches(user)) users.push(user);
      }
      token = page.continuationToken;
      // Without a search one storage page is one answer page; a search reads on until the page is full.
    } while (search !== undefined && token !== undefined && users.length < options.pageSize && examined < SEARCH_SCAN_LIMIT);
    return token === undefined ? { users } : { users, continuationToken: token };
  }

  async get(id: string): Promise<UserDetail | undefined> {
    const person = await this.store.people.getById(id);
    const user = person === undefined ? undefined : toContentManagerUser(person);
    if (person === undefined || user === undefined) return undefined;
    const sources = await Promise.all(
      Object.entries(person.sources).map(async ([integrationId, source]) => {
        const groupIds = await this.memberships.groupsOf(integrationId, id);
        const groups = (await Promise.all(groupIds.map((gid) => this.groups.get(integrationId, gid))))
          .filter((g) => g !== undefined)
          .map((g) => ({ id: g.id, displayName: g.displayName }));
        return { integrationId, attributes: source.doc, groups, deleted: source.deleted === true };
      }),
    );
    return { ...user, sources };
  }

  /**
   * A staged record that some integration knows by this name as its own (it was staged under another name, or the
   * name was taken when it was staged): the one with the smallest id, so every importer picks the same.
   */
  private async stagedUnderOwnName(key: string): Promise<PersonRecord | undefined> {
    const found = await Promise.all((await this.integrationIds()).map((integrationId) => this.store.people.findByScopedKey(integrationId, key, { verified: true })));
    const staged = found.filter((person): person is PersonRecord => person !== undefined && person.cm === undefined);
    return staged.sort((a, b) => a.id.localeCompare(b.id))[0];
  }

  /** One row: update the user with that username, else link the staged record with that UPN, else create. */
  private async upsert(row: ImportRow): Promise<{ id: string; outcome: ImportOutcome }> {
    for (let attempt = 0; attempt < UPSERT_ATTEMPTS; attempt++) {
      const done = await this.tryUpsert(row);
      if (done !== undefined) return done;
    }
    throw new RowRejected('the user changed during the import; retry');
  }

  /** undefined when the person found vanished before it could be written (a racing delete): the row is tried again. */
  private async tryUpsert(row: ImportRow): Promise<{ id: string; outcome: ImportOutcome } | undefined> {
    const timestamp = this.now().toISOString();
    // Key rows are read through to the main row: an import writes, so it must not act on a copy of a deleted person.
    const existing = await this.store.people.findByUsernameKey(caseFoldKey(row.username), { verified: true });
    if (existing !== undefined) {
      const { person, result } = await this.store.mutate(existing.id, (current) => {
        // Re-read after a lost race: the person may no longer be the user of this username (deleted, then linked
        // by another import under another one). Then the row is looked up again instead of overwriting that user.
        if (current?.cm === undefined || caseFoldKey(current.cm.username) !== caseFoldKey(row.username)) return { next: undefined, result: undefined };
        const cm = withRow(current.cm, row, timestamp);
        if (sameUser(current.cm, cm)) return { next: undefined, result: 'unchanged' as const };
        return { next: { ...current, cm }, result: 'updated' as const };
      });
      return result === undefined ? undefined : { id: person?.id ?? existing.id, outcome: result };
    }
    const holder = await this.store.people.findByNameKey(caseFoldKey(row.upn), { verified: true });
    if (holder?.cm !== undefined) throw new RowRejected(`upn ${row.upn} already belongs to user ${holder.cm.username}`);
    const staged = holder ?? (await this.stagedUnderOwnName(caseFoldKey(row.upn)));
    if (staged !== undefined) {
      const { person, result: linked } = await this.store.mutate(staged.id, (current) => {
        if (current === undefined || current.cm !== undefined) return { next: undefined, result: false };
        return { next: { ...current, cm: newPart(row, timestamp) }, result: true };
      });
      return linked ? { id: person?.id ?? staged.id, outcome: 'linked' } : undefined;
    }
    try {
      const created = await this.store.create({
        id: newPersonId(caseFoldKey(row.upn)),
        cm: newPart(row, timestamp),
        sources: {},
        nameKeys: [],
        version: 1,
        created: timestamp,
      });
      return { id: created.id, outcome: 'created' };
    } catch (error) {
      // Lost the race for the username or UPN to a concurrent write: look again (the winner may be this very row).
      if (error instanceof KeyTakenError || error instanceof ConcurrentUpdateError) return undefined;
      throw error;
    }
  }
}

/** Why a row was refused when the user would not fit Azure Table Storage's limits; undefined for other errors. */
function tooLargeReason(error: unknown): string | undefined {
  if (error instanceof RecordTooLargeError) return error.message;
  return error instanceof EntityLimitError ? "the user's data is too large to store" : undefined;
}

function newPart(row: ImportRow, timestamp: string): ContentManagerPart {
  return withRow({ username: row.username, upn: row.upn, createdBy: 'admin', created: timestamp, lastModified: timestamp }, row, timestamp);
}

function withRow(cm: ContentManagerPart, row: ImportRow, timestamp: string): ContentManagerPart {
  const next: ContentManagerPart = { ...cm, username: row.username, upn: row.upn, lastModified: timestamp };
  if (row.displayName !== undefined) next.displayName = row.displayName;
  if (row.email !== undefined) next.email = row.email;
  return next;
}

function sameUser(a: ContentManagerPart, b: ContentManagerPart): boolean {
  return a.username === b.username && a.upn === b.upn && a.displayName === b.displayName && a.email === b.email;
}
