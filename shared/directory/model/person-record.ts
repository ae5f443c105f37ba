// The directory's person: the organisation's Content Manager part (absent for a staged record) and, per data source
// (integration), what that source wrote. A domain record (shared/storage stores it, see model/stores.ts); a source's
// document is opaque JSON here.

export interface ContentManagerPart {
  username: string;
  upn: string;
  displayName?: string;
  email?: string;
  /** 'admin' for users imported through the admin API, or the id of the integration that created the user. */
  createdBy: string;
  created: string;
  lastModified: string;
}

export interface SourcePart {
  /** The attributes this source wrote, as a JSON object (for SCIM: the user resource without id and meta). */
  doc: Record<string, unknown>;
  created: string;
  lastModified: string;
  /** Set when the source deleted the user: its data is gone and the user is hidden from its view. */
  deleted?: boolean;
  /**
   * Set for a source nothing looks up by filter (a Graph integration: no SCIM client reads its view), so its values
   * need no index rows (user-view.ts requiredIndexEntriesOf).
   */
  unindexed?: true;
}

export interface PersonRecord {
  id: string;
  cm?: ContentManagerPart;
  sources: Record<string, SourcePart>;
  /**
   * The organisation-wide name key: the case-folded UPN of the Content Manager user or, for a staged record, the
   * userName it was staged under (none when another person held that name). Shared by every integration's view.
   */
  nameKeys: string[];
  /**
   * Each live source's own case-folded userName as `<integration id>:<key>`: unique within that integration only,
   * so one integration's names never block another's (an integration's own name is found before the shared UPN).
   */
  scopedKeys?: string[];
  /** For a staged record (no Content Manager part): the userName it was staged under, its organisation-wide key. */
  stagedUpn?: string;
  /** Case-folded Content Manager username, when the person is a Content Manager user. */
  usernameKey?: string;
  /** Increases with every write; the weak ETag shown to SCIM clients. */
  version: number;
  created: string;
  /** Storage ETag of the main row as read; required to update or delete. */
  etag?: string;
}
