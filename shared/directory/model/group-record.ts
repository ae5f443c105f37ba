// A data source's group and one of its memberships, as the directory knows them (shared/storage stores them).

export interface GroupRecord {
  id: string;
  integrationId: string;
  displayName: string;
  externalId?: string;
  /**
   * What kind of group its source says it is: a Graph group's `security`, `mailEnabledSecurity`, `microsoft365` or
   * `dynamic` (shared/graph/group-kinds.ts); absent when the source does not say (SCIM groups).
   */
  kind?: string;
  /** The SID of the on-premises AD group it was synced from (Graph's onPremisesSecurityIdentifier), when there is one. */
  onPremisesSecurityIdentifier?: string;
  /** Whether an admin enabled the group for targeting; groups created by Entra start disabled. */
  enabled: boolean;
  created: string;
  lastModified: string;
  version: number;
  /**
   * Set while a POST writes the group's first members: the group is not shown (GET, filters, lists answer as if it
   * did not exist) until they are in, and a later POST of the same displayName takes over a pending group left by a
   * request that stopped half-way.
   */
  pending?: boolean;
  etag?: string;
}

/** One member of a group: a user (a person's id) or another group of the same source. */
export interface MemberRow {
  value: string;
  type: 'User' | 'Group';
  display?: string;
}
