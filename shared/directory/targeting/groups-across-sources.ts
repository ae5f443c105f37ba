// The groups of every data source in one list, as the admin reviews them for targeting: filters (status, source,
// kind, name), pages in (integration id, group id) order, the switch for many groups at once, a group's members and a
// person's groups. Hybrid tenants import the same group from two sources (on-premises AD and Entra): a group whose
// display name (case-insensitively) or on-premises SID another source's group also carries is shown with those groups
// as its possible duplicates. Both are looked up in every other source's index rows, whichever page the other group
// is on: a name with one point read per other source (each source's groups are unique by name), a SID (carried by
// Graph groups synced from AD) with one range read of that source's SID index. A group whose source gives no kind
// (SCIM groups) is shown with kind `unclassified` (absent, not assumed to be security: Entra may provision Microsoft
// 365 groups over SCIM too).
import { caseFoldKey } from '../../storage/keys.js';
import { forEachBounded } from '../../storage/transactions.js';
import type { GroupRecord } from '../model/group-record.js';
import type { IntegrationRecord } from '../model/integration-record.js';
import type { GroupStore, MembershipStore } from '../model/stores.js';
import type { GroupMemberIndex, MemberPage } from '../model/targeting-attribute.js';
import type { SourceGroups } from '../source-groups.js';

export type GroupStatusFilter = 'enabled' | 'disabled' | 'all';

/** Kind shown for a group whose source does not say (SCIM groups). */
export const UNCLASSIFIED_KIND = 'unclassified';

export interface GroupListOptions {
  status: GroupStatusFilter;
  integrationId?: string;
  kind?: string;
  /** Case-insensitive part of the display name. */
  search?: string;
  pageSize: number;
  after?: GroupRef;
}

export interface GroupRef {
  integrationId: string;
  groupId: string;
}

export interface DuplicateHint {
  integrationId: string;
  groupId: string;
  displayName: string;
  reason: 'displayName' | 'onPremisesSid';
}

export interface GroupListItem {
  integrationId: string;
  integrationName: string;
  id: string;
  displayName: string;
  externalId?: string;
  kind: string;
  enabled: boolean;
  lastModified: string;
  possibleDuplicates: DuplicateHint[];
}

export interface GroupListPage {
  groups: GroupListItem[];
  /** The last group of the page, when more may follow. */
  last?: GroupRef;
}

const kindOf = (group: GroupRecord): string => group.kind ?? UNCLASSIFIED_KIND;

export class GroupsAcrossSources {
  constructor(
    private readonly groups: GroupStore,
    private readonly sourceGroups: Pick<SourceGroups, 'setEnabled'>,
    private readonly memberships: Pick<MembershipStore, 'groupsOf'>,
    private readonly memberPages: Pick<GroupMemberIndex, 'page'>,
    private readonly integrations: () => Promise<IntegrationRecord[]>,
  ) {}

  async list(options: GroupListOptions): Promise<GroupListPage> {
    const integrations = (await this.integrations()).sort((a, b) => a.id.localeCompare(b.id));
    const search = options.search?.normalize('NFC').toLowerCase();
    const found: { group: GroupRecord; integration: IntegrationRecord }[] = [];
    let more = false;
    for (const integration of integrations) {
      if (options.integrationId !== undefined && integration.id !== options.integrationId) continue;
      if (options.after !== undefined && integration.id < options.after.integrationId) continue;
      const afterId = options.after?.integrationId === integration.id ? options.after.groupId : undefined;
      for await (const group of this.groups.list(integration.id)) {
        if (afterId !== undefined && group.id <= afterId) continue;
        if (options.status !== 'all' && group.enabled !== (options.status === 'enabled')) continue;
        if (options.kind !== undefined && kindOf(group) !== options.kind) continue;
        if (search !== undefined && !group.displayName.normalize('NFC').toLowerCase().includes(search)) continue;
        if (found.length === options.pageSize) {
          more = true;
          break;
        }
        found.push({ group, integration });
      }
      if (more) break;
    }
    const items = await this.withDuplicates(found, integrations);
    const lastItem = items[items.length - 1];
    return { groups: items, ...(more && lastItem !== undefined ? { last: { integrationId: lastItem.integrationId, groupId: lastItem.id } } : {}) };
  }

  private async withDuplicates(found: { group: GroupRecord; integration: IntegrationRecord }[], integrations: IntegrationRecord[]): Promise<GroupListItem[]> {
    const entries = found.map(({ group, integration }) => ({
      sid: group.onPremisesSecurityIdentifier,
      item: {
        integrationId: integration.id,
        integrationName: integration.displayName,
        id: group.id,
        displayName: group.displayName,
        ...(group.externalId === undefined ? {} : { externalId: group.externalId }),
        kind: kindOf(group),
        enabled: group.enabled,
        lastModified: group.lastModified,
        possibleDuplicates: [] as DuplicateHint[],
      },
    }));
    await forEachBounded(entries, 8, async ({ sid, item }) => {
      for (const other of integrations) {
        if (other.id === item.integrationId) continue;
        for (const twin of sid === undefined ? [] : await this.groups.findByOnPremisesSid(other.id, sid)) {
          item.possibleDuplicates.push({ integrationId: other.id, groupId: twin.id, displayName: twin.displayName, reason: 'onPremisesSid' });
        }
        const namesake = await this.groups.findByDisplayName(other.id, item.displayName);
        if (namesake !== undefined && caseFoldKey(namesake.displayName) === caseFoldKey(item.displayName) && !item.possibleDuplicates.some((hint) => hint.groupId === namesake.id)) {
          item.possibleDuplicates.push({ integrationId: other.id, groupId: namesake.id, displayName: namesake.displayName, reason: 'displayName' });
        }
      }
    });
    return entries.map(({ item }) => item);
  }

  /** Switches targeting for each group; answers those not found. */
  async setEnabled(refs: GroupRef[], enabled: boolean): Promise<{ updated: GroupRef[]; notFound: GroupRef[] }> {
    const updated: GroupRef[] = [];
    const notFound: GroupRef[] = [];
    await forEachBounded(refs, 8, async (ref) => {
      const group = await this.sourceGroups.setEnabled(ref.integrationId, ref.groupId, enabled);
      (group === undefined ? notFound : updated).push(ref);
    });
    return { updated, notFound };
  }

  members(ref: GroupRef, options: { pageSize: number; continuationToken?: string }): Promise<MemberPage> {
    return this.memberPages.page(ref.integrationId, ref.groupId, options);
  }

  /** The groups of every source that list the person directly. */
  async groupsOf(personId: string): Promise<GroupListItem[]> {
    const integrations = await this.integrations();
    const found: { group: GroupRecord; integration: IntegrationRecord }[] = [];
    await forEachBounded(integrations, 4, async (integration) => {
      for (const groupId of await this.memberships.groupsOf(integration.id, personId)) {
        const group = await this.groups.get(integration.id, groupId);
        if (group !== undefined) found.push({ group, integration });
      }
    });
    found.sort((a, b) => a.integration.id.localeCompare(b.integration.id) || a.group.displayName.localeCompare(b.group.displayName));
    return this.withDuplicates(found, integrations);
  }
}
