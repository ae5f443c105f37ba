// The end of a run. A full run's reconciling stage takes away what the run did not see: users it matched before that
// are gone from Graph or match nobody now leave their person (document and memberships), groups that were deleted or
// left the selection are removed with their memberships; a page of state rows per step. Then the run stores what the
// next delta run starts from (never a dry run), and its own scratch rows are deleted a page at a time.
import type { SyncStepRequest } from '../../sync-runs/step-messages.js';
import { removeGroup } from './group-steps.js';
import type { StepTally, SyncContext } from './sync-context.js';
import type { SyncState } from './sync-state-store.js';
import { leavePerson } from './user-steps.js';

export interface PagePayload {
  readonly c?: string;
}

const nextPage = (kind: string, next: string | undefined): SyncStepRequest[] => (next === undefined ? [] : [{ kind, payload: { c: next } }]);

export async function unseenUsersStep(ctx: SyncContext, payload: PagePayload, tally: StepTally): Promise<SyncStepRequest[]> {
  const page = await ctx.store.unseenPage('u', ctx.runId, ctx.dryRun, payload.c);
  for (const row of page.rows) await leavePerson(ctx, row.id, row.graphId, tally);
  if (!ctx.dryRun) await ctx.store.deleteUsers(page.rows.map((row) => row.graphId));
  return nextPage('unseenUsers', page.next);
}

export async function unseenGroupsStep(ctx: SyncContext, payload: PagePayload, tally: StepTally): Promise<SyncStepRequest[]> {
  const page = await ctx.store.unseenPage('g', ctx.runId, ctx.dryRun, payload.c);
  for (const row of page.rows) await removeGroup(ctx, row.graphId, row.id, tally);
  return nextPage('unseenGroups', page.next);
}

/** Stores the delta links the run ends with (a full run: those taken at its start) and when the last full run ended. */
export async function storeEndState(ctx: SyncContext, kind: 'full' | 'delta', selectKey: string): Promise<void> {
  if (ctx.dryRun) return;
  const [state, plan] = await Promise.all([ctx.store.getState(), ctx.store.getPlan(ctx.runId)]);
  const next: SyncState = { ...state, selectKey };
  if (plan.usersDeltaLink !== undefined) next.usersDeltaLink = plan.usersDeltaLink;
  if (plan.groupsDeltaLink !== undefined) next.groupsDeltaLink = plan.groupsDeltaLink;
  if (kind === 'full') next.lastFullAt = ctx.now().toISOString();
  await ctx.store.setState(next);
}

export async function cleanUpStep(ctx: SyncContext): Promise<SyncStepRequest[]> {
  return (await ctx.store.deleteRunRows(ctx.runId)) ? [] : [{ kind: 'cleanUp', payload: {} }];
}
