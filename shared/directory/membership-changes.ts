// Changing the members of a source's groups, one group or several as one change (a Graph step's page of groups): a
// group's removals and additions are written together, as if the removals came first (MembershipStore.changeGroups).
// An added member must exist in the integration (a visible user or one of its
// groups; unknown ids and the group itself are ignored): rows are written first and then checked, and so is each
// group. A member is read again unless this instance saw it in view within the trust window and the departures
// record, read after the writes, does not list it (member-departures.ts: a change taking it out of view either shows
// there or comes late enough for its own clean-up to find these rows). A delete of a group racing its check either
// comes before it (which then takes the rows back out) or after it (and the deleter's clean-up, which runs after its
// delete, finds the rows). Several groups share the departures read, each member's read and the member-side
// transactions; everything else is per group, in the same order as for one.
import { forEachBounded } from '../storage/transactions.js';
import type { MemberDepartures } from './member-departures.js';
import type { MemberExistenceCache } from './member-existence-cache.js';
import type { MemberRow } from './model/group-record.js';
import type { GroupMemberIds, GroupMembers, GroupStore, MembershipStore, PeopleStore } from './model/stores.js';
import type { MemberInput } from './source-groups.js';
import { isVisible } from './user-view.js';

/** Member ids checked for existence in parallel when members are added. */
const MEMBER_CHECK_PARALLELISM = 50;
/** Groups checked for existence at once after an addition (point reads: an `or` of row keys is a partition scan). */
const GROUP_CHECK_PARALLELISM = 8;

/** One group's part of a change: members added and removed (ids). */
export interface GroupMembersChange {
  readonly groupId: string;
  readonly add: readonly MemberInput[];
  readonly remove: readonly string[];
}

type MemberType = 'User' | 'Group';

/** One group's additions: each row with the key of its member's existence check. */
interface GroupAdds {
  readonly groupId: string;
  readonly rows: MemberRow[];
  readonly keys: string[];
}

export class MembershipChanges {
  constructor(
    private readonly groups: Pick<GroupStore, 'get'>,
    private readonly memberships: MembershipStore,
    private readonly people: Pick<PeopleStore, 'getById'>,
    private readonly departures: MemberDepartures,
    private readonly knownMembers: MemberExistenceCache,
  ) {}

  /**
   * Applies the changes of several groups of one integration (idempotent: a retried change converges): each group's
   * removals and additions written together, then the added members and their groups checked.
   */
  async apply(integrationId: string, changes: readonly GroupMembersChange[]): Promise<void> {
    const trustedSince = this.knownMembers.trustedSince();
    /** Members by id and the type they were named with: each read once, whatever groups name it. */
    const named = new Map<string, MemberInput>();
    const trusted = new Set<string>();
    const adds: GroupAdds[] = [];
    for (const change of changes) {
      const unique = new Map(change.add.filter((member) => member.value !== change.groupId).map((member) => [member.value, member]));
      if (unique.size === 0) continue;
      const add: GroupAdds = { groupId: change.groupId, rows: [], keys: [] };
      for (const member of unique.values()) {
        const seen = this.knownMembers.get(integrationId, member.value);
        const key = checkKey(member);
        named.set(key, member);
        if (seen !== undefined && (member.type === undefined || member.type === seen)) trusted.add(key);
        const row: MemberRow = { value: member.value, type: member.type ?? seen ?? 'User' };
        if (member.display !== undefined) row.display = member.display;
        add.rows.push(row);
        add.keys.push(key);
      }
      adds.push(add);
    }
    const removes = changes.filter((change) => change.remove.length > 0).map(({ groupId, remove }) => ({ groupId, add: [], remove }));
    if (adds.length === 0) {
      if (removes.length > 0) await this.memberships.changeGroups(integrationId, removes);
      return;
    }
    const types = new Map<string, MemberType | undefined>();
    const missingGroups = new Set<string>();
    const checkGroups = async (groupIds: readonly string[]): Promise<void> => {
      await forEachBounded(groupIds, GROUP_CHECK_PARALLELISM, async (groupId) => {
        if (await this.groupExists(integrationId, groupId)) missingGroups.delete(groupId);
        else missingGroups.add(groupId);
      });
    };
    await this.memberships.changeGroups(
      integrationId,
      [...removes, ...adds.map(({ groupId, rows }) => ({ groupId, add: rows, remove: [] }))],
      async () => {
        const checkMembers = async (): Promise<void> => {
          const departed = trusted.size === 0 ? undefined : await this.departures.since(trustedSince);
          const toRead = [...named].filter(([key, member]) => !trusted.has(key) || departed === undefined || departed.has(member.value));
          await forEachBounded(toRead, MEMBER_CHECK_PARALLELISM, async ([key, member]) => {
            types.set(key, await this.memberType(integrationId, member));
          });
        };
        await Promise.all([checkMembers(), checkGroups(adds.map((add) => add.groupId))]);
      },
    );
    const gone: GroupMemberIds[] = [];
    const retyped: GroupMembers[] = [];
    for (const { groupId, rows, keys } of adds) {
      const goneHere: string[] = [];
      const retypedHere: MemberRow[] = [];
      for (const [index, row] of rows.entries()) {
        const key = keys[index] as string;
        if (!types.has(key)) continue;
        const type = types.get(key);
        if (type === undefined) goneHere.push(row.value);
        else if (type !== row.type) retypedHere.push({ ...row, type });
      }
      if (goneHere.length > 0) gone.push({ groupId, memberIds: goneHere });
      if (retypedHere.length > 0) retyped.push({ groupId, members: retypedHere });
    }
    if (gone.length > 0) await this.memberships.removeFromGroups(integrationId, gone);
    // Rows written again after their group was checked: checked once more.
    if (retyped.length > 0) {
      await this.memberships.addToGroups(integrationId, retyped);
      await checkGroups(retyped.map((entry) => entry.groupId));
    }
    const orphaned = adds.filter((add) => missingGroups.has(add.groupId)).map(({ groupId, rows }) => ({ groupId, memberIds: rows.map((row) => row.value) }));
    if (orphaned.length > 0) await this.memberships.removeFromGroups(integrationId, orphaned);
  }

  private async groupExists(integrationId: string, groupId: string): Promise<boolean> {
    return (await this.groups.get(integrationId, groupId, { includePending: true })) !== undefined;
  }

  /** What a member id is in this integration, read now (never from the cache, which only remembers the answer). */
  private async memberType(integrationId: string, member: MemberInput): Promise<MemberType | undefined> {
    const seen = this.knownMembers.clock();
    let type: MemberType | undefined;
    if (member.type !== 'Group') {
      const person = await this.people.getById(member.value);
      if (person !== undefined && isVisible(person, integrationId)) type = 'User';
    }
    if (type === undefined && member.type !== 'User' && (await this.groups.get(integrationId, member.value)) !== undefined) type = 'Group';
    if (type !== undefined) this.knownMembers.remember(integrationId, member.value, type, seen);
    return type;
  }
}

/** A member's existence check depends on its id and the type it was named with. */
const checkKey = (member: MemberInput): string => `${member.type ?? ''}:${member.value}`;
