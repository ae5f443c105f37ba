// The steps that match Graph users to Content Manager users and keep this source's document of each: a page of the
// user list (full run) and a page of a users delta round. A matched user gets the source's document (written only
// when it differs) and a `u-` row naming the person, so later runs know whom it matched; a user now matching someone
// else first leaves the person it matched before. Unmatched users are counted and the first ones listed, never
// created. In a delta run a user that stops matching, or leaves Graph, leaves its person at once; in a full run the
// reconciling stage does that for every user the run did not see.
import { NotFoundError, PreconditionFailedError } from '../../directory/errors.js';
import type { PersonRecord } from '../../directory/model/person-record.js';
import { liveSource, viewVersionTag } from '../../directory/user-view.js';
import type { SyncStepRequest } from '../../sync-runs/step-messages.js';
import { forEachBounded } from '../../storage/transactions.js';
import type { GraphObject } from '../graph-client.js';
import type { DeltaChange } from '../graph-delta.js';
import { afterDeltaPage, deltaPageOrResync } from './delta-pages.js';
import { logChange, type StepTally, type SyncContext } from './sync-context.js';
import { findMatch, graphSourceDocument } from './user-matching.js';

/** Users matched and written at once within a page. */
const USER_PARALLELISM = 8;

/**
 * Clears this source's document of a person when it is still this Graph user's (another Graph user may have taken the
 * person over since), and so its memberships in this source's groups (counted as removed here; a dry run, which
 * clears nothing, counts them where the groups' members are recomputed). Guarded by the document's version, so a
 * write of another Graph user racing it is never cleared.
 */
export async function leavePerson(ctx: SyncContext, personId: string, graphId: string, tally: StepTally): Promise<void> {
  const person = await ctx.people.get(personId);
  const doc = person === undefined ? undefined : liveSource(person, ctx.integrationId)?.doc;
  if (doc?.externalId !== graphId) return;
  tally.change(`clear the Graph attributes and memberships of user ${personId}`);
  if (ctx.dryRun) return;
  tally.add('membershipsRemoved', (await ctx.groups.groupsOf(ctx.integrationId, personId)).length);
  try {
    await ctx.people.clearSource(ctx.integrationId, personId, { ifMatch: viewVersionTag(doc) });
    logChange(ctx, { operation: 'delete', resourceType: 'User', resourceId: personId });
  } catch (error) {
    if (!(error instanceof NotFoundError) && !(error instanceof PreconditionFailedError)) throw error;
  }
}

interface UserMatch {
  readonly user: GraphObject;
  readonly graphId: string;
  readonly person: PersonRecord | undefined;
  /** The person it matched before, when it must leave it (it matches someone else now, or nobody in a delta run). */
  readonly leaves: string | undefined;
  /** It matched nobody, or someone else, before. */
  readonly newMatch: boolean;
}

async function matchUser(ctx: SyncContext, user: GraphObject, leaveWhenUnmatched: boolean): Promise<UserMatch> {
  const graphId = String(user.id);
  const [person, previous] = await Promise.all([findMatch(user, ctx.settings.matchingKey, ctx.people), ctx.store.getUser(graphId)]);
  const moved = previous !== undefined && previous.personId !== person?.id && (person !== undefined || leaveWhenUnmatched);
  return { user, graphId, person, leaves: moved ? previous.personId : undefined, newMatch: person !== undefined && previous?.personId !== person.id };
}

async function writeMatched(ctx: SyncContext, match: UserMatch, tally: StepTally): Promise<void> {
  const { user, graphId, person } = match;
  if (person === undefined) {
    tally.add('usersUnmatched');
    tally.unmatchedUsers.push(typeof user.userPrincipalName === 'string' ? user.userPrincipalName : graphId);
    return;
  }
  tally.add('usersMatched');
  const change = graphSourceDocument(user, ctx.settings);
  const before = liveSource(person, ctx.integrationId)?.doc;
  if (JSON.stringify(before) === JSON.stringify(change.doc)) return;
  tally.add('attributesChanged');
  tally.change(`set the Graph attributes of user ${person.id}`);
  if (ctx.dryRun) return;
  await ctx.people.setSource(ctx.integrationId, person.id, change);
  logChange(ctx, { operation: before === undefined ? 'create' : 'update', resourceType: 'User', resourceId: person.id });
}

/**
 * A page of users: all matched first, then every user that moved leaves its previous person, then the documents are
 * written, so two users that swap people in one page never clear what the other wrote. Answers whether any user now
 * matches someone it did not match before.
 */
async function syncUsers(ctx: SyncContext, users: readonly GraphObject[], tally: StepTally, leaveWhenUnmatched: boolean): Promise<boolean> {
  const matches: UserMatch[] = [];
  await forEachBounded(users, USER_PARALLELISM, async (user) => {
    matches.push(await matchUser(ctx, user, leaveWhenUnmatched));
  });
  tally.add('usersSeen', matches.length);
  const moved = matches.filter((match) => match.leaves !== undefined);
  await forEachBounded(moved, USER_PARALLELISM, (match) => leavePerson(ctx, match.leaves as string, match.graphId, tally));
  if (!ctx.dryRun) await ctx.store.deleteUsers(moved.map((match) => match.graphId));
  await forEachBounded(matches, USER_PARALLELISM, (match) => writeMatched(ctx, match, tally));
  const matched = matches.flatMap((match) => (match.person === undefined ? [] : [{ graphId: match.graphId, personId: match.person.id }]));
  await ctx.store.markUsersSeen(ctx.runId, ctx.dryRun, matched);
  return matches.some((match) => match.newMatch);
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
    await leavePerson(ctx, previous.personId, graphId, tally);
    if (!ctx.dryRun) await ctx.store.deleteUsers([graphId]);
  }
  if (newMatch) await ctx.store.mergePlan(ctx.runId, { rematchAll: true });
  return afterDeltaPage(ctx, 'users', page);
}
