// The membership steps: for each of its selected groups (several to a step, so that the step's bookkeeping and the
// member-side writes are shared), a step makes our group's user members equal to the matched users among its Graph
// members (direct, or at any depth through Graph's transitiveMembers, which Graph flattens cycle-safely), adding and
// removing only the difference, so a step run again changes nothing. In transitive mode it also keeps which Graph
// groups are nested in each group at any depth, so a delta run recomputes a group when any of them changes. A fan-out
// step hands out these steps a page of groups at a time: the groups a full run saw, or the groups a delta run's
// changes reach (those reached only by users coming and going get the cheaper memberEdges step,
// member-edge-steps.ts). The members a step changes are journaled before it writes (membership-journal.ts), and the
// changes of all its groups are written as one (SourceGroups.changeMembersOfGroups).
import type { GroupMembersChange } from '../../directory/membership-changes.js';
import type { MemberInput } from '../../directory/source-groups.js';
import type { SyncStepRequest } from '../../sync-runs/step-messages.js';
import { GRAPH_MAX_PAGE_SIZE, type GraphObject, type GraphPage } from '../graph-client.js';
import { GraphRequestError } from '../graph-errors.js';
import { listDirectMembers, listTransitiveUserMembers } from '../graph-directory-reader.js';
import { userSelect } from '../graph-user-query.js';
import { DRY_RUN_NEW_GROUP } from './group-steps.js';
import { type EarlierChanges, journalBeforeChanges, type JournalEntry, settleEarlierAttempts } from './membership-journal.js';
import { RunReadOnce } from './run-read-once.js';
import { logChange, type StepTally, type SyncContext } from './sync-context.js';
import type { ChangedGroups, JournaledGroup } from './sync-state-store.js';
import { findMatches } from './user-matching.js';

/** A selected group: its Graph id and ours ('new' in a dry run for a group it would create). */
export interface GroupRef {
  readonly g: string;
  readonly id: string;
  /**
   * A memberEdges step's group: the Graph groups nested in it whose direct members changed in the run, as the fan-out
   * found them (so the step need not read the group's `g-` row again); absent when the fan-out left it to the step.
   */
  readonly r?: readonly string[];
}

export interface MembersPayload {
  /** The groups of the step (a step of an earlier version named one, as `g` and `id`). */
  readonly groups: readonly GroupRef[];
  /**
   * Set by a real full run, whose first stage matched every Graph user and stamped the `u-` row of each matched one
   * with the run: members are then matched by those rows (read once per process) instead of each one again.
   */
  readonly matched?: true;
}

/**
 * Groups handed to one membership step: the step's bookkeeping (its marker, the commit, the provisioning log's write)
 * is paid once for them, and their member-side rows share transactions. A members step reads whole groups from Graph,
 * a memberEdges step only the users that came and went.
 */
export const GROUPS_PER_MEMBERS_STEP = 8;
export const GROUPS_PER_MEMBER_EDGES_STEP = 16;

const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');

const isGroupRef = (value: unknown): value is GroupRef =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as GroupRef).g === 'string' &&
  typeof (value as GroupRef).id === 'string' &&
  ((value as GroupRef).r === undefined || isStringList((value as GroupRef).r));

/** A group reference as a step carries it: its ids, and the nested groups that changed when known. */
type GroupRefJson = { g: string; id: string; r?: string[] };
const refOf = ({ g, id, r }: GroupRef): GroupRefJson => (r === undefined ? { g, id } : { g, id, r: [...r] });

/** The groups and flag of a membership step's payload, in either shape; undefined when it is neither. */
export function membershipPayloadOf(payload: unknown): MembersPayload | undefined {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
  const { groups, matched } = payload as { groups?: unknown; matched?: unknown };
  const list: unknown[] = Array.isArray(groups) ? groups : [payload];
  if (list.length === 0 || !list.every(isGroupRef)) return undefined;
  return { groups: list.map(refOf), ...(matched === true ? { matched: true } : {}) };
}

/** Steps of `kind` for these groups, `size` to a step. */
export function membershipSteps(kind: 'members' | 'memberEdges', groups: readonly GroupRef[], size: number, extra: { matched?: true } = {}): SyncStepRequest[] {
  const steps: SyncStepRequest[] = [];
  for (let index = 0; index < groups.length; index += size) steps.push({ kind, payload: { groups: groups.slice(index, index + size).map(refOf), ...extra } });
  return steps;
}

/**
 * Nested groups a memberEdges step carries for its groups, at most: the fan-out's follow-ups are kept in its step
 * marker (MAX_FOLLOW_UPS_JSON_CHARS) and each is one queue message. A group whose list would pass it is left to read
 * its own `g-` row.
 */
export const CHANGED_NESTED_IDS_PER_STEP = 150;

/**
 * The fan-out's edges groups with the Graph groups nested in each whose direct members changed (`r`), while the
 * step each falls in (`groupsPerStep` to a step, as membershipSteps cuts them) has room for them; in direct mode no
 * group needs any.
 */
function withChangedNested(groups: readonly { ref: GroupRef; descendants: readonly string[] }[], changedEdges: ReadonlySet<string>, transitive: boolean, groupsPerStep: number): GroupRef[] {
  const refs: GroupRef[] = [];
  let room = 0;
  for (const [index, { ref, descendants }] of groups.entries()) {
    if (index % groupsPerStep === 0) room = CHANGED_NESTED_IDS_PER_STEP;
    const changed = transitive ? descendants.filter((id) => id !== ref.g && changedEdges.has(id)) : [];
    if (changed.length > room) {
      refs.push(ref);
      continue;
    }
    room -= changed.length;
    refs.push({ ...ref, r: changed });
  }
  return refs;
}

/** One group's difference, worked out by a membership step before anything is written. */
export interface GroupDifference {
  readonly group: GroupRef;
  readonly add: MemberInput[];
  readonly remove: string[];
  /** A members step's Graph groups nested in the group (`ids` undefined: not known). */
  readonly descendants?: JournaledGroup['descendants'];
}

/**
 * Applies a step's differences (none in a dry run): journaled first, then written as one change, each changed group
 * recorded in the provisioning log. Counted and sampled in the tally in both.
 */
async function applyDifferences(ctx: SyncContext, step: JournalEntry['step'], differences: readonly GroupDifference[], earlier: EarlierChanges, tally: StepTally): Promise<void> {
  // What this attempt and any earlier one (a redelivery) changed in each group: counted, and journaled again.
  const changed = differences.map(({ group, add, remove, descendants }) => {
    const before = earlier.get(group.g);
    const added = [...new Set([...(before?.added ?? []), ...add.map((member) => member.value)])];
    const removed = [...new Set([...(before?.removed ?? []), ...remove])];
    countChanges(tally, group.id, { added, removed });
    return { entry: { runId: ctx.runId, graphId: group.g, step, groupId: group.id, memberIds: [...added, ...removed], adds: added.length }, ...(descendants === undefined ? {} : { descendants }) };
  });
  if (ctx.dryRun) return;
  await journalBeforeChanges(ctx, changed);
  const changes: GroupMembersChange[] = differences.filter(({ add, remove }) => add.length + remove.length > 0).map(({ group, add, remove }) => ({ groupId: group.id, add, remove }));
  if (changes.length === 0) return;
  await ctx.groups.changeMembersOfGroups(ctx.integrationId, changes);
  for (const { groupId } of changes) logChange(ctx, { operation: 'update', resourceType: 'Group', resourceId: groupId });
}

/**
 * Groups of a step whose differences are worked out at once: a members step reads its groups' whole member lists,
 * one group at a time, so that a step holds no more than a step of one group did (the queue runs up to 24 steps at
 * once); a memberEdges step reads only the users that came and went.
 */
const GROUPS_READ_AT_ONCE: Readonly<Record<JournalEntry['step'], number>> = { m: 1, e: 4 };
/**
 * Memberships a step writes as one change, at most (a single group's larger change is written alone): what a step
 * holds at once stays bounded whatever the size of its groups.
 */
export const MEMBERSHIPS_PER_CHANGE = 500;

/**
 * A membership step's work on its groups: what an earlier attempt recorded settled first (a redelivery), then each
 * group's difference worked out (`work`; a group answering none is left out), GROUPS_READ_AT_ONCE at a time, and applied as
 * one change per MEMBERSHIPS_PER_CHANGE memberships.
 */
export async function changeGroups(ctx: SyncContext, step: JournalEntry['step'], groups: readonly GroupRef[], work: (group: GroupRef) => Promise<GroupDifference | undefined>, tally: StepTally): Promise<void> {
  const earlier = await settleEarlierAttempts(ctx, groups.map((group) => group.g), step);
  /** Groups with a difference of this attempt (an earlier attempt's changes of the others are counted at the end). */
  const differing = new Set<string>();
  let pending: GroupDifference[] = [];
  let memberships = 0;
  const window = GROUPS_READ_AT_ONCE[step];
  for (let index = 0; index < groups.length; index += window) {
    for (const difference of await Promise.all(groups.slice(index, index + window).map(work))) {
      if (difference === undefined) continue;
      differing.add(difference.group.g);
      const size = difference.add.length + difference.remove.length;
      if (pending.length > 0 && memberships + size > MEMBERSHIPS_PER_CHANGE) {
        await applyDifferences(ctx, step, pending, earlier, tally);
        pending = [];
        memberships = 0;
      }
      pending.push(difference);
      memberships += size;
    }
  }
  if (pending.length > 0) await applyDifferences(ctx, step, pending, earlier, tally);
  // Groups an earlier attempt changed and this one found nothing left to change in.
  for (const group of groups) {
    const before = earlier.get(group.g);
    if (before !== undefined && !differing.has(group.g)) countChanges(tally, group.id, { added: [...before.added], removed: [...before.removed] });
  }
}

function countChanges(tally: StepTally, groupId: string, { added, removed }: { readonly added: readonly string[]; readonly removed: readonly string[] }): void {
  tally.add('membershipsAdded', added.length);
  tally.add('membershipsRemoved', removed.length);
  if (added.length + removed.length > 0) tally.change(`group ${groupId}: add ${added.length} members, remove ${removed.length}`);
}

export interface FanOutPayload {
  /**
   * `seen`: every group this full run saw; `affected`: the groups a delta run's changes reach; `dryCreated`: the groups
   * a dry delta run would create (a real run's new groups have state rows and count as changed).
   */
  readonly mode: 'seen' | 'affected' | 'dryCreated';
  readonly c?: string;
}

/** Users one process keeps from a run's `u-` rows (about 15 MB at 100,000); a larger tenant matches members again. */
const RUN_MATCHES_LIMIT = 250_000;
const runMatches = new RunReadOnce<Map<string, string> | undefined>();

/** The users this real full run matched, read once per process and run (the last run's only), shared by its steps. */
function usersMatchedByRun(ctx: SyncContext): Promise<Map<string, string> | undefined> {
  return runMatches.get(ctx, () => ctx.store.usersMatchedBy(ctx.runId, RUN_MATCHES_LIMIT));
}

const isUser = (member: GraphObject): boolean => member['@odata.type'] === undefined || member['@odata.type'] === '#microsoft.graph.user';

/** The matched users among the members: by the run's matches when given, else each matched again. */
async function matchedMembers(ctx: SyncContext, pages: AsyncIterable<GraphPage>, matched: Map<string, string> | undefined): Promise<Map<string, MemberInput>> {
  const desired = new Map<string, MemberInput>();
  for await (const page of pages) {
    if (matched !== undefined) {
      // A user without a row of this run is one it saw unmatched (or not at all): the reconciling stage removes it.
      for (const member of page.value.filter(isUser)) {
        const personId = matched.get(String(member.id));
        if (personId !== undefined) desired.set(personId, { value: personId, type: 'User' });
      }
      continue;
    }
    for (const person of await findMatches(page.value.filter(isUser), ctx.settings.matchingKey, ctx.people)) {
      if (person !== undefined) desired.set(person.id, { value: person.id, type: 'User' });
    }
  }
  return desired;
}

/** The Graph groups nested in a group at any depth (none for a Microsoft 365 group, which cannot hold groups). */
async function nestedGroupIds(ctx: SyncContext, graphId: string): Promise<string[]> {
  const url = ctx.client.url(`/groups/${encodeURIComponent(graphId)}/transitiveMembers/microsoft.graph.group`, { select: ['id'], top: GRAPH_MAX_PAGE_SIZE, count: true });
  const ids: string[] = [];
  try {
    for await (const group of ctx.client.objects(url, { advancedQuery: true })) ids.push(String(group.id));
  } catch (error) {
    if (error instanceof GraphRequestError && error.code === 'Request_UnsupportedQuery') return [];
    throw error;
  }
  return ids;
}

async function currentUserMembers(ctx: SyncContext, groupId: string): Promise<Set<string>> {
  const current = new Set<string>();
  if (ctx.dryRun && groupId === DRY_RUN_NEW_GROUP) return current;
  for await (const rows of ctx.groups.members(ctx.integrationId, groupId)) for (const row of rows) if (row.type === 'User') current.add(row.value);
  return current;
}

export async function membersStep(ctx: SyncContext, payload: MembersPayload, tally: StepTally): Promise<SyncStepRequest[]> {
  const matched = payload.matched === true && !ctx.dryRun ? await usersMatchedByRun(ctx) : undefined;
  await changeGroups(ctx, 'm', payload.groups, (group) => membersDifference(ctx, group, matched, tally), tally);
  return [];
}

async function membersDifference(ctx: SyncContext, group: GroupRef, matched: Map<string, string> | undefined, tally: StepTally): Promise<GroupDifference | undefined> {
  const transitive = ctx.settings.membershipDepth === 'transitive';
  // Members matched by the run's rows need only their ids.
  const select: readonly [string, ...string[]] = matched !== undefined ? ['id'] : userSelect(ctx.settings);
  let desired: Map<string, MemberInput>;
  try {
    const members = transitive ? listTransitiveUserMembers(ctx.client, group.g, select) : listDirectMembers(ctx.client, group.g, select);
    desired = await matchedMembers(ctx, members, matched);
  } catch (error) {
    // Deleted in Graph since it was listed: the next run removes it; its members stay as they were meanwhile.
    if (error instanceof GraphRequestError && error.status === 404) {
      tally.errors.push({ message: `Graph group ${group.g} could not be read: it no longer exists.`, ...(error.requestId === undefined ? {} : { requestId: error.requestId }) });
      return undefined;
    }
    throw error;
  }
  const descendants = ctx.dryRun ? undefined : { ids: transitive ? await nestedGroupIds(ctx, group.g) : [] };
  const current = await currentUserMembers(ctx, group.id);
  const add = [...desired.values()].filter((member) => !current.has(member.value));
  const remove = [...current].filter((id) => !desired.has(id));
  return { group, add, remove, ...(descendants === undefined ? {} : { descendants }) };
}

/**
 * How a delta run's changes reach a selected group: `whole` when it, or a group nested in it, changed in a way only a
 * new read of its members can follow (or what is nested in it is not known); `edges` when only users came or went
 * there (applied by the memberEdges step); undefined when nothing reaches it.
 */
function reachOf(graphId: string, descendants: readonly string[] | undefined, changed: ChangedGroups): 'whole' | 'edges' | undefined {
  const reaches = (set: Set<string>): boolean => set.has(graphId) || (set.size > 0 && (descendants === undefined || descendants.some((id) => set.has(id))));
  if (reaches(changed.whole)) return 'whole';
  if (!reaches(changed.edges)) return undefined;
  return descendants === undefined ? 'whole' : 'edges';
}

/** One page of groups to recompute, and the next page. */
export async function fanOutStep(ctx: SyncContext, payload: FanOutPayload): Promise<SyncStepRequest[]> {
  const steps: SyncStepRequest[] = [];
  let next: string | undefined;
  if (payload.mode !== 'affected') {
    const page = await ctx.store.seenGroupsPage(ctx.runId, ctx.dryRun, payload.c);
    const groups = page.rows.filter((row) => payload.mode === 'seen' || row.groupId === DRY_RUN_NEW_GROUP).map((row) => ({ g: row.graphId, id: row.groupId }));
    steps.push(...membershipSteps('members', groups, GROUPS_PER_MEMBERS_STEP, payload.mode === 'seen' && !ctx.dryRun ? { matched: true } : {}));
    next = page.next;
  } else {
    const [plan, changed, page] = await Promise.all([ctx.store.getPlan(ctx.runId), ctx.store.changed(ctx.runId), ctx.store.groupsPage(payload.c)]);
    const whole: GroupRef[] = [];
    const edges: { ref: GroupRef; descendants: readonly string[] }[] = [];
    for (const row of page.rows) {
      const reach = reachOf(row.graphId, row.descendants, changed);
      if (plan.rematchAll === true || reach === 'whole') whole.push({ g: row.graphId, id: row.groupId });
      else if (reach === 'edges') edges.push({ ref: { g: row.graphId, id: row.groupId }, descendants: row.descendants ?? [] });
    }
    const transitive = ctx.settings.membershipDepth === 'transitive';
    steps.push(...membershipSteps('members', whole, GROUPS_PER_MEMBERS_STEP), ...membershipSteps('memberEdges', withChangedNested(edges, changed.edges, transitive, GROUPS_PER_MEMBER_EDGES_STEP), GROUPS_PER_MEMBER_EDGES_STEP));
    next = page.next;
  }
  if (next !== undefined) steps.push({ kind: 'fanOut', payload: { mode: payload.mode, c: next } });
  return steps;
}
