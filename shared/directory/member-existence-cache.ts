// Which member ids a group PATCH recently found to exist in an integration, so adding the same user to many groups
// (Entra's usual pattern: every user is in several groups) reads the user once per interval, not once per group.
// Deletes through this instance forget the id at once; another instance's delete is seen after at most the TTL,
// the same window in which a check-then-write could race without the cache.

/** How long a positive existence check is trusted. */
export const MEMBER_EXISTENCE_TTL_MS = 30_000;
const MAX_ENTRIES = 200_000;

export class MemberExistenceCache {
  private readonly known = new Map<string, { type: 'User' | 'Group'; until: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  get(integrationId: string, memberId: string): 'User' | 'Group' | undefined {
    const key = `${integrationId}|${memberId}`;
    const hit = this.known.get(key);
    if (hit === undefined) return undefined;
    if (hit.until < this.now()) {
      this.known.delete(key);
      return undefined;
    }
    return hit.type;
  }

  remember(integrationId: string, memberId: string, type: 'User' | 'Group'): void {
    if (this.known.size >= MAX_ENTRIES) this.known.clear();
    this.known.set(`${integrationId}|${memberId}`, { type, until: this.now() + MEMBER_EXISTENCE_TTL_MS });
  }

  forget(integrationId: string, memberId: string): void {
    this.known.delete(`${integrationId}|${memberId}`);
  }
}
