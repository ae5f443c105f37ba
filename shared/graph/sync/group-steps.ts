// The steps that write the selected Graph groups as this source's groups: a page of a group list (full run), a few
// groups read by id (explicit selection), a page of a groups delta round. A group is found again by its Graph id (our
// group's externalId, and the `g-` state row), created disabled for targeting as SCIM's are, with its kind and the
// on-premises SID Graph gives, renamed or reclassified when Graph changes them, and removed when it is deleted in Graph
// or leaves the selection. Group names are unique per source;
// a name another of its groups holds gets the Graph id appended until that one goes.
import { NameTakenError, NotFoundError } from '../../directory/errors.js';
import type { GroupFields } from '../../directory/source-groups.js';
import type { SyncStepRequest } from '../../sync-runs/step-messages.js';
import type { GraphObject } from '../graph-client.js';
import type { DeltaChange } from '../graph-delta.js';
import { getGroup } from '../graph-directory-reader.js';
import { classifyGroup, groupKindOf } from '../group-kinds.js';
import { afterDeltaPage, deltaPageOrResync } from './delta-pages.js';
import { GROUP_SELECT, isSelected } from './group-selection.js';
import { logChange, type StepTally, type SyncContext } from './sync-context.js';

/** Groups read by id per step (explicit selection). */
export const GROUP_IDS_PER_STEP = 20;
/** Our id of a group a dry run would create. */
export const DRY_RUN_NEW_GROUP = 'new';

async function existingGroupId(ctx: SyncContext, graphId: string): Promise<string | undefined> {
  const row = await ctx.store.getGroup(graphId);
  if (row !== undefined && (await ctx.groups.get(ctx.integrationId, row.groupId)) !== undefined) return row.groupId;
  // A create that ran before its step died (or a group written before its state row): found by its Graph id.
  return (await ctx.groups.findByExternalId(ctx.integrationId, graphId))[0]?.id;
}

/** The fields our group takes from a Graph group (its name aside): the Graph id, the kind, the on-premises SID. */
function groupFieldsOf(group: GraphObject, graphId: string): Omit<GroupFields, 'displayName'> {
  const sid = group.onPremisesSecurityIdentifier;
  return { externalId: graphId, kind: groupKindOf(classifyGroup(group)), ...(typeof sid === 'string' && sid !== '' ? { onPremisesSecurityIdentifier: sid } : {}) };
}

/** Creates, renames or reclassifies our group for a selected Graph group; answers our group's id. */
export async function writeGroup(ctx: SyncContext, group: GraphObject, tally: StepTally): Promise<string> {
  const graphId = String(group.id);
  const displayName = typeof group.displayName === 'string' && group.displayName.trim() !== '' ? group.displayName : graphId;
  const fields = groupFieldsOf(group, graphId);
  const existing = await existingGroupId(ctx, graphId);
  tally.add('groupsSeen');
  if (existing === undefined) {
    tally.add('groupsCreated');
    tally.change(`create group ${displayName}`);
    if (ctx.dryRun) return DRY_RUN_NEW_GROUP;
    const created = await withFallbackName(displayName, graphId, (name) => ctx.groups.create(ctx.integrationId, { ...fields, displayName: name }, []));
    logChange(ctx, { operation: 'create', resourceType: 'Group', resourceId: created.id, displayName: created.displayName });
    return created.id;
  }
  const current = await ctx.groups.require(ctx.integrationId, existing);
  // Named with its Graph id while another group held the name: renamed once the name is free.
  const keepsName =
    current.displayName === displayName ||
    (current.displayName === fallbackName(displayName, graphId) && (await ctx.groups.findByDisplayName(ctx.integrationId, displayName)) !== undefined);
  const sameFields = current.kind === fields.kind && current.onPremisesSecurityIdentifier === fields.onPremisesSecurityIdentifier;
  if (keepsName && sameFields) return existing;
  tally.add('groupsUpdated');
  tally.change(keepsName ? `update the kind or on-premises SID of group ${current.displayName}` : `rename group ${current.displayName} to ${displayName}`);
  if (ctx.dryRun) return existing;
  const renamed = await withFallbackName(keepsName ? current.displayName : displayName, graphId, (name) =>
    ctx.groups.change(ctx.integrationId, existing, () => ({ fields: { ...fields, displayName: name }, delta: { removeAll: false, add: [], remove: [] } })),
  );
  logChange(ctx, { operation: 'update', resourceType: 'Group', resourceId: existing, displayName: renamed.displayName });
  return existing;
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

async function writeSelected(ctx: SyncContext, groups: readonly GraphObject[], tally: StepTally): Promise<void> {
  const seen: { graphId: string; groupId: string }[] = [];
  for (const group of groups) {
    if (!isSelected(group, ctx.settings)) continue;
    seen.push({ graphId: String(group.id), groupId: await writeGroup(ctx, group, tally) });
  }
  await ctx.store.markGroupsSeen(ctx.runId, ctx.dryRun, seen);
}

/** Full run: one page of a group list; the next page follows. */
export async function groupListStep(ctx: SyncContext, payload: { url: string }, tally: StepTally): Promise<SyncStepRequest[]> {
  const page = await ctx.client.getPage(payload.url);
  await writeSelected(ctx, page.value, tally);
  return page.nextLink === undefined ? [] : [{ kind: 'groups', payload: { url: page.nextLink } }];
}

/** Full run, explicit selection: a few groups read by id (one Graph no longer has is left for the reconciling stage). */
export async function groupIdsStep(ctx: SyncContext, payload: { ids: string[] }, tally: StepTally): Promise<SyncStepRequest[]> {
  const groups: GraphObject[] = [];
  for (const id of payload.ids) {
    const group = await getGroup(ctx.client, id, GROUP_SELECT);
    if (group !== undefined) groups.push(group);
  }
  await writeSelected(ctx, groups, tally);
  return [];
}

/**
 * Delta run: one page of the groups round. Selected groups are written; groups that left the selection or Graph are
 * removed; every group whose direct members changed (selected or not: it may be nested in a selected one), and every
 * group newly selected, is recorded as changed for the next stage. Answers the next page, or stores the round's end.
 */
export async function groupsDeltaStep(ctx: SyncContext, payload: { url: string }, tally: StepTally): Promise<SyncStepRequest[]> {
  const page = await deltaPageOrResync(ctx, payload.url);
  if (page === undefined) return [];
  const changed = new Set<string>();
  const seen: { graphId: string; groupId: string }[] = [];
  for (const change of merged(page.changes)) {
    const row = await ctx.store.getGroup(change.id);
    if (change.kind === 'upsert' && isSelected(change.object, ctx.settings)) {
      seen.push({ graphId: change.id, groupId: await writeGroup(ctx, change.object, tally) });
      if (row === undefined || change.membersAdded.length + change.membersRemoved.length > 0) changed.add(change.id);
      continue;
    }
    if (change.kind === 'upsert' && change.membersAdded.length + change.membersRemoved.length > 0) changed.add(change.id);
    if (change.kind === 'removed') changed.add(change.id);
    if (row !== undefined) await removeGroup(ctx, change.id, row.groupId, tally);
  }
  await ctx.store.markGroupsSeen(ctx.runId, ctx.dryRun, seen);
  await ctx.store.addChanged(ctx.runId, changed);
  return afterDeltaPage(ctx, 'groups', page);
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
