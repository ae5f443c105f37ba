// The journal of the membership steps' changes. A members or memberEdges step works out what to add and remove by
// comparing Graph with the group side of our memberships, then writes the group side and the member side one after
// the other (membership-repository.ts). A step cut short between the two (a crash, storage failing past its retries)
// leaves memberships whose member side disagrees with the group side, and its retry cannot see them: it compares with
// the group side again, which already holds the change. So before writing, a step records the members it is about to
// touch (`j-` rows in the sync's state partition, sync-state-store.ts), and:
//   - a redelivered step first settles the members its earlier attempt recorded (journalOf), then works as usual;
//   - a run's start settles what a run that failed left (journalPageExcept, the `settleJournal` steps);
//   - a run that ends deletes its own journal with its other scratch rows (every step of it completed, so settled).
// Settling is the membership protocol's own settle: safe beside any concurrent change of the same memberships.
// The journal also keeps the run's report true: a redelivered step finds less to change than its earlier attempt
// (which may have written it all), so it counts, for each group, the members added and removed by either attempt, and
// journals them all again for a later redelivery.
//   RowKey `j-<run id>-<graph group id>-<m|e>-<n>`   groupId: our group   memberIds: JSON array of person ids
//                                                    adds: how many of this row's ids lead as added (the rest removed;
//                                                    absent in rows of earlier versions: not known)
import { MAX_STRING_PROPERTY_CHARS } from '../../storage/entity-limits.js';
import type { SyncStepRequest } from '../../sync-runs/step-messages.js';
import type { SyncContext } from './sync-context.js';
import type { JournaledGroup } from './sync-state-store.js';

export interface JournalEntry {
  readonly runId: string;
  readonly graphId: string;
  /** `m`: a members step; `e`: a memberEdges step (a delta run hands a group to one or the other). */
  readonly step: 'm' | 'e';
  /** Our group. */
  readonly groupId: string;
  /** The members to add, then the members to remove. */
  readonly memberIds: readonly string[];
  /** How many of memberIds lead as added. */
  readonly adds: number;
}

export interface JournaledChange extends Pick<JournalEntry, 'groupId' | 'memberIds'> {
  /** The row's added and removed members; undefined in a row of an earlier version, which did not tell them apart. */
  readonly split?: { readonly added: readonly string[]; readonly removed: readonly string[] };
}

/** The entry's rows: its member ids split so that each row's list fits one string property. */
export function journalRows(entry: JournalEntry): { rowKey: string; groupId: string; memberIds: string; adds: number }[] {
  const rows: { rowKey: string; groupId: string; memberIds: string; adds: number }[] = [];
  let chunk: string[] = [];
  let chars = 2;
  let written = 0;
  const flush = (): void => {
    const adds = Math.max(0, Math.min(chunk.length, entry.adds - written));
    rows.push({ rowKey: `j-${entry.runId}-${entry.graphId}-${entry.step}-${rows.length}`, groupId: entry.groupId, memberIds: JSON.stringify(chunk), adds });
    written += chunk.length;
    chunk = [];
    chars = 2;
  };
  for (const memberId of entry.memberIds) {
    const size = JSON.stringify(memberId).length + 1;
    if (chunk.length > 0 && chars + size > MAX_STRING_PROPERTY_CHARS) flush();
    chunk.push(memberId);
    chars += size;
  }
  if (chunk.length > 0) flush();
  return rows;
}

/** What a journal row read back says: our group and the members to settle; undefined for a row that is not one. */
export function journaledChangeOf(row: Record<string, unknown>): JournaledChange | undefined {
  if (!String(row.rowKey).startsWith('j-') || typeof row.groupId !== 'string' || typeof row.memberIds !== 'string') return undefined;
  let memberIds: unknown;
  try {
    memberIds = JSON.parse(row.memberIds);
  } catch {
    return undefined;
  }
  if (!Array.isArray(memberIds) || !memberIds.every((id) => typeof id === 'string')) return undefined;
  const adds = row.adds;
  if (typeof adds !== 'number' || !Number.isInteger(adds) || adds < 0 || adds > memberIds.length) return { groupId: row.groupId, memberIds };
  return { groupId: row.groupId, memberIds, split: { added: memberIds.slice(0, adds), removed: memberIds.slice(adds) } };
}

/** What earlier attempts of a step added to and removed from each group (by Graph group id), as their journal says. */
export type EarlierChanges = Map<string, { readonly added: Set<string>; readonly removed: Set<string> }>;

/** Settles the memberships the entries name (several groups at once, a few members' reads each). */
async function settle(ctx: SyncContext, entries: readonly JournaledChange[]): Promise<void> {
  await Promise.all(entries.map((entry) => ctx.groups.settleMembers(ctx.integrationId, entry.groupId, entry.memberIds)));
}

/**
 * Before a membership step does its work again (a redelivery): settles what its earlier attempts recorded for these
 * groups, and answers what they added and removed (a group whose rows do not tell is left out). A first delivery has
 * nothing recorded and reads nothing.
 */
export async function settleEarlierAttempts(ctx: SyncContext, graphIds: readonly string[], step: JournalEntry['step']): Promise<EarlierChanges> {
  const earlier: EarlierChanges = new Map();
  if (!ctx.redelivered || ctx.dryRun) return earlier;
  const entries = await Promise.all(graphIds.map((graphId) => ctx.store.journalOf(ctx.runId, graphId, step)));
  await settle(ctx, entries.flat().map(({ entry }) => entry));
  for (const [index, rows] of entries.entries()) {
    if (rows.length === 0 || rows.some(({ entry }) => entry.split === undefined)) continue;
    earlier.set(graphIds[index] as string, {
      added: new Set(rows.flatMap(({ entry }) => entry.split?.added ?? [])),
      removed: new Set(rows.flatMap(({ entry }) => entry.split?.removed ?? [])),
    });
  }
  return earlier;
}

/**
 * Records the members a step is about to add or remove in each group (no row for a group with none), with a members
 * step's descendants of each group, in as few transactions as the rows allow.
 */
export async function journalBeforeChanges(ctx: SyncContext, groups: readonly { readonly entry: JournalEntry; readonly descendants?: JournaledGroup['descendants'] }[]): Promise<void> {
  const rows: JournaledGroup[] = groups.map(({ entry, descendants }) => ({ graphId: entry.graphId, ...(entry.memberIds.length === 0 ? {} : { entry }), ...(descendants === undefined ? {} : { descendants }) }));
  await ctx.store.journalChanges(rows.filter((row) => row.entry !== undefined || row.descendants !== undefined));
}

/** A page of what failed runs left: settled, then deleted; the next page as a follow-up. */
export async function settleJournalStep(ctx: SyncContext, payload: { readonly c?: string }): Promise<SyncStepRequest[]> {
  const page = await ctx.store.journalPageExcept(ctx.runId, payload.c);
  await settle(ctx, page.rows.map(({ entry }) => entry));
  await ctx.store.deleteRows(page.rows.map(({ rowKey }) => rowKey));
  return page.next === undefined ? [] : [{ kind: 'settleJournal', payload: { c: page.next } }];
}
