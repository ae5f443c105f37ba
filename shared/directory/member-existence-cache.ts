// What a group PATCH recently found each member id to be in an integration (a user or a group), so the member rows it
// writes first carry the right type without a read. It is only a guess: every member is checked afterwards with a
// fresh read (scim-groups.ts addMembers), because a delete in another instance would not be seen here.

/** How long a remembered type is used as the guess. */
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
