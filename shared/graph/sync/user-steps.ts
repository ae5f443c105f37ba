// The steps that match Graph users to Content Manager users and keep this source's document of each: a page of the
// user list (full run) and a page of a users delta round. A matched user gets the source's document (written only
// when it differs) and a `u-` row naming the person, so later runs know whom it matched; a user now matching someone
// else first leaves the person it matched before. Unmatched users are counted and the first ones listed, never
// created. In a delta run a user that stops matching, or leaves Graph, leaves its person at once; in a full run the
// reconciling stage does that for every user the run did not see.
import { NotFoundError, PreconditionFailedError } from '../../directory/errors.js';
import type { PersonRecord } from '../../directory/model/person-record.js';
import type { SourceChange } from '../../directory/person-directory.js';
import { liveSource, viewVersionTag } from '../../directory/user-view.js';
import type { SyncStepRequest } from '../../sync-runs/step-messages.js';
import { forEachBounded } from '../../storage/transactions.js';
import type { GraphObject } from '../graph-client.js';
import type { DeltaChange } from '../graph-delta.js';
import { afterDeltaPage, deltaPageOrResync } from './delta-pages.js';
import { RunReadOnce } from './run-read-once.js';
import { logChange, type StepTally, type SyncContext } from './sync-context.js';
import { findMatches, graphSourceDocument } from './user-matching.js';

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

/** Whom each Graph user matched before this page (its `u-` row's person), for a page of users. */
type PreviousMatches = (graphIds: readonly string[]) => Promise<Map<string, string>>;

/** One `u-` row read per user: a delta round's users, or a tenant too large to keep its rows. */
const readEachRow =
  (ctx: SyncContext): PreviousMatches =>
  async (graphIds) => {
    const rows = new Map<string, string>();
    await forEachBounded(graphIds, USER_PARALLELISM, async (graphId) => {
      const row = await ctx.store.getUser(graphId);
      if (row !== undefined) rows.set(graphId, row.personId);
    });
    return rows;
  };

/** `u-` rows one process keeps for a full run's users stage (about 15 MB at 100,000); above, read one by one. */
const RUN_USER_ROWS_LIMIT = 250_000;
/** The rows are let go once no page has used them for this long (another instance may have done the other pages). */
const RUN_USER_ROWS_IDLE_MS = 5 * 60 * 1000;
const runUserRows = new RunReadOnce<Map<string, string> | undefined>(RUN_USER_ROWS_IDLE_MS);

async function readAllUserRows(ctx: SyncContext): Promise<Map<string, string> | undefined> {
  // Every `u-` row: those this run has not stamped (a dry run stamps none), and those it has (a delta run turned full).
  const rows = await ctx.store.usersMatchedBy(ctx.runId, RUN_USER_ROWS_LIMIT);
  if (rows === undefined) return undefined;
  let continuation: string | undefined;
  do {
    const page = await ctx.store.unseenPage('u', ctx.runId, false, continuation);
    for (const row of page.rows) rows.set(row.graphId, row.id);
    if (rows.size > RUN_USER_ROWS_LIMIT) return undefined;
    continuation = page.next;
  } while (continuation !== undefined);
  return rows;
}

/**
 * A full run's users: every `u-` row read once per process and run with range queries, instead of one point read per
 * user. Only the page of a user writes its row, so the rows read stay right for every page not yet done; a page
 * delivered again may find a row older than its first delivery's writes, which is harmless: leaving a person is
 * guarded by its document (leavePerson), and the row is written again. A page's rows are dropped once it has stamped
 * its own, so the rows held shrink as the stage goes.
 */
function rowsReadOnce(ctx: SyncContext): { previous: PreviousMatches; done: (graphIds: readonly string[]) => void } {
  const rows = runUserRows.get(ctx, () => readAllUserRows(ctx));
  return {
    previous: async (graphIds) => {
      const all = await rows;
      if (all === undefined) return readEachRow(ctx)(graphIds);
      return new Map(graphIds.flatMap((graphId) => (all.has(graphId) ? [[graphId, all.get(graphId) as string]] : [])));
    },
    done: (graphIds) => {
      void rows.then((all) => graphIds.forEach((graphId) => all?.delete(graphId)), () => undefined);
    },
  };
}

/** The page's users matched together (findMatches: a few queries per person partition for UPN and username keys). */
async function matchUsers(ctx: SyncContext, users: readonly GraphObject[], previous: Map<string, string>, leaveWhenUnmatched: boolean): Promise<UserMatch[]> {
  const people = await findMatches(users, ctx.settings.matchingKey, ctx.people);
  return users.map((user, index) => {
    const graphId = String(user.id);
    const person = people[index];
    const previousPersonId = previous.get(graphId);
    const moved = previousPersonId !== undefined && previousPersonId !== person?.id && (person !== undefined || leaveWhenUnmatched);
    return { user, graphId, person, leaves: moved ? previousPersonId : undefined, newMatch: person !== undefined && previousPersonId !== person.id };
  });
}

interface DocumentWrites {
  readonly writes: { person: PersonRecord; change: SourceChange }[];
  /** The people given this source's document for the first time. */
  readonly created: Set<string>;
}

/** The matched users' documents that differ from what their people hold, counted; unmatched users counted and listed. */
function documentsToWrite(ctx: SyncContext, matches: readonly UserMatch[], tally: StepTally): DocumentWrites {
  const writes: { person: PersonRecord; change: SourceChange }[] = [];
  const created = new Set<string>();
  for (const { user, graphId, person } of matches) {
    if (person === undefined) {
      tally.add('usersUnmatched');
      tally.unmatchedUsers.push(typeof user.userPrincipalName === 'string' ? user.userPrincipalName : graphId);
      continue;
    }
    tally.add('usersMatched');
    const change = graphSourceDocument(user, ctx.settings);
    const before = liveSource(person, ctx.integrationId)?.doc;
    if (JSON.stringify(before) === JSON.stringify(change.doc)) continue;
    tally.add('attributesChanged');
    tally.change(`set the Graph attributes of user ${person.id}`);
    writes.push({ person, change });
    if (before === undefined) created.add(person.id);
  }
  return { writes, created };
}

/**
 * The documents written together: each person as its match read it, so nothing is read twice, in transactions grouped
 * by partition (PersonDirectory.setSources; a person that changed since its match is re-read and written alone).
 */
async function writeDocuments(ctx: SyncContext, { writes, created }: DocumentWrites): Promise<void> {
  if (ctx.dryRun || writes.length === 0) return;
  await ctx.people.setSources(ctx.integrationId, writes, (person) => {
    logChange(ctx, { operation: created.has(person.id) ? 'create' : 'update', resourceType: 'User', resourceId: person.id });
  });
}

/**
 * A page of users: all matched first, then every user that moved leaves its previous person, then the documents are
 * written, so two users that swap people in one page never clear what the other wrote. What the page is about to
 * change is counted and recorded before the first write (a redelivery finds the documents written and would count
 * none of them). Answers whether any user now matches someone it did not match before.
 */
async function syncUsers(ctx: SyncContext, users: readonly GraphObject[], tally: StepTally, leaveWhenUnmatched: boolean, previousMatches: PreviousMatches): Promise<boolean> {
  const previous = await previousMatches(users.map((user) => String(user.id)));
  const matches = await matchUsers(ctx, users, previous, leaveWhenUnmatched);
  tally.add('usersSeen', matches.length);
  const moved = matches.filter((match) => match.leaves !== undefined);
  const documents = documentsToWrite(ctx, matches, tally);
  if (!ctx.dryRun && moved.length + documents.writes.length > 0) await ctx.store.recordStepCounts(ctx.runId, ctx.stepId, tally.counters);
  await forEachBounded(moved, USER_PARALLELISM, (match) => leavePerson(ctx, match.leaves as string, match.graphId, tally));
  if (!ctx.dryRun) await ctx.store.deleteUsers(moved.map((match) => match.graphId));
  await writeDocuments(ctx, documents);
  const matched = matches.flatMap((match) => (match.person === undefined ? [] : [{ graphId: match.graphId, personId: match.person.id }]));
  await ctx.store.markUsersSeen(ctx.runId, ctx.dryRun, matched);
  return matches.some((match) => match.newMatch);
}

/** Full run: one page of the user list; the next page follows. */
export async function userListStep(ctx: SyncContext, payload: { url: string }, tally: StepTally): Promise<SyncStepRequest[]> {
  const page = await ctx.client.getPage(payload.url);
  const rows = rowsReadOnce(ctx);
  await syncUsers(ctx, page.value, tally, false, rows.previous);
  rows.done(page.value.map((user) => String(user.id)));
  return page.nextLink === undefined ? [] : [{ kind: 'users', payload: { url: page.nextLink } }];
}

/** Delta run: one page of the users round; users that now match someone else make every group's members recomputed. */
export async function usersDeltaStep(ctx: SyncContext, payload: { url: string }, tally: StepTally): Promise<SyncStepRequest[]> {
  const page = await deltaPageOrResync(ctx, payload.url);
  if (page === undefined) return [];
  const latest = new Map<string, DeltaChange>(page.changes.map((change) => [change.id, change]));
  const upserts = [...latest.values()].flatMap((change) => (change.kind === 'upsert' ? [change.object] : []));
  const removed = [...latest.values()].filter((change) => change.kind === 'removed').map((change) => change.id);
  const newMatch = await syncUsers(ctx, upserts, tally, true, readEachRow(ctx));
  for (const graphId of removed) {
    const previous = await ctx.store.getUser(graphId);
    if (previous === undefined) continue;
    await leavePerson(ctx, previous.personId, graphId, tally);
    if (!ctx.dryRun) await ctx.store.deleteUsers([graphId]);
  }
  if (newMatch) await ctx.store.mergePlan(ctx.runId, { rematchAll: true });
  return afterDeltaPage(ctx, 'users', page);
}
