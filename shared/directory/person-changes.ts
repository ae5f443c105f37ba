// How a person record changes when a source writes or leaves it: pure functions of the record as read, so the
// read-modify-write loop (PersonStore.mutate) can run them again after a lost race.
import { caseFoldKey } from '../storage/keys.js';
import type { CatalogAttribute } from './attribute-catalog.js';
import type { ContentManagerPart, PersonRecord, SourcePart } from './model/person-record.js';
import { liveSource, type UserDocument, viewDocument } from './user-view.js';
import { assertContentManagerFieldsFit } from './write-limits.js';

/** What a source sends for one person. */
export interface SourceInput {
  /** The source's document (its `userName` names the person). */
  doc: UserDocument;
  /** The attributes the document holds, for the integration's catalog. */
  attributes: CatalogAttribute[];
  /** The Content Manager fields a create-mode source fills, read from its document the source's own way. */
  contentManager: { displayName?: string; email?: string };
}

/** A source's document after a change, with the attributes it holds. */
export interface SourceChange {
  doc: UserDocument;
  attributes: CatalogAttribute[];
  /** The source is never looked up by filter: its values get no index rows (SourcePart.unindexed). */
  unindexed?: true;
}

/**
 * The person with this source's document set to the change's, or undefined when the live document is that already.
 * Pure (setSource runs it again after a lost race); a new document keeps the source's creation time.
 */
export function withSourceDocument(current: PersonRecord, integrationId: string, change: SourceChange, now: Date): PersonRecord | undefined {
  const source = liveSource(current, integrationId);
  if (source !== undefined && JSON.stringify(source.doc) === JSON.stringify(change.doc)) return undefined;
  const timestamp = now.toISOString();
  const part: SourcePart = { doc: change.doc, created: source?.created ?? timestamp, lastModified: timestamp, ...(change.unindexed === true ? { unindexed: true } : {}) };
  return { ...current, sources: { ...current.sources, [integrationId]: part } };
}

/** Whether the integration's view shows the person under this case-folded userName. */
export function seenAs(person: PersonRecord, integrationId: string, key: string): boolean {
  const doc = viewDocument(person, integrationId);
  return typeof doc?.userName === 'string' && caseFoldKey(doc.userName) === key;
}

export function contentManagerPart(integrationId: string, input: SourceInput, timestamp: string): ContentManagerPart {
  const userName = String(input.doc.userName);
  const cm: ContentManagerPart = { username: userName, upn: userName, createdBy: integrationId, created: timestamp, lastModified: timestamp };
  if (input.contentManager.displayName !== undefined) cm.displayName = input.contentManager.displayName;
  if (input.contentManager.email !== undefined) cm.email = input.contentManager.email;
  assertContentManagerFieldsFit(cm);
  return cm;
}

/**
 * The person once a source's record has been deleted or removed from `next`: the Content Manager user that source
 * created goes too (the others' records stay, staged under the UPN, so an import of it links them again), and the
 * person itself when nothing is left.
 */
export function afterSourceLeft(next: PersonRecord, integrationId: string): PersonRecord | 'delete' {
  if (next.cm?.createdBy === integrationId) {
    next.stagedUpn = next.cm.upn;
    delete next.cm;
  }
  const live = Object.values(next.sources).some((source) => source.deleted !== true);
  return next.cm === undefined && !live ? 'delete' : next;
}
