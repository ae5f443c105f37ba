// What this instance has recently seen each member id to be in an integration's view (a user or a group), and when.
// A member add trusts an entry seen within MEMBER_TRUST_MS unless the departures record lists the member
// (member-departures.ts explains why that is safe); past that it reads the member again. An entry is only ever a
// sighting: whoever saw the member in view remembers it with the time it began looking, never later.

/**
 * How long a sighting of a member in a view is trusted by member adds: an hour, so that Entra's group adds trust the
 * users its previous cycle (every ~40 minutes) provisioned, and a Graph full run's membership steps trust the users its
 * users stage matched (the default shape's members stage ends about 30 minutes after them). The departures record keeps
 * its rows long enough for this window (member-departures.ts, DEPARTURE_RETENTION_MS).
 */
export const MEMBER_TRUST_MS = 60 * 60_000;
const MAX_ENTRIES = 200_000;

export class MemberExistenceCache {
  private readonly known = new Map<string, { type: 'User' | 'Group'; seen: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The start of the trust window: sightings from then on are trusted. */
  trustedSince(): number {
    return this.now() - MEMBER_TRUST_MS;
  }

  /** What the member was seen to be in the integration's view within the trust window, if it was. */
  get(integrationId: string, memberId: string): 'User' | 'Group' | undefined {
    const key = `${integrationId}|${memberId}`;
    const hit = this.known.get(key);
    if (hit === undefined) return undefined;
    if (hit.seen < this.trustedSince()) {
      this.known.delete(key);
      return undefined;
    }
    return hit.type;
  }

  /** The member was in the integration's view as this type at some moment from `seen` (ms; by default now) on. */
  remember(integrationId: string, memberId: string, type: 'User' | 'Group', seen: number = this.now()): void {
    if (this.known.size >= MAX_ENTRIES) this.known.clear();
    this.known.set(`${integrationId}|${memberId}`, { type, seen });
  }

  forget(integrationId: string, memberId: string): void {
    this.known.delete(`${integrationId}|${memberId}`);
  }

  /** The clock sightings are timed by, for a caller that remembers what it saw after looking. */
  clock(): number {
    return this.now();
  }
}
