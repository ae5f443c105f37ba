// The steps that match Graph users to Content Manager users and keep this source's document of each: a page of the
// user list (full run) and a page of a users delta round. A matched user gets the source's document (written only
// when it differs) and a `u-` row naming the person, so later runs know whom it matched; a user now matching someone
// else first leaves the person it matched before. Unmatched users are counted and the first ones listed, never
// created. In a delta run a user that stops matching, or leaves Graph, leaves its person at once; in a full run the
// reconciling stage does that for every user the run did not see.
import { NotFoundError } from '../../directory/errors.js';
import { liveSource } from '../../directory/user-view.js';
import type { SyncStepRequest } from '../../sync-runs/step-messages.js';
import { forEachBounded } from '../../storage/transactions.js';
import type { GraphObject } from '../graph-client.js';
import type { DeltaChange } from '../graph-delta.js';
import { afterDeltaPage, deltaPageOrResync } from './delta-pages.js';
import type { StepTally, SyncContext } from './sync-context.js';
import { findMatch, graphSourceDocument } from './user-matching.js';

/** Users matched and written at once within a page. */
const USER_PARALLELISM = 8;

/**
 * Clears this source's document of a person, and so its memberships in this source's groups (counted as removed here;
 * a dry run, which clears nothing, counts them where the groups' members are recomputed).
 */
export async function leavePerson(ctx: SyncContext, personId: string, tally: StepTally): Promise<void> {
  tally.change(`clear the Graph attributes and memberships of user ${personId}`);
  if (ctx.dryRun) return;
  tally.add('membershipsRemoved', (await ctx.groups.groupsOf(ctx.integrationId, personId)).length);
  try {
    await ctx.people.clearSource(ctx.integrationId, personId);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
}

interface UserOutcome {
  /** The person matched now. */
  readonly personId: string | undefined;
  /** It matched nobody, or someone else, before. */
  readonly newMatch: boolean;
}

async function syncUser(ctx: SyncContext, user: GraphObject, tally: StepTally, leaveWhenUnmatched: boolean): Promise<UserOutcome> {
  const graphId = String(user.id);
  tally.add('usersSeen');
  const [person, previous] = await Promise.all([findMatch(user, ctx.settings.matchingKey, ctx.people), ctx.store.getUser(graphId)]);
  const movedFrom = previous !== undefined && previous.personId !== person?.id && (person !== undefined || leaveWhenUnmatched) ? previous.personId : undefined;
  if (movedFrom !== undefined) {
    await leavePerson(ctx, movedFrom, tally);
    if (!ctx.dryRun) await ctx.store.deleteUsers([graphId]);
  }
  if (person === undefined) {
    tally.add('usersUnmatched');
    tally.unmatchedUsers.push(typeof user.userPrincipalName === 'string' ? user.userPrincipalName : graphId);
    return { personId: undefined, newMatch: false };
  }
  tally.add('usersMatched');
  const change = graphSourceDocument(user, ctx.settings);
  if (JSON.stringify(liveSource(person, ctx.integrationId)?.doc) !== JSON.stringify(change.doc)) {
    tally.add('attributesChanged');
    tally.change(`set the Graph attributes of user ${person.id}`);
    if (!ctx.dryRun) await ctx.people.setSource(ctx.integrationId, person.id, change);
  }
  return { personId: person.id, newMatch: previous?.personId !== person.id };
}

async function syncUsers(ctx: SyncContext, users: readonly GraphObject[], tally: StepTally, leaveWhenUnmatched: boolean): Promise<boolean> {
  const matched: { graphId: string; personId: string }[] = [];
  let newMatch = false;
  await forEachBounded(users, USER_PARALLELISM, async (user) => {
    const outcome = await syncUser(ctx, user, tally, leaveWhenUnmatched);
    if (outcome.personId !== undefined) matched.push({ graphId: String(user.id), personId: outcome.personId });
    newMatch ||= outcome.newMatch;
  });
  await ctx.store.markUsersSeen(ctx.runId, ctx.dryRun, matched);
  return newMatch;
}

/** Full run: one page of the user list; the next page follows. */
export async function userListStep(ctx: SyncContext, payload: { url: string }, tally: StepTally): Promise<SyncStepRequest[]> {
  const page = await ctx.client.getPage(payload.url);
  await syncUsers(ctx, page.value, tally, false);
  return page.nextLink === undefined ? [] : [{ kind: 'users', payload: { url: page.nextLink } }];
}

/** Delta run: one page of the users round; users that now match someone else make every group's members recomputed. */
export async function usersDeltaStep(ctx: SyncContext, payload: { url: string }, tally: StepTally): Promise<SyncStepRequest[]> {
  const page = await deltaPageOrResync(ctx, payload.url);
  if (page === undefined) return [];
  const latest = new Map<string, DeltaChange>(page.changes.map((change) => [change.id, change]));
  const upserts = [...latest.values()].flatMap((change) => (change.kind === 'upsert' ? [change.object] : []));
  const removed = [...latest.values()].filter((change) => change.kind === 'removed').map((change) => change.id);
  const newMatch = await syncUsers(ctx, upserts, tally, true);
  for (const graphId of removed) {
    const previous = await ctx.store.getUser(graphId);
    if (previous === undefined) continue;
    await leavePerson(ctx, previous.personId, tally);
    if (!ctx.dryRun) await ctx.store.deleteUsers([graphId]);
  }
  if (newMatch) await ctx.store.mergePlan(ctx.runId, { rematchAll: true });
  return afterDeltaPage(ctx, 'users', page);
}
