// The membership steps: one step per selected group makes our group's user members equal to the matched users among
// its Graph members (direct, or at any depth through Graph's transitiveMembers, which Graph flattens cycle-safely),
// adding and removing only the difference, so a step run again changes nothing. In transitive mode it also keeps
// which Graph groups are nested in the group at any depth, so a delta run recomputes a group when any of them
// changes. A fan-out step hands out these steps a page of groups at a time: the groups a full run saw, or the groups
// a delta run's changes reach (those reached only by users coming and going get the cheaper memberEdges step,
// member-edge-steps.ts). The members a step changes are journaled before it writes (membership-journal.ts).
import type { MemberInput } from '../../directory/source-groups.js';
import type { SyncStepRequest } from '../../sync-runs/step-messages.js';
import { GRAPH_MAX_PAGE_SIZE, type GraphObject, type GraphPage } from '../graph-client.js';
import { GraphRequestError } from '../graph-errors.js';
import { listDirectMembers, listTransitiveUserMembers } from '../graph-directory-reader.js';
import { userSelect } from '../graph-user-query.js';
import { DRY_RUN_NEW_GROUP } from './group-steps.js';
import { journalBeforeChange, settleEarlierAttempt } from './membership-journal.js';
import { RunReadOnce } from './run-read-once.js';
import { logChange, type StepTally, type SyncContext } from './sync-context.js';
import type { ChangedGroups } from './sync-state-store.js';
import { findMatches } from './user-matching.js';

export interface MembersPayload {
  /** The Graph group. */
  readonly g: string;
  /** Our group ('new' in a dry run for a group it would create). */
  readonly id: string;
  /**
   * Set by a real full run, whose first stage matched every Graph user and stamped the `u-` row of each matched one
   * with the run: members are then matched by those rows (read once per process) instead of each one again.
   */
  readonly matched?: true;
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
  const transitive = ctx.settings.membershipDepth === 'transitive';
  const matched = payload.matched === true && !ctx.dryRun ? await usersMatchedByRun(ctx) : undefined;
  // Members matched by the run's rows need only their ids.
  const select: readonly [string, ...string[]] = matched !== undefined ? ['id'] : userSelect(ctx.settings);
  let desired: Map<string, MemberInput>;
  try {
    const members = transitive ? listTransitiveUserMembers(ctx.client, payload.g, select) : listDirectMembers(ctx.client, payload.g, select);
    desired = await matchedMembers(ctx, members, matched);
  } catch (error) {
    // Deleted in Graph since it was listed: the next run removes it; its members stay as they were meanwhile.
    if (error instanceof GraphRequestError && error.status === 404) {
      tally.errors.push({ message: `Graph group ${payload.g} could not be read: it no longer exists.`, ...(error.requestId === undefined ? {} : { requestId: error.requestId }) });
      return [];
    }
    throw error;
  }
  const descendants = ctx.dryRun ? undefined : { ids: transitive ? await nestedGroupIds(ctx, payload.g) : [] };
  await settleEarlierAttempt(ctx, payload.g, 'm');
  const current = await currentUserMembers(ctx, payload.id);
  const add = [...desired.values()].filter((member) => !current.has(member.value));
  const remove = [...current].filter((id) => !desired.has(id));
  tally.add('membershipsAdded', add.length);
  tally.add('membershipsRemoved', remove.length);
  if (add.length + remove.length > 0) tally.change(`group ${payload.id}: add ${add.length} members, remove ${remove.length}`);
  if (ctx.dryRun) return [];
  await journalBeforeChange(ctx, { runId: ctx.runId, graphId: payload.g, step: 'm', groupId: payload.id, memberIds: [...add.map((member) => member.value), ...remove] }, descendants);
  if (add.length + remove.length > 0) {
    await ctx.groups.changeMembers(ctx.integrationId, payload.id, { removeAll: false, add, remove });
    logChange(ctx, { operation: 'update', resourceType: 'Group', resourceId: payload.id });
  }
  return [];
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
    for (const row of page.rows) {
      if (payload.mode === 'seen' || row.groupId === DRY_RUN_NEW_GROUP) {
        steps.push({ kind: 'members', payload: { g: row.graphId, id: row.groupId, ...(payload.mode === 'seen' && !ctx.dryRun ? { matched: true } : {}) } });
      }
    }
    next = page.next;
  } else {
    const [plan, changed, page] = await Promise.all([ctx.store.getPlan(ctx.runId), ctx.store.changed(ctx.runId), ctx.store.groupsPage(payload.c)]);
    for (const row of page.rows) {
      const reach = reachOf(row.graphId, row.descendants, changed);
      if (plan.rematchAll === true || reach === 'whole') steps.push({ kind: 'members', payload: { g: row.graphId, id: row.groupId } });
      else if (reach === 'edges') steps.push({ kind: 'memberEdges', payload: { g: row.graphId, id: row.groupId } });
    }
    next = page.next;
  }
  if (next !== undefined) steps.push({ kind: 'fanOut', payload: { mode: payload.mode, c: next } });
  return steps;
}
