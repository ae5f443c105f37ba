// What a Graph integration reads about each user: the attribute its matching key compares, the attributes it
// imports, and the few the sync always needs, as one explicit $select (Graph returns only what is named, and
// extension attributes only when named).
import type { GraphIntegrationSettings, MatchingKey } from './graph-integration-settings.js';
import { graphSelectNameOf, userAttributeValue } from './graph-user-attributes.js';

/** Always read: the object id (delta keys), the UPN (reports name people by it) and whether the account is enabled. */
const ALWAYS_SELECTED = ['id', 'userPrincipalName', 'accountEnabled'] as const;

/** The Graph attribute a matching key compares with the Content Manager user. */
export function matchingKeyAttribute(key: MatchingKey): string {
  switch (key.kind) {
    case 'upn':
    case 'upnPrefix':
      return 'userPrincipalName';
    case 'extensionAttribute':
      return key.attribute;
    default:
      return key.kind;
  }
}

/** The value a user offers for matching: trimmed, the part before @ for upnPrefix; undefined when it has none. */
export function matchingValue(user: Readonly<Record<string, unknown>>, key: MatchingKey): string | undefined {
  const value = userAttributeValue(user, matchingKeyAttribute(key));
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (key.kind !== 'upnPrefix') return trimmed;
  const at = trimmed.indexOf('@');
  return at <= 0 ? undefined : trimmed.slice(0, at);
}

/** The $select for the integration's user reads, each top-level property once. */
export function userSelect(settings: Pick<GraphIntegrationSettings, 'matchingKey' | 'userAttributes'>): [string, ...string[]] {
  const names = [matchingKeyAttribute(settings.matchingKey), ...settings.userAttributes].map(graphSelectNameOf);
  return [...new Set<string>([...ALWAYS_SELECTED, ...names])] as [string, ...string[]];
}
