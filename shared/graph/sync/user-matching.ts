// Which Content Manager user a Graph user is, by the integration's matching key, and the document the Graph source
// keeps for a matched user. UPN matches the Content Manager UPN case-insensitively (as SCIM does); mail matches the
// Content Manager user's e-mail (the model has one; an e-mail two users share matches neither); every other key
// (upnPrefix, employeeId, onPremisesSamAccountName, an extension attribute) matches the Content Manager username.
// Users are never created: a Graph user without a match is only counted.
import type { CatalogAttribute } from '../../directory/attribute-catalog.js';
import type { PersonRecord } from '../../directory/model/person-record.js';
import type { PersonDirectory, SourceChange } from '../../directory/person-directory.js';
import type { GraphObject } from '../graph-client.js';
import { forEachBounded } from '../../storage/transactions.js';
import type { GraphIntegrationSettings, MatchingKey } from '../graph-integration-settings.js';
import { userAttributeValue } from '../graph-user-attributes.js';
import { matchingValue } from '../graph-user-query.js';

export type MatchingPeople = Pick<PersonDirectory, 'findContentManagerUsers' | 'findIndexed' | 'get'>;

/** Concurrent per-user matches by e-mail. */
const MAIL_MATCH_PARALLELISM = 8;

/**
 * The Content Manager user each Graph user matches (undefined for none), in their order. UPN and username keys are
 * looked up together, a few queries per person partition (PersonDirectory.findContentManagerUsers); e-mail one user
 * at a time, since its index lists candidates each to be checked.
 */
export async function findMatches(users: readonly GraphObject[], key: MatchingKey, people: MatchingPeople): Promise<(PersonRecord | undefined)[]> {
  const values = users.map((user) => matchingValue(user, key));
  if (key.kind === 'mail') {
    const found = new Array<PersonRecord | undefined>(users.length);
    await forEachBounded([...values.keys()], MAIL_MATCH_PARALLELISM, async (index) => {
      const value = values[index];
      found[index] = value === undefined ? undefined : await findByEmail(value, people);
    });
    return found;
  }
  const present = values.filter((value): value is string => value !== undefined);
  const byValue = await people.findContentManagerUsers(key.kind === 'upn' ? 'upn' : 'username', present);
  return values.map((value) => (value === undefined ? undefined : byValue.get(value)));
}

async function findByEmail(email: string, people: MatchingPeople): Promise<PersonRecord | undefined> {
  const folded = email.toLowerCase();
  const ids = (await people.findIndexed({ scope: 'cm', attr: 'email', value: folded })) ?? [];
  const found: PersonRecord[] = [];
  for (const id of ids) {
    const person = await people.get(id);
    if (person?.cm?.email?.toLowerCase() === folded) found.push(person);
  }
  return found.length === 1 ? found[0] : undefined;
}

function catalogType(name: string, value: unknown): string {
  const item: unknown = Array.isArray(value) ? value[0] : value;
  if (typeof item === 'boolean') return 'boolean';
  if (typeof item === 'number') return Number.isInteger(item) ? 'integer' : 'decimal';
  return /DateTime$|Date$/.test(name) ? 'dateTime' : 'string';
}

function setPath(doc: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let target = doc;
  for (const part of parts.slice(0, -1)) {
    const next = target[part];
    target = (typeof next === 'object' && next !== null ? next : (target[part] = {})) as Record<string, unknown>;
  }
  target[parts[parts.length - 1] as string] = value;
}

/**
 * This source's document of a matched user: `userName` (the name the directory knows the person by in this source,
 * unique within it) is the Graph object id, which never changes, so renamed or swapped UPNs never make two people of
 * the source claim one name; `externalId` is the object id too, `userPrincipalName` the UPN; then each imported
 * attribute under Graph's own name (a dotted name nested as Graph nests it); attributes without a value are left out.
 * Unindexed: no SCIM client reads a Graph integration's view, so nothing looks its values up by filter, and its
 * externalId needs no index row (the sync finds its users by their `u-` rows).
 */
export function graphSourceDocument(user: GraphObject, settings: Pick<GraphIntegrationSettings, 'userAttributes'>): SourceChange {
  const doc: Record<string, unknown> = { userName: String(user.id), externalId: String(user.id), userPrincipalName: String(user.userPrincipalName) };
  const attributes: CatalogAttribute[] = [];
  for (const name of settings.userAttributes) {
    const value = userAttributeValue(user, name);
    if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) continue;
    setPath(doc, name, value);
    attributes.push({ path: name, type: catalogType(name, value) });
  }
  return { doc, attributes, unindexed: true };
}
