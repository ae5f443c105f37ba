// One page of a users or groups delta round as a step reads it: a dead token (expired, or reset by Graph) marks the
// run for a full resync instead of failing it, and a page's end is either the next page's step or, on the round's
// last page, the new delta link kept in the run's plan until the run ends.
import type { SyncStepRequest } from '../../sync-runs/step-messages.js';
import { type DeltaPage, fetchDeltaPage } from '../graph-delta.js';
import { GraphResyncNeededError } from '../graph-errors.js';
import type { SyncContext } from './sync-context.js';

export type DeltaRound = 'users' | 'groups';

/** The page at `url`; undefined when Graph can no longer continue the round (the run turns full). */
export async function deltaPageOrResync(ctx: SyncContext, url: string): Promise<DeltaPage | undefined> {
  try {
    return await fetchDeltaPage(ctx.client, url);
  } catch (error) {
    if (!(error instanceof GraphResyncNeededError)) throw error;
    await ctx.store.mergePlan(ctx.runId, { resync: true });
    return undefined;
  }
}

/** The step for the round's next page, or none once the round's new delta link is kept. */
export async function afterDeltaPage(ctx: SyncContext, round: DeltaRound, page: DeltaPage): Promise<SyncStepRequest[]> {
  if (page.nextLink !== undefined) return [{ kind: `${round}Delta`, payload: { url: page.nextLink } }];
  await ctx.store.mergePlan(ctx.runId, round === 'users' ? { usersDeltaLink: page.deltaLink } : { groupsDeltaLink: page.deltaLink });
  return [];
}
