// A delta run's membership step for selected groups (several to a step) reached only by users coming and going: the users added to and
// removed from the direct members of the group and of the Graph groups nested in it (members@delta, recorded by the
// groups round as edge changes) are applied without reading any group's members again. An added user is a member at
// any depth of every group holding the one it joined, so it is added. A removed user may still be in the group by
// another path (transitive mode): Graph's transitiveMemberOf of that user (one read per removed user per process and
// run, shared by the groups' steps) says whether it still is. Which nested groups changed comes with the step from
// the fan-out (GroupRef.r), or from the group's `g-` row when the fan-out left it out. Only the users named are read
// on our side too (their `u-` rows, and whether the group lists their person). A step run again changes nothing; the
// members it changes are journaled before it writes (membership-journal.ts).
import type { SyncStepRequest } from '../../sync-runs/step-messages.js';
import { forEachBounded } from '../../storage/transactions.js';
import { transitiveGroupIdsOf } from '../graph-directory-reader.js';
import { changeGroups, type GroupDifference, type GroupRef, type MembersPayload } from './member-steps.js';
import type { StepTally, SyncContext } from './sync-context.js';
import type { EdgeChange } from './sync-state-store.js';

/** User rows and Graph memberships read at once within a step. */
const READ_PARALLELISM = 8;

type EdgesByGroup = Map<string, Map<string, EdgeChange['op']>>;

/** What one process has read for the current run, shared by its steps (the last run's only: bounded by its changes). */
interface RunReads {
  readonly key: string;
  readonly edges: Promise<EdgesByGroup>;
  readonly persons: Map<string, Promise<string | undefined>>;
  readonly groupsOfUser: Map<string, Promise<Set<string>>>;
}
let runReads: RunReads | undefined;

function readsOf(ctx: SyncContext): RunReads {
  const key = `${ctx.integrationId}/${ctx.runId}`;
  if (runReads?.key !== key) {
    const edges = ctx.store.edgeChanges(ctx.runId);
    const reads: RunReads = { key, edges, persons: new Map(), groupsOfUser: new Map() };
    // A failed read is not kept: the step's next delivery reads again.
    edges.catch(() => {
      if (runReads === reads) runReads = undefined;
    });
    runReads = reads;
  }
  return runReads;
}

function shared<T>(cache: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> {
  let value = cache.get(key);
  if (value === undefined) {
    value = read();
    cache.set(key, value);
    value.catch(() => cache.delete(key));
  }
  return value;
}

/** The users whose membership of the group may have changed: added if they joined any group it reaches, else removed. */
function userChanges(edges: EdgesByGroup, reached: readonly string[]): Map<string, EdgeChange['op']> {
  const ops = new Map<string, EdgeChange['op']>();
  for (const groupId of reached) {
    for (const [userId, op] of edges.get(groupId) ?? []) if (op === 'add' || !ops.has(userId)) ops.set(userId, op);
  }
  return ops;
}

export async function memberEdgesStep(ctx: SyncContext, payload: MembersPayload, tally: StepTally): Promise<SyncStepRequest[]> {
  await changeGroups(ctx, 'e', payload.groups, (group) => edgesDifference(ctx, group), tally);
  return [];
}

/** The Graph groups nested in the group whose changes reach it: as the fan-out handed them, else its `g-` row's. */
async function nestedGroupsOf(ctx: SyncContext, group: GroupRef): Promise<readonly string[]> {
  return group.r ?? (await ctx.store.getGroup(group.g))?.descendants ?? [];
}

async function edgesDifference(ctx: SyncContext, group: GroupRef): Promise<GroupDifference | undefined> {
  const reads = readsOf(ctx);
  const transitive = ctx.settings.membershipDepth === 'transitive';
  const [edges, nested] = await Promise.all([reads.edges, transitive ? nestedGroupsOf(ctx, group) : []]);
  const reached = [group.g, ...nested];
  const ops = userChanges(edges, reached);
  const adds = new Set<string>();
  const removes = new Set<string>();
  await forEachBounded([...ops], READ_PARALLELISM, async ([userId, op]) => {
    const personId = await shared(reads.persons, userId, async () => (await ctx.store.getUser(userId))?.personId);
    if (personId === undefined) return;
    if (op === 'add') {
      adds.add(personId);
      return;
    }
    // Still in the group through another group nested in it: stays.
    if (transitive && (await shared(reads.groupsOfUser, userId, () => transitiveGroupIdsOf(ctx.client, userId))).has(group.g)) return;
    removes.add(personId);
  });
  for (const personId of adds) removes.delete(personId);
  const candidates = [...adds, ...removes];
  if (candidates.length === 0) return undefined;
  const present = await ctx.groups.membersAmong(ctx.integrationId, group.id, candidates);
  const add = [...adds].filter((personId) => !present.has(personId)).map((personId) => ({ value: personId, type: 'User' as const }));
  const remove = [...removes].filter((personId) => present.has(personId));
  return { group, add, remove };
}
