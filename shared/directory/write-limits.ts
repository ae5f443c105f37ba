// What one write of a data source may store, checked before the first row of it is written, so a value Azure Table
// Storage would refuse is an InvalidValueError naming the attribute and leaves nothing half-written (see
// shared/storage/entity-limits.ts for Azure's limits; these stay below them with a margin). A user's document is chunked over several properties, so its
// attributes have no limit of their own beyond the 90,000 characters per data source (person-entity.ts); what is
// copied into a single property elsewhere is limited here.
import { InvalidValueError } from './errors.js';
import type { ContentManagerPart } from './model/person-record.js';

/**
 * Longest group displayName, externalId and member `display`: each is one property of at most 32,768 UTF-16 code
 * units.
 */
export const MAX_GROUP_TEXT_CHARS = 32_000;
/**
 * Longest userName, displayName and e-mail a create-mode integration gives a Content Manager user: they share one
 * property (userName twice, as username and UPN), which must fit in 32,768 code units even with every character
 * escaped as JSON.
 */
export const MAX_CONTENT_MANAGER_FIELD_CHARS = 1_024;
/** Longest attribute path recorded in the catalog, e.g. `emails[type eq "work"].value` or `urn:…:costCenter`. */
export const MAX_ATTRIBUTE_PATH_CHARS = 1_024;
/** Characters of an offending path or id quoted in an error detail. */
const QUOTED_CHARS = 60;

const formatted = (n: number): string => n.toLocaleString('en-US');
const quoted = (value: string): string => JSON.stringify(value.length > QUOTED_CHARS ? `${value.slice(0, QUOTED_CHARS)}…` : value);

function tooLong(attribute: string, limit: number): Error {
  return new InvalidValueError(attribute, `${attribute} exceeds ${formatted(limit)} characters.`);
}

/** A group's displayName and externalId, and the `display` of every member it adds. */
export function assertGroupFits(doc: { displayName?: unknown; externalId?: unknown }, members: readonly { value: string; display?: string }[]): void {
  for (const attribute of ['displayName', 'externalId'] as const) {
    const value = doc[attribute];
    if (typeof value === 'string' && value.length > MAX_GROUP_TEXT_CHARS) throw tooLong(attribute, MAX_GROUP_TEXT_CHARS);
  }
  for (const member of members) {
    if (member.display !== undefined && member.display.length > MAX_GROUP_TEXT_CHARS) {
      throw tooLong(`members[value eq ${quoted(member.value)}].display`, MAX_GROUP_TEXT_CHARS);
    }
  }
}

/** The Content Manager fields a create-mode integration fills from its user document. */
export function assertContentManagerFieldsFit(cm: ContentManagerPart): void {
  const fields: [string, string | undefined][] = [
    ['userName', cm.username],
    ['displayName', cm.displayName],
    ['emails.value', cm.email],
  ];
  for (const [attribute, value] of fields) {
    if (value !== undefined && value.length > MAX_CONTENT_MANAGER_FIELD_CHARS) throw tooLong(attribute, MAX_CONTENT_MANAGER_FIELD_CHARS);
  }
}

/** Every attribute path a document would add to the catalog (an e-mail `type`, a custom attribute name…). */
export function assertAttributePathsFit(attributes: readonly { path: string }[]): void {
  for (const { path } of attributes) {
    if (path.length > MAX_ATTRIBUTE_PATH_CHARS) {
      throw new InvalidValueError(path, `The attribute path ${quoted(path)} exceeds ${formatted(MAX_ATTRIBUTE_PATH_CHARS)} characters.`);
    }
  }
}
