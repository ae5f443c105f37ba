// An integration's view of a person: the Content Manager user overlaid with what this integration wrote, or this
// integration's staged record. Pure functions: what is visible, the document it shows and its version, and which keys
// and index rows the person needs. (Rendering it as a SCIM resource is the SCIM service's: scim-api/user-resource.ts.)
import { createHash } from 'node:crypto';
import { caseFoldKey } from '../storage/keys.js';
import { scopedKey } from '../storage/person-key-rows.js';
import type { ContentManagerPart, PersonRecord, SourcePart } from './model/person-record.js';
import type { IndexEntry } from './model/stores.js';

export type UserDocument = Record<string, unknown>;

/** The source part of this integration when it is live (not deleted). */
export function liveSource(person: PersonRecord, integrationId: string): SourcePart | undefined {
  const source = person.sources[integrationId];
  return source === undefined || source.deleted === true ? undefined : source;
}

export function isVisible(person: PersonRecord, integrationId: string): boolean {
  const source = person.sources[integrationId];
  if (source?.deleted === true) return false;
  return source !== undefined || person.cm !== undefined;
}

/** What a Content Manager user looks like to an integration that has not written anything for it yet. */
export function documentFromContentManager(cm: ContentManagerPart): UserDocument {
  const doc: UserDocument = { userName: cm.upn, active: true };
  if (cm.displayName !== undefined && cm.displayName !== '') doc.displayName = cm.displayName;
  if (cm.email !== undefined && cm.email !== '') doc.emails = [{ value: cm.email, type: 'work', primary: true }];
  return doc;
}

/** The document this integration sees, or undefined when the person is not in its view. */
export function viewDocument(person: PersonRecord, integrationId: string): UserDocument | undefined {
  if (!isVisible(person, integrationId)) return undefined;
  const source = liveSource(person, integrationId);
  if (source !== undefined) return source.doc;
  return person.cm === undefined ? undefined : documentFromContentManager(person.cm);
}

/**
 * The weak ETag of one integration's view: a digest of what that view shows, so another integration's writes to the
 * same person neither change it nor reveal themselves through it.
 */
export function viewVersionTag(doc: UserDocument): string {
  return `W/"${createHash('sha256').update(JSON.stringify(doc)).digest('base64url').slice(0, 16)}"`;
}

/**
 * The organisation-wide name key: the Content Manager UPN, or the userName a staged record was staged under. Every
 * integration without a record of its own for the person sees it by this name; the key is unique across the
 * organisation, so an admin import of the UPN, and every integration's POST of it, find the same person.
 */
export function nameKeysOf(person: Pick<PersonRecord, 'cm' | 'stagedUpn'>): string[] {
  const name = person.cm?.upn ?? person.stagedUpn;
  return name === undefined ? [] : [caseFoldKey(name)];
}

/**
 * Each live source's own userName, scoped to its integration: unique within that integration's view only, so one
 * integration's names never block or reveal another's (README, "Matching").
 */
export function scopedKeysOf(person: Pick<PersonRecord, 'sources'>): string[] {
  const keys = new Set<string>();
  for (const [integrationId, source] of Object.entries(person.sources)) {
    if (source.deleted !== true && typeof source.doc.userName === 'string') keys.add(scopedKey(integrationId, caseFoldKey(source.doc.userName)));
  }
  return [...keys];
}

function emailValues(doc: UserDocument): string[] {
  const emails = doc.emails;
  if (!Array.isArray(emails)) return [];
  return emails
    .map((email) => (typeof email === 'object' && email !== null ? (email as { value?: unknown }).value : undefined))
    .filter((value): value is string => typeof value === 'string' && value !== '');
}

/**
 * Index entries for `externalId`, `displayName` and `emails.value` filters, per scope: every row the person may hold
 * (what a write removes when the value goes, and what a delete removes). requiredIndexEntriesOf says which must exist.
 */
export function indexEntriesOf(person: Pick<PersonRecord, 'cm' | 'sources'>): IndexEntry[] {
  const entries: IndexEntry[] = [];
  if (person.cm !== undefined) {
    if (person.cm.displayName) entries.push({ scope: 'cm', attr: 'displayName', value: person.cm.displayName.toLowerCase() });
    if (person.cm.email) entries.push({ scope: 'cm', attr: 'email', value: person.cm.email.toLowerCase() });
  }
  for (const [scope, source] of Object.entries(person.sources)) {
    if (source.deleted === true) continue;
    const { externalId, displayName } = source.doc;
    if (typeof externalId === 'string' && externalId !== '') entries.push({ scope, attr: 'externalId', value: externalId });
    if (typeof displayName === 'string' && displayName !== '') entries.push({ scope, attr: 'displayName', value: displayName.toLowerCase() });
    for (const email of emailValues(source.doc)) entries.push({ scope, attr: 'email', value: email.toLowerCase() });
  }
  return entries;
}

/**
 * The index entries whose rows must exist: all of indexEntriesOf except
 * - a source's value equal to the Content Manager's value of the same attribute (a create-mode user's displayName and
 *   e-mail, usually), which the `cm` row already finds: every index lookup reads the integration's scope and `cm`
 *   together and checks each candidate against the view (scim-api/user-service.ts), so one row per value is enough;
 * - the values of an unindexed source (a Graph integration's), whose scope no lookup reads.
 * A row of such an entry written before these rules (or kept while the values stayed equal) is a superfluous hint:
 * kept while the person has the value, removed with it.
 */
export function requiredIndexEntriesOf(person: Pick<PersonRecord, 'cm' | 'sources'>): IndexEntry[] {
  const entries = indexEntriesOf(person);
  const contentManager = new Set(entries.filter((entry) => entry.scope === 'cm').map((entry) => `${entry.attr}|${entry.value}`));
  return entries.filter((entry) => entry.scope === 'cm' || (person.sources[entry.scope]?.unindexed !== true && !contentManager.has(`${entry.attr}|${entry.value}`)));
}
