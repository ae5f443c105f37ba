// The steps that write the selected Graph groups as this source's groups: a page of a group list (full run), a few
// groups read by id (explicit selection), a page of a groups delta round. A group is found again by its Graph id (our
// group's externalId, and the `g-` state row), created disabled for targeting as SCIM's are, with its kind and the
// on-premises SID Graph gives, renamed or reclassified when Graph changes them, and removed when it is deleted in Graph
// or leaves the selection. Group names are unique per source;
// a name another of its groups holds gets the Graph id appended until that one goes.
import { NameTakenError, NotFoundError } from '../../directory/errors.js';
import type { GroupRecord } from '../../directory/model/group-record.js';
import type { GroupFields } from '../../directory/source-groups.js';
import { forEachBounded } from '../../storage/transactions.js';
import type { SyncStepRequest } from '../../sync-runs/step-messages.js';
import type { GraphObject } from '../graph-client.js';
import type { DeltaChange } from '../graph-delta.js';
import { getGroup } from '../graph-directory-reader.js';
import { classifyGroup, groupKindOf } from '../group-kinds.js';
import { afterDeltaPage, deltaPageOrResync } from './delta-pages.js';
import { GROUP_SELECT, isSelected } from './group-selection.js';
import { logChange, type StepTally, type SyncContext } from './sync-context.js';
import type { EdgeChange, GroupStateRow } from './sync-state-store.js';

/** Groups read by id per step (explicit selection). */
export const GROUP_IDS_PER_STEP = 20;
/** Our id of a group a dry run would create. */
export const DRY_RUN_NEW_GROUP = 'new';

/** Groups updated, and left-over creates checked, at once within a page. */
const GROUP_WRITE_PARALLELISM = 8;

/** Our group of a Graph group, as a page's reads found it, and its `g-` state row. */
interface FoundGroup {
  readonly group: GroupRecord | undefined;
  readonly stateRow: GroupStateRow | undefined;
}

/**
 * Our groups of a page of Graph groups, found together: the page's `g-` state rows (one range query) and the groups
 * carrying the Graph ids as externalId (one index range query, then the groups 14 to a query). The state row's group
 * is preferred; a group created by a step that died before its state row was written is found by its Graph id.
 */
async function findGroups(ctx: SyncContext, graphIds: readonly string[]): Promise<Map<string, FoundGroup>> {
  const [rows, byExternalId] = await Promise.all([ctx.store.getGroups(graphIds), ctx.groups.findByExternalIds(ctx.integrationId, graphIds)]);
  // A state row naming a group that does not carry the Graph id (not written by the sync): read as the sync did.
  const named = [...rows.values()].filter((row) => !(byExternalId.get(row.graphId) ?? []).some((group) => group.id === row.groupId));
  const others = named.length === 0 ? new Map<string, GroupRecord>() : await ctx.groups.getMany(ctx.integrationId, named.map((row) => row.groupId));
  const found = new Map<string, FoundGroup>();
  for (const graphId of graphIds) {
    const stateRow = rows.get(graphId);
    const carrying = byExternalId.get(graphId) ?? [];
    const ofRow = stateRow === undefined ? undefined : (carrying.find((group) => group.id === stateRow.groupId) ?? others.get(stateRow.groupId));
    found.set(graphId, { group: ofRow ?? carrying[0], stateRow });
  }
  return found;
}

/** The fields our group takes from a Graph group (its name aside): the Graph id, the kind, the on-premises SID. */
function groupFieldsOf(group: GraphObject, graphId: string): Omit<GroupFields, 'displayName'> {
  const sid = group.onPremisesSecurityIdentifier;
  return { externalId: graphId, kind: groupKindOf(classifyGroup(group)), ...(typeof sid === 'string' && sid !== '' ? { onPremisesSecurityIdentifier: sid } : {}) };
}

const displayNameOf = (group: GraphObject, graphId: string): string => (typeof group.displayName === 'string' && group.displayName.trim() !== '' ? group.displayName : graphId);

interface NewGroup {
  readonly graphId: string;
  readonly fields: GroupFields;
}

/**
 * Writes a page of selected Graph groups as this source's groups (found first with findGroups): each existing group
 * renamed or reclassified when Graph changed it, a few at once; the new ones created several to a transaction, and
 * those whose name may be taken one by one after, in page order (the fallback-name rule). Answers our group's id for
 * each Graph id (DRY_RUN_NEW_GROUP for a group a dry run would create).
 */
export async function writeGroups(ctx: SyncContext, groups: readonly GraphObject[], found: ReadonlyMap<string, FoundGroup>, tally: StepTally): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  const updates: { group: GraphObject; current: GroupRecord }[] = [];
  const creates: NewGroup[] = [];
  for (const group of new Map(groups.map((graphGroup) => [String(graphGroup.id), graphGroup])).values()) {
    const graphId = String(group.id);
    tally.add('groupsSeen');
    const current = found.get(graphId)?.group;
    if (current !== undefined) {
      updates.push({ group, current });
      continue;
    }
    const displayName = displayNameOf(group, graphId);
    tally.add('groupsCreated');
    tally.change(`create group ${displayName}`);
    if (ctx.dryRun) ids.set(graphId, DRY_RUN_NEW_GROUP);
    else creates.push({ graphId, fields: { ...groupFieldsOf(group, graphId), displayName } });
  }
  await forEachBounded(updates, GROUP_WRITE_PARALLELISM, async ({ group, current }) => {
    ids.set(String(group.id), await updateGroup(ctx, group, current, tally));
  });
  if (creates.length === 0) return ids;
  const created = await ctx.groups.createAllEmpty(ctx.integrationId, creates.map((create) => create.fields));
  const leftOver: NewGroup[] = [];
  creates.forEach((create, index) => {
    const group = created[index];
    if (group === undefined) leftOver.push(create);
    else recordCreated(ctx, create.graphId, group, ids);
  });
  for (const create of leftOver) recordCreated(ctx, create.graphId, await createOne(ctx, create), ids);
  return ids;
}

function recordCreated(ctx: SyncContext, graphId: string, group: GroupRecord, ids: Map<string, string>): void {
  ids.set(graphId, group.id);
  logChange(ctx, { operation: 'create', resourceType: 'Group', resourceId: group.id, displayName: group.displayName });
}

/** One new group whose name may be taken: under its name, else under the fallback name; a holder that is this Graph group's (an earlier delivery of the step created it) is taken as it. */
async function createOne(ctx: SyncContext, create: NewGroup): Promise<GroupRecord> {
  const { graphId, fields } = create;
  return withFallbackName(fields.displayName, graphId, async (name) => {
    try {
      return await ctx.groups.create(ctx.integrationId, { ...fields, displayName: name }, []);
    } catch (error) {
      if (!(error instanceof NameTakenError)) throw error;
      const holder = await ctx.groups.findByDisplayName(ctx.integrationId, name);
      if (holder?.externalId === graphId) return holder;
      throw error;
    }
  });
}

/** Renames or reclassifies our group when Graph changed it; answers our group's id. */
async function updateGroup(ctx: SyncContext, group: GraphObject, current: GroupRecord, tally: StepTally): Promise<string> {
  const graphId = String(group.id);
  const displayName = displayNameOf(group, graphId);
  const fields = groupFieldsOf(group, graphId);
  // Named with its Graph id while another group held the name: renamed once the name is free.
  const keepsName =
    current.displayName === displayName ||
    (current.displayName === fallbackName(displayName, graphId) && (await ctx.groups.findByDisplayName(ctx.integrationId, displayName)) !== undefined);
  const sameFields = current.kind === fields.kind && current.onPremisesSecurityIdentifier === fields.onPremisesSecurityIdentifier;
  if (keepsName && sameFields) return current.id;
  tally.add('groupsUpdated');
  tally.change(keepsName ? `update the kind or on-premises SID of group ${current.displayName}` : `rename group ${current.displayName} to ${displayName}`);
  if (ctx.dryRun) return current.id;
  const renamed = await withFallbackName(keepsName ? current.displayName : displayName, graphId, (name) =>
    ctx.groups.change(ctx.integrationId, current.id, () => ({ fields: { ...fields, displayName: name }, delta: { removeAll: false, add: [], remove: [] } })),
  );
  logChange(ctx, { operation: 'update', resourceType: 'Group', resourceId: current.id, displayName: renamed.displayName });
  return current.id;
}

async function withFallbackName<T>(displayName: string, graphId: string, write: (name: string) => Promise<T>): Promise<T> {
  try {
    return await write(displayName);
  } catch (error) {
    if (!(error instanceof NameTakenError)) throw error;
    return write(fallbackName(displayName, graphId));
  }
}

const fallbackName = (displayName: string, graphId: string): string => `${displayName} (${graphId})`;

/** Removes our group of a Graph group that is gone or no longer selected, with its memberships and state row. */
export async function removeGroup(ctx: SyncContext, graphId: string, groupId: string, tally: StepTally): Promise<void> {
  tally.add('groupsRemoved');
  tally.change(`remove group ${groupId}`);
  if (ctx.dryRun) return;
  try {
    await ctx.groups.remove(ctx.integrationId, groupId);
    logChange(ctx, { operation: 'delete', resourceType: 'Group', resourceId: groupId });
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
  await ctx.store.deleteGroups([graphId]);
}

/** A page of groups of a full run: the selected ones written, and stamped seen by the run. */
async function writeSelected(ctx: SyncContext, groups: readonly GraphObject[], tally: StepTally): Promise<void> {
  const selected = groups.filter((group) => isSelected(group, ctx.settings));
  const found = await findGroups(ctx, selected.map((group) => String(group.id)));
  const ids = await writeGroups(ctx, selected, found, tally);
  await ctx.store.markGroupsSeen(ctx.runId, ctx.dryRun, [...ids].map(([graphId, groupId]) => ({ graphId, groupId })));
}

/** Full run: one page of a group list; the next page follows. */
export async function groupListStep(ctx: SyncContext, payload: { url: string }, tally: StepTally): Promise<SyncStepRequest[]> {
  const page = await ctx.client.getPage(payload.url);
  await writeSelected(ctx, page.value, tally);
  return page.nextLink === undefined ? [] : [{ kind: 'groups', payload: { url: page.nextLink } }];
}

/** Full run, explicit selection: a few groups read by id (one Graph no longer has is left for the reconciling stage). */
export async function groupIdsStep(ctx: SyncContext, payload: { ids: string[] }, tally: StepTally): Promise<SyncStepRequest[]> {
  const groups = new Map<string, GraphObject>();
  await forEachBounded(payload.ids, GROUP_WRITE_PARALLELISM, async (id) => {
    const group = await getGroup(ctx.client, id, GROUP_SELECT);
    if (group !== undefined) groups.set(id, group);
  });
  // In the order asked (the fallback-name rule gives a contested name to the first).
  await writeSelected(
    ctx,
    payload.ids.flatMap((id) => {
      const group = groups.get(id);
      return group === undefined ? [] : [group];
    }),
    tally,
  );
  return [];
}

/**
 * Delta run: one page of the groups round. Selected groups are written; groups that left the selection or Graph are
 * removed. What changed is recorded for the next stage: users added to or removed from a group's direct members
 * (selected or not: it may be nested in a selected one) as edge changes, applied there without reading the group
 * again; a group newly selected, removed, or whose nested groups changed (or members of a type not known) as changed
 * whole, read again from Graph with every selected group it is nested in. Answers the next page, or stores the
 * round's end.
 */
export async function groupsDeltaStep(ctx: SyncContext, payload: { url: string }, tally: StepTally): Promise<SyncStepRequest[]> {
  const page = await deltaPageOrResync(ctx, payload.url);
  if (page === undefined) return [];
  const changes = merged(page.changes);
  const found = await findGroups(ctx, changes.map((change) => change.id));
  const selected = changes.flatMap((change) => (change.kind === 'upsert' && isSelected(change.object, ctx.settings) ? [change] : []));
  const selectedIds = new Set(selected.map((change) => change.id));
  const whole = new Set<string>();
  const removed: { graphId: string; groupId: string }[] = [];
  for (const change of changes) {
    const row = found.get(change.id)?.stateRow;
    const structural = change.kind === 'upsert' && [...change.membersAdded, ...change.membersRemoved].some((member) => member.type !== 'user');
    if (change.kind === 'removed' || structural || (selectedIds.has(change.id) && row === undefined)) whole.add(change.id);
    if (!selectedIds.has(change.id) && row !== undefined) removed.push({ graphId: change.id, groupId: row.groupId });
  }
  const edges = edgeChangesOf(page.changes);
  // Removed first, so a name a removed group held is free for the page's new and renamed groups.
  await forEachBounded(removed, GROUP_WRITE_PARALLELISM, (group) => removeGroup(ctx, group.graphId, group.groupId, tally));
  const ids = await writeGroups(ctx, selected.map((change) => change.object), found, tally);
  await ctx.store.markGroupsSeen(ctx.runId, ctx.dryRun, [...ids].map(([graphId, groupId]) => ({ graphId, groupId })));
  await ctx.store.addEdgeChanges(ctx.runId, edges);
  await ctx.store.addChanged(ctx.runId, whole, new Set(edges.map((edge) => edge.groupId)));
  return afterDeltaPage(ctx, 'groups', page);
}

/** The users added to and removed from groups' direct members on a page, in page order (a later entry's word on a pair wins). */
function edgeChangesOf(changes: readonly DeltaChange[]): EdgeChange[] {
  const edges = new Map<string, EdgeChange>();
  for (const change of changes) {
    if (change.kind !== 'upsert') continue;
    for (const [members, op] of [[change.membersAdded, 'add'], [change.membersRemoved, 'remove']] as const) {
      for (const member of members) if (member.type === 'user') edges.set(`${change.id}|${member.id}`, { groupId: change.id, userId: member.id, op });
    }
  }
  return [...edges.values()];
}

/** A page's changes with one entry per object (Graph repeats a large group across entries): the last state, all member changes. */
function merged(changes: readonly DeltaChange[]): DeltaChange[] {
  const byId = new Map<string, DeltaChange>();
  for (const change of changes) {
    const before = byId.get(change.id);
    if (before?.kind === 'upsert' && change.kind === 'upsert') {
      byId.set(change.id, { ...change, membersAdded: [...before.membersAdded, ...change.membersAdded], membersRemoved: [...before.membersRemoved, ...change.membersRemoved] });
    } else {
      byId.set(change.id, change);
    }
  }
  return [...byId.values()];
}
